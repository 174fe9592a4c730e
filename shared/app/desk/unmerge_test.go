package desk_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// Merge then unmerge returns both tickets to their state before, field by
// field on every item (ticket, messages, timeline, thread keys, loads),
// plus what arrived since: a reply through the secondary's thread goes
// back with the secondary, one through the primary's stays, a property
// changed on the merged ticket stays with the primary, and both timelines
// record the merge and the unmerge.
func TestUnmergeRestoresBothTickets(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		f := newFixture(t, backend)
		primary := f.newTicket(t, "alpha")
		secondary := f.newTicket(t, "beta")
		f.newTicket(t, "beta") // a second message on the secondary
		if _, err := f.svc.Assign(f.ctx, secondary, "bob", "", "ann"); err != nil {
			t.Fatal(err)
		}
		f.wantLoads(t, 1, 1)
		beforeP, beforeS := f.ticket(t, primary), f.ticket(t, secondary)

		f.clk.t = f.clk.t.Add(time.Hour)
		if _, err := f.svc.Merge(f.ctx, primary, secondary, "ann"); err != nil {
			t.Fatal(err)
		}
		f.wantLoads(t, 1, 0)
		f.clk.t = f.clk.t.Add(time.Minute)
		viaS := f.reply(t, "beta")  // through the secondary's thread: lands in the merged ticket
		viaP := f.reply(t, "alpha") // through the primary's
		high := helpdesk.PriorityHigh
		if _, err := f.svc.SetProperties(f.ctx, primary, ticket.Properties{Priority: &high}, "ann"); err != nil {
			t.Fatal(err)
		}
		if c := f.ticket(t, primary); c.Ticket.MessageCount != 5 || len(c.Messages) != 5 {
			t.Fatalf("merged ticket: count %d, shows %d, want 5", c.Ticket.MessageCount, len(c.Messages))
		}

		f.clk.t = f.clk.t.Add(time.Hour)
		p, s, err := f.svc.Unmerge(f.ctx, secondary, 0, "bob")
		if err != nil {
			t.Fatal(err)
		}
		afterP, afterS := f.ticket(t, primary), f.ticket(t, secondary)
		if !reflect.DeepEqual(p, afterP.Ticket) || !reflect.DeepEqual(s, afterS.Ticket) {
			t.Fatalf("Unmerge answered tickets other than those stored:\n%+v\n%+v", p, afterP.Ticket)
		}

		// The tickets: as before, but for what the merge, the arrivals and
		// the unmerge changed, each named here.
		wantP := beforeP.Ticket
		wantP.Version = beforeP.Ticket.Version + 5 // merge, both replies, priority, unmerge
		wantP.UpdatedAt = f.clk.t
		wantP.Priority = helpdesk.PriorityHigh
		wantP.MessageCount++
		wantP.LastCustomerMessageAt = viaP.CreatedAt
		wantP.Unread = true
		wantP.MergedFrom = afterP.Ticket.MergedFrom // [] or nil, both empty
		if len(afterP.Ticket.MergedFrom) != 0 {
			t.Errorf("primary still lists merged tickets: %v", afterP.Ticket.MergedFrom)
		}
		sameTicket(t, "primary", afterP.Ticket, wantP)
		wantS := beforeS.Ticket
		wantS.Version = beforeS.Ticket.Version + 2 // merge, unmerge
		wantS.UpdatedAt = f.clk.t
		wantS.MessageCount++
		wantS.LastCustomerMessageAt = viaS.CreatedAt
		wantS.Unread = true
		sameTicket(t, "secondary", afterS.Ticket, wantS)

		// The messages: every one as it was, and each arrival in the ticket
		// its thread belongs to.
		sameMessages(t, "primary", partition(afterP, primary), append(partition(beforeP, primary), viaP))
		viaS.TicketID = secondary
		sameMessages(t, "secondary", partition(afterS, secondary), append(partition(beforeS, secondary), viaS))
		if len(afterP.Messages) != afterP.Ticket.MessageCount || len(afterS.Messages) != afterS.Ticket.MessageCount {
			t.Errorf("counts %d and %d, conversations show %d and %d", afterP.Ticket.MessageCount, afterS.Ticket.MessageCount, len(afterP.Messages), len(afterS.Messages))
		}
		// The timelines: as before, plus merged and unmerged on both (and
		// the primary's priority change).
		for _, tc := range []struct {
			name          string
			before, after helpdesk.Conversation
			extra         []helpdesk.ActivityKind
		}{
			{"primary", beforeP, afterP, []helpdesk.ActivityKind{helpdesk.ActivityMerged, helpdesk.ActivityProperty, helpdesk.ActivityUnmerged}},
			{"secondary", beforeS, afterS, []helpdesk.ActivityKind{helpdesk.ActivityMerged, helpdesk.ActivityUnmerged}},
		} {
			n := len(tc.before.Activities)
			if len(tc.after.Activities) != n+len(tc.extra) || !reflect.DeepEqual(tc.after.Activities[:n], tc.before.Activities) {
				t.Errorf("%s's timeline: %+v, want %+v and %v", tc.name, tc.after.Activities, tc.before.Activities, tc.extra)
				continue
			}
			var kinds []helpdesk.ActivityKind
			for _, a := range tc.after.Activities[n:] {
				kinds = append(kinds, a.Kind)
			}
			if !slices.Equal(kinds, tc.extra) {
				t.Errorf("%s's new timeline entries: %v, want %v", tc.name, kinds, tc.extra)
			}
		}
		// Thread keys and counts put back: a reply to each thread lands in
		// its own ticket again.
		for subject, want := range map[string]string{"alpha": primary, "beta": secondary} {
			if got, _, err := f.st.FindThread(f.ctx, []string{"subject#" + subject}); err != nil || got != want {
				t.Errorf("thread %s leads to %q (%v), want %s", subject, got, err, want)
			}
			if m := f.reply(t, subject); m.TicketID != want {
				t.Errorf("a reply to %s after the unmerge landed in %s, want %s", subject, m.TicketID, want)
			}
		}
		f.wantLoads(t, 1, 1)
		// Unmerging twice is a retry: answered with both (retry_test.go).
		if p, s, err := f.svc.Unmerge(f.ctx, secondary, 0, "bob"); err != nil || p.ID != primary || s.ID != secondary {
			t.Fatalf("unmerging twice: %s %s %v", p.ID, s.ID, err)
		}
	})
}

// reply applies a customer message on subject's thread and returns it as
// stored.
func (f *fixture) reply(t testing.TB, subject string) helpdesk.Message {
	t.Helper()
	f.clk.t = f.clk.t.Add(time.Second)
	id := f.newTicket(t, subject)
	c, err := f.st.GetTicket(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range c.Messages {
		if m.CreatedAt.Equal(f.clk.t) {
			return m
		}
	}
	t.Fatalf("the reply to %s is not in ticket %s", subject, id)
	return helpdesk.Message{}
}

// partition is a conversation's messages that live in ticket id's partition.
func partition(c helpdesk.Conversation, id string) []helpdesk.Message {
	var out []helpdesk.Message
	for _, m := range c.Messages {
		if m.TicketID == id {
			out = append(out, m)
		}
	}
	return out
}

func sameTicket(t *testing.T, name string, got, want helpdesk.Ticket) {
	t.Helper()
	g, w := reflect.ValueOf(got), reflect.ValueOf(want)
	for i := range g.NumField() {
		if !reflect.DeepEqual(g.Field(i).Interface(), w.Field(i).Interface()) {
			t.Errorf("%s's %s: %v, want %v", name, g.Type().Field(i).Name, g.Field(i).Interface(), w.Field(i).Interface())
		}
	}
}

func sameMessages(t *testing.T, name string, got, want []helpdesk.Message) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s has %d messages, want %d", name, len(got), len(want))
		return
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("%s's message %d:\n got %+v\nwant %+v", name, i, got[i], want[i])
		}
	}
}
