package desk_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/app/outbox"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/routing"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/threading"
	"github.com/stackdesk/stackdesk/shared/ticket/tickettest"
)

// clock is a settable test clock shared by the store, the router and the services.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

type fixture struct {
	ctx   context.Context
	clk   *clock
	st    testbed.Store
	svc   *desk.Service
	apply *ingest.Service
	seq   int
}

type nopOutbox struct{}

func (nopOutbox) Publish(context.Context, string) error { return nil }

// threadOf makes every message with the same subject one conversation, so
// tests can write into an existing ticket.
var threadOf = threading.Func(func(m *helpdesk.InboundMessage) threading.Thread {
	k := "subject#" + m.Subject
	return threading.Thread{Lookup: []threading.Key{{Key: k, Reason: "same_subject"}}, Own: []string{k}}
})

// newFixture is a tenant with agents ann, bob and gone (deactivated) and a
// form channel routing to ann, on a new store of backend.
func newFixture(t testing.TB, backend testbed.Backend) *fixture {
	clk := &clock{t: time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)}
	st := backend.Open(t, clk.now)
	ctx := context.Background()
	for _, id := range []string{"ann", "bob"} {
		if err := st.PutAgent(ctx, helpdesk.Agent{ID: id, Email: id + "@acme.example", Name: id, Seat: true, Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.PutAgent(ctx, helpdesk.Agent{ID: "gone", Name: "gone", Seat: true}); err != nil {
		t.Fatal(err)
	}
	ch := helpdesk.Channel{ID: "web", Kind: helpdesk.ChannelForm, Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"},
		Routing: helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: helpdesk.DistRoundRobin, UserIDs: []string{"ann"}},
		Form:    &helpdesk.FormSettings{Auth: helpdesk.FormAuthNone}}
	if err := st.PutChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	pipes := helpdesk.DefaultSettings()
	return &fixture{
		ctx: ctx, clk: clk, st: st,
		svc: &desk.Service{Store: st, Settings: settings.Fixed(pipes), Now: clk.now},
		apply: &ingest.Service{Store: st, Threader: threadOf, Settings: settings.Fixed(pipes), Now: clk.now,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Router: &routing.Router{Store: st, Now: clk.now}, Outbound: nopOutbox{}},
	}
}

// newTicket applies a customer message with its own subject; the channel
// routes it to ann.
func (f *fixture) newTicket(t testing.TB, subject string) string {
	t.Helper()
	f.seq++
	res, err := f.apply.Apply(f.ctx, &helpdesk.InboundMessage{
		Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelForm, ChannelID: "web",
		ProviderMessageID: subject + "#" + time.Duration(f.seq).String(), ReceivedAt: f.clk.t,
		Sender: helpdesk.Sender{Email: "customer@example.com"}, Subject: subject, Text: "hello",
	})
	if err != nil {
		t.Fatal(err)
	}
	return res.TicketID
}

// loads returns ann's and bob's counted tickets.
func (f *fixture) loads(t *testing.T) (ann, bob int) {
	t.Helper()
	l, err := f.st.Loads(f.ctx, []string{"ann", "bob"}, helpdesk.TypeEmailOther, f.clk.t)
	if err != nil {
		t.Fatal(err)
	}
	return l["ann"].Count, l["bob"].Count
}

func (f *fixture) wantLoads(t *testing.T, ann, bob int) {
	t.Helper()
	if a, b := f.loads(t); a != ann || b != bob {
		t.Fatalf("loads ann=%d bob=%d, want %d and %d", a, b, ann, bob)
	}
}

func (f *fixture) ticket(t *testing.T, id string) helpdesk.Conversation {
	t.Helper()
	c, err := f.st.GetTicket(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestAssignmentMovesTheLoadAndTellsTheNewOwner(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		f := newFixture(t, backend)
		id := f.newTicket(t, "printer")
		f.wantLoads(t, 1, 0)

		tk, err := f.svc.Assign(f.ctx, id, "bob", "", "ann")
		if err != nil {
			t.Fatal(err)
		}
		if tk.OwnerID != "bob" || !tk.AssignedAt.Equal(f.clk.t) || tk.Version != 2 {
			t.Fatalf("ticket = %+v", tk)
		}
		f.wantLoads(t, 0, 1)
		notes, _ := f.st.Notifications(f.ctx, helpdesk.AgentRecipient("bob"), 10)
		if len(notes) != 1 || notes[0].Kind != helpdesk.NotifyAssigned || notes[0].TicketID != id {
			t.Fatalf("bob's notifications = %+v", notes)
		}
		acts := f.ticket(t, id).Activities
		if last := acts[len(acts)-1]; last.Kind != helpdesk.ActivityAssigned || last.From != "ann" || last.To != "bob" || last.ActorID != "ann" {
			t.Fatalf("activity = %+v", last)
		}

		// Assigning again to the same owner changes nothing.
		if tk, err := f.svc.Assign(f.ctx, id, "bob", "", "ann"); err != nil || tk.Version != 2 {
			t.Fatalf("no-op assign: %+v %v", tk, err)
		}
		// Taking it yourself does not notify you.
		if _, err := f.svc.Assign(f.ctx, id, "ann", "", "ann"); err != nil {
			t.Fatal(err)
		}
		if notes, _ := f.st.Notifications(f.ctx, helpdesk.AgentRecipient("ann"), 10); len(notes) != 1 { // the router's
			t.Fatalf("ann notified of her own assignment: %+v", notes)
		}
		f.wantLoads(t, 1, 0)

		if _, err := f.svc.Assign(f.ctx, id, "", "", "ann"); err != nil {
			t.Fatal(err)
		}
		f.wantLoads(t, 0, 0)
		if _, err := f.svc.Assign(f.ctx, id, "gone", "", "ann"); helpdesk.ErrorReason(err) != "inactive_user" {
			t.Fatalf("assign to a deactivated user: %v", err)
		}
		if _, err := f.svc.Assign(f.ctx, id, "nobody", "", "ann"); helpdesk.ErrorReason(err) != "owner_unknown" {
			t.Fatalf("assign to an unknown user: %v", err)
		}
		if _, err := f.svc.Assign(f.ctx, "404", "ann", "", "ann"); !helpdesk.IsCode(err, helpdesk.ENotFound) {
			t.Fatalf("assign a missing ticket: %v", err)
		}
	})
}

func TestReplyingToAnUnassignedTicketClaimsIt(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		f := newFixture(t, backend)
		id := f.newTicket(t, "refund")
		mail := helpdesk.Channel{ID: "email:support@acme.example", Kind: helpdesk.ChannelEmail,
			Email: &helpdesk.EmailSettings{Address: "support@acme.example"}}
		if err := f.st.PutChannel(f.ctx, mail); err != nil {
			t.Fatal(err)
		}
		tickettest.Edit(t, f.st, id, func(tk *helpdesk.Ticket) { tk.ChannelID = mail.ID })
		if _, err := f.svc.Assign(f.ctx, id, "", "", "ann"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := f.svc.Reply(f.ctx, id, "bob", "On it.", ""); err != nil {
			t.Fatal(err)
		}
		if tk, _ := f.st.GetTicketHeader(f.ctx, id); tk.OwnerID != "bob" {
			t.Fatalf("owner after bob replied to the unassigned ticket: %q, want bob", tk.OwnerID)
		}
		f.wantLoads(t, 0, 1)
		if _, _, err := f.svc.Reply(f.ctx, id, "ann", "Me too.", ""); err != nil {
			t.Fatal(err)
		}
		if tk, _ := f.st.GetTicketHeader(f.ctx, id); tk.OwnerID != "bob" {
			t.Fatalf("owner after ann replied to bob's ticket: %q, want bob", tk.OwnerID)
		}
	})
}

// A manual assignment tells the new owner in the app and, if they asked
// for it, by email (a job in the ticket's outbox), exactly as routing does;
// assigning to oneself tells nobody.
func TestManualAssignmentNotifiesByEmailWhenAsked(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		f := newFixture(t, backend)
		id := f.newTicket(t, "broken")
		if err := f.st.PutAgent(f.ctx, helpdesk.Agent{ID: "bob", Email: "bob@acme.example", Name: "bob", Seat: true, Active: true,
			Notify: helpdesk.NotifyPrefs{EmailOnAssignment: true}}); err != nil {
			t.Fatal(err)
		}
		if err := outbox.Flush(f.ctx, f.st, nopOutbox{}, id, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Assign(f.ctx, id, "bob", "", "ann"); err != nil {
			t.Fatal(err)
		}
		pending, err := f.st.PendingOutbox(f.ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var got []jobs.NotificationEmail
		for _, body := range pending {
			env, err := jobs.DecodeEnvelope(body)
			if err != nil {
				t.Fatal(err)
			}
			var n jobs.NotificationEmail
			if env.Kind != jobs.KindNotificationEmail || env.Decode(&n) != nil {
				t.Fatalf("unexpected job %s", body)
			}
			got = append(got, n)
		}
		if len(got) != 1 || got[0].ToAgentID != "bob" || got[0].ToEmail != "bob@acme.example" || got[0].Kind != helpdesk.NotifyAssigned {
			t.Fatalf("outbox after assigning to bob: %+v", got)
		}
		if n, err := f.st.Notifications(f.ctx, helpdesk.AgentRecipient("bob"), 10); err != nil || len(n) != 1 {
			t.Fatalf("bob's in-app notifications: %v, %v", n, err)
		}

		if err := outbox.Flush(f.ctx, f.st, nopOutbox{}, id, nil); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Assign(f.ctx, id, "ann", "", "ann"); err != nil {
			t.Fatal(err)
		}
		if jobs, _ := f.st.PendingOutbox(f.ctx, id); len(jobs) != 0 {
			t.Fatalf("self-assignment queued %d jobs", len(jobs))
		}
	})
}

func TestStatusChangesKeepTheCountExact(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		f := newFixture(t, backend)
		id := f.newTicket(t, "late order")
		if _, err := f.svc.SetStatus(f.ctx, id, "waiting_on_contact", "ann"); err != nil {
			t.Fatal(err)
		}
		f.wantLoads(t, 1, 0) // still open
		tk, err := f.svc.SetStatus(f.ctx, id, "closed", "ann")
		if err != nil || tk.State != helpdesk.StateClosed {
			t.Fatalf("close: %+v %v", tk, err)
		}
		f.wantLoads(t, 0, 0)
		if _, err := f.svc.SetStatus(f.ctx, id, "new", "ann"); err != nil {
			t.Fatal(err)
		}
		f.wantLoads(t, 1, 0)
		if _, err := f.svc.SetStatus(f.ctx, id, "archived", "ann"); helpdesk.ErrorReason(err) != "unknown_status" {
			t.Fatalf("unknown status: %v", err)
		}
		tk, err = f.svc.MarkSpam(f.ctx, id, "ann")
		if err != nil || tk.State != helpdesk.StateSpam {
			t.Fatalf("spam: %+v %v", tk, err)
		}
		f.wantLoads(t, 0, 0)
		// Closing or reopening a spam ticket does not bring it back into anyone's load.
		if _, err := f.svc.SetStatus(f.ctx, id, "waiting_on_us", "ann"); err != nil {
			t.Fatal(err)
		}
		f.wantLoads(t, 0, 0)
		open, _ := f.st.ListTickets(f.ctx, helpdesk.StateOpen, 10)
		spam, _ := f.st.ListTickets(f.ctx, helpdesk.StateSpam, 10)
		if len(open) != 0 || len(spam) != 1 {
			t.Fatalf("views: %d open, %d spam", len(open), len(spam))
		}
	})
}

// Tickets count for 30 UTC days after their assignment, then age out of
// the load by themselves; closing an aged-out ticket does not go negative.
func TestLoadAgesOutAfterThirtyDays(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		f := newFixture(t, backend)
		assigned := f.clk.t
		id := f.newTicket(t, "old")
		f.clk.t = assigned.AddDate(0, 0, 29).Add(13*time.Hour + 59*time.Minute) // day 29, 23:59
		f.wantLoads(t, 1, 0)
		f.clk.t = time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC) // day 30
		f.wantLoads(t, 0, 0)
		fresh := f.newTicket(t, "fresh")
		f.wantLoads(t, 1, 0)
		if _, err := f.svc.SetStatus(f.ctx, id, "closed", "ann"); err != nil {
			t.Fatal(err)
		}
		f.wantLoads(t, 1, 0)
		// Reopening the aged-out ticket does not count it again either.
		if _, err := f.svc.SetStatus(f.ctx, id, "new", "ann"); err != nil {
			t.Fatal(err)
		}
		f.wantLoads(t, 1, 0)
		// Reassigning it restarts its window.
		if _, err := f.svc.Assign(f.ctx, id, "bob", "", "ann"); err != nil {
			t.Fatal(err)
		}
		f.wantLoads(t, 1, 1)
		if _, err := f.svc.SetStatus(f.ctx, fresh, "closed", "ann"); err != nil {
			t.Fatal(err)
		}
		f.wantLoads(t, 0, 1)
	})
}

func TestDeleteRemovesTheConversationAndFreesTheThread(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		f := newFixture(t, backend)
		id := f.newTicket(t, "delete me")
		f.newTicket(t, "delete me") // a reply: same thread
		if c := f.ticket(t, id); len(c.Messages) != 2 {
			t.Fatalf("%d messages before delete", len(c.Messages))
		}
		if _, err := f.svc.Delete(f.ctx, id); err != nil {
			t.Fatal(err)
		}
		f.wantLoads(t, 0, 0)
		if _, err := f.st.GetTicket(f.ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("deleted ticket still readable: %v", err)
		}
		if _, _, err := f.st.FindThread(f.ctx, []string{"subject#delete me"}); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("thread key survived the delete: %v", err)
		}
		// A new message on the old thread starts a new ticket.
		again := f.newTicket(t, "delete me")
		if again == id {
			t.Fatal("a deleted ticket came back")
		}
		if _, err := f.svc.Delete(f.ctx, id); !helpdesk.IsCode(err, helpdesk.ENotFound) {
			t.Fatalf("second delete: %v", err)
		}
	})
}

func TestMergeKeepsProvenanceAndRoutesLaterRepliesToThePrimary(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		f := newFixture(t, backend)
		primary := f.newTicket(t, "billing")
		secondary := f.newTicket(t, "billing question")
		if _, err := f.svc.Assign(f.ctx, secondary, "bob", "", "ann"); err != nil {
			t.Fatal(err)
		}
		f.wantLoads(t, 1, 1)
		tickettest.Edit(t, f.st, secondary, func(tk *helpdesk.Ticket) {
			tk.Participants = append(tk.Participants, "email#cc@example.com")
		})
		p, err := f.svc.Merge(f.ctx, primary, secondary, "ann")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(p.Participants, "email#cc@example.com") || !slices.Contains(p.Participants, "email#customer@example.com") {
			t.Fatalf("primary participants %v: want the secondary's too (they may quote either number)", p.Participants)
		}
		if len(p.MergedFrom) != 1 || p.MergedFrom[0] != secondary || p.MessageCount != 2 || p.OwnerID != "ann" {
			t.Fatalf("primary = %+v", p)
		}
		f.wantLoads(t, 1, 0)
		sec := f.ticket(t, secondary).Ticket
		if sec.State != helpdesk.StateMerged || sec.MergedInto != primary {
			t.Fatalf("secondary = %+v", sec)
		}
		// A reply on the secondary's thread lands in the primary.
		f.newTicket(t, "billing question")
		if c := f.ticket(t, primary); c.Ticket.MessageCount != 3 {
			t.Fatalf("primary has %d messages after a reply to the merged thread", c.Ticket.MessageCount)
		}
		if c := f.ticket(t, secondary); len(c.Messages) != 1 {
			t.Fatalf("the merged ticket got the reply: %d messages", len(c.Messages))
		}
		// Merging twice is a retry: answered with the primary (retry_test.go).
		if again, err := f.svc.Merge(f.ctx, primary, secondary, "ann"); err != nil || again.ID != primary {
			t.Fatalf("merging twice: %+v %v", again, err)
		}
		if _, err := f.svc.Merge(f.ctx, primary, primary, "ann"); helpdesk.ErrorReason(err) != "merge_self" {
			t.Fatalf("merging into itself: %v", err)
		}
		if _, err := f.svc.SetStatus(f.ctx, secondary, "closed", "ann"); helpdesk.ErrorReason(err) != "ticket_merged" {
			t.Fatalf("changing a merged ticket: %v", err)
		}
		open, _ := f.st.ListTickets(f.ctx, helpdesk.StateOpen, 10)
		if len(open) != 1 || open[0].ID != primary {
			t.Fatalf("open view = %+v", open)
		}
	})
}

// A merged ticket's conversation shows both tickets' messages, each marked
// with the ticket it came from, and its count matches what it shows. (The
// store used to read the primary's partition only.)
func TestMergedConversationShowsBothTickets(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		f := newFixture(t, backend)
		primary := f.newTicket(t, "order late")
		secondary := f.newTicket(t, "order still late")
		if _, err := f.svc.Merge(f.ctx, primary, secondary, "ann"); err != nil {
			t.Fatal(err)
		}
		c := f.ticket(t, primary)
		from := map[string]int{}
		for _, m := range c.Messages {
			from[m.TicketID]++
		}
		if from[primary] != 1 || from[secondary] != 1 {
			t.Fatalf("merged conversation has messages from %v, want one from %s and one from %s", from, primary, secondary)
		}
		if c.Ticket.MessageCount != len(c.Messages) {
			t.Fatalf("message count %d, but the conversation shows %d", c.Ticket.MessageCount, len(c.Messages))
		}
		for i := 1; i < len(c.Messages); i++ {
			if c.Messages[i].CreatedAt.Before(c.Messages[i-1].CreatedAt) {
				t.Fatalf("conversation out of time order: %v", c.Messages)
			}
		}
		merged := 0
		for _, a := range c.Activities {
			if a.Kind == helpdesk.ActivityMerged {
				merged++
			}
		}
		if merged != 2 {
			t.Fatalf("%d merge entries in the merged timeline, want 2 (one per ticket)", merged)
		}
	})
}
