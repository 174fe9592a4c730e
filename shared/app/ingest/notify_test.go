package ingest_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
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
