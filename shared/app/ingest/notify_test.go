package ingest_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/threading"
)

// A customer's reply, applied by the router, tells the ticket's owner and
// followers who can see it (in the app; by email for those who asked),
// and nobody who cannot see it.
func TestCustomerMessagesTellOwnerAndFollowers(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newMailDesk(t, backend, helpdesk.EmailSettings{})
		out := &memOutbox{}
		d.svc.Outbound = out
		ctx := context.Background()
		teams := helpdesk.Permissions{Scope: helpdesk.ScopeTeams}
		for _, a := range []helpdesk.Agent{
			{ID: "bob", Email: "bob@acme.example", Seat: true, Active: true, Role: helpdesk.RoleAgent, Permissions: teams},
			{ID: "vic", Email: "vic@acme.example", Active: true, Role: helpdesk.RoleViewer, Permissions: teams,
				Notify: helpdesk.NotifyPrefs{EmailOnCustomerMessage: true}},
			{ID: "kim", Email: "kim@acme.example", Active: true, Role: helpdesk.RoleAgent, Permissions: teams},
		} {
			if err := d.st.PutAgent(ctx, a); err != nil {
				t.Fatal(err)
			}
		}
		for _, tm := range []helpdesk.Team{{ID: "A", Name: "A", MemberIDs: []string{"bob", "vic", "kim"}}, {ID: "B", Name: "B"}} {
			if err := d.st.PutTeam(ctx, tm); err != nil {
				t.Fatal(err)
			}
		}
		id := d.mail(t, "m1@mail.example", "Printer on fire").TicketID
		if _, err := d.tickets.Assign(ctx, id, "bob", "A", "ann"); err != nil {
			t.Fatal(err)
		}
		for _, who := range []string{"vic", "kim"} {
			if _, err := d.tickets.Follow(ctx, id, who); err != nil {
				t.Fatal(err)
			}
		}
		// kim leaves team A: she follows a ticket she can no longer see.
		if err := d.st.PutTeam(ctx, helpdesk.Team{ID: "A", Name: "A", MemberIDs: []string{"bob", "vic"}}); err != nil {
			t.Fatal(err)
		}
		r := d.mail(t, "m2@mail.example", "Re: Printer on fire", inReplyTo("m1@mail.example"))
		if r.TicketID != id || r.Created {
			t.Fatalf("the reply did not join ticket %s: %+v", id, r)
		}
		for who, want := range map[string]int{"bob": 2, "vic": 1, "kim": 0} { // bob: assigned, then the message
			ns, err := d.st.Notifications(ctx, helpdesk.AgentRecipient(who), 10)
			if err != nil || len(ns) != want || want > 0 && (ns[0].Kind != helpdesk.NotifyCustomerMessage || ns[0].MessageID != r.MessageID) {
				t.Errorf("%s's notifications = %+v, %v; want %d, the newest about the message", who, ns, err, want)
			}
		}
		var emails []string
		for _, j := range out.jobs {
			if strings.Contains(j, `"kind":"notification.email"`) {
				emails = append(emails, j)
			}
		}
		if len(emails) != 1 || !strings.Contains(emails[0], `vic@acme.example`) || !strings.Contains(emails[0], `customer_message`) {
			t.Errorf("published emails = %v, want vic's only", emails)
		}
		// A redelivery tells nobody again.
		d.mail(t, "m2@mail.example", "Re: Printer on fire", inReplyTo("m1@mail.example"))
		if ns, _ := d.st.Notifications(ctx, helpdesk.AgentRecipient("vic"), 10); len(ns) != 1 {
			t.Errorf("vic told twice of one message: %+v", ns)
		}
		if c := d.conv(t, id); !slices.Equal(c.Ticket.Followers, []string{"kim", "vic"}) {
			t.Errorf("followers = %v", c.Ticket.Followers)
		}
	})
}

// What telling the watchers costs a customer's message: the append of
// BenchmarkApply on a ticket with an owner and three followers (team
// scope, so the team's members are read too), each told in the app.
func BenchmarkAppendToWatchedTicket(b *testing.B) {
	oneThread := threading.Func(func(m *helpdesk.InboundMessage) threading.Thread {
		return threading.Thread{Lookup: []threading.Key{{Key: "bench-thread", Reason: "bench"}}, Own: []string{"bench-thread"}}
	})
	db, table := testbed.Table(b)
	meter := &testbed.CapacityMeter{DB: db, Table: table}
	st := store.New(meter, table)
	ctx := context.Background()
	if err := st.PutChannel(ctx, formChannel); err != nil {
		b.Fatal(err)
	}
	ids := []string{"w0", "w1", "w2", "w3"}
	for _, id := range ids {
		a := helpdesk.Agent{ID: id, Email: id + "@acme.example", Seat: true, Active: true, Role: helpdesk.RoleAgent,
			Permissions: helpdesk.Permissions{Scope: helpdesk.ScopeTeams}}
		if err := st.PutAgent(ctx, a); err != nil {
			b.Fatal(err)
		}
	}
	if err := st.PutTeam(ctx, helpdesk.Team{ID: "A", Name: "A", MemberIDs: ids}); err != nil {
		b.Fatal(err)
	}
	svc := &ingest.Service{Store: st, Threader: oneThread, Settings: settings.Fixed(helpdesk.DefaultSettings()), Now: nowT0, Log: quiet}
	r, err := svc.Apply(ctx, submission("warm", "known@example.com"))
	if err != nil {
		b.Fatal(err)
	}
	tickets := &desk.Service{Store: st, Settings: settings.Fixed(helpdesk.DefaultSettings()), Now: nowT0}
	if _, err := tickets.Assign(ctx, r.TicketID, "w0", "A", "admin"); err != nil {
		b.Fatal(err)
	}
	for _, id := range ids[1:] {
		if _, err := tickets.Follow(ctx, r.TicketID, id); err != nil {
			b.Fatal(err)
		}
	}
	meter.Reset()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := svc.Apply(ctx, submission(fmt.Sprint(i), "known@example.com")); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(meter.Write/float64(b.N), "WCU/op")
	b.ReportMetric(meter.Read/float64(b.N), "RCU/op")
}
