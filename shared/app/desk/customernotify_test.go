package desk_test

import (
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// customerJobs are the customer.email jobs pending in ticket id's outbox.
func (f *fixture) customerJobs(t *testing.T, id string) []jobs.CustomerEmail {
	t.Helper()
	pending, err := f.st.PendingOutbox(f.ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	var out []jobs.CustomerEmail
	for _, body := range pending {
		env, err := jobs.DecodeEnvelope(body)
		if err != nil {
			t.Fatal(err)
		}
		if env.Kind == jobs.KindCustomerEmail {
			var j jobs.CustomerEmail
			if err := env.Decode(&j); err != nil {
				t.Fatal(err)
			}
			out = append(out, j)
		}
	}
	return out
}

func kinds(js []jobs.CustomerEmail) map[helpdesk.CustomerNotifyKind]int {
	out := map[helpdesk.CustomerNotifyKind]int{}
	for _, j := range js {
		out[j.Kind]++
	}
	return out
}

// A form customer is emailed, from the default email channel, when an
// agent closes, reopens or waits on them; not once they opted out of a
// kind, the tenant turned it off, or their sender is blocked.
func TestAgentsStatusChangesTellTheFormCustomer(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newFixture(t, b)
		mail := helpdesk.Channel{ID: "email:s@acme.example", Kind: helpdesk.ChannelEmail, Email: &helpdesk.EmailSettings{Address: "s@acme.example"}}
		if err := f.st.PutChannel(f.ctx, mail); err != nil {
			t.Fatal(err)
		}
		set := helpdesk.DefaultSettings()
		set.DefaultEmailChannel = mail.ID
		f.svc = &desk.Service{Store: f.st, Settings: settings.Fixed(set), Now: f.clk.now}
		id := f.newTicket(t, "Broken")
		move := func(status string) {
			t.Helper()
			if _, err := f.svc.SetStatus(f.ctx, id, status, "ann"); err != nil {
				t.Fatalf("%s: %v", status, err)
			}
		}
		move("waiting_on_contact")
		move("closed")
		move("waiting_on_us") // reopened
		got := f.customerJobs(t, id)
		if k := kinds(got); k[helpdesk.CustomerWaiting] != 1 || k[helpdesk.CustomerClosed] != 1 || k[helpdesk.CustomerReopened] != 1 || len(got) != 3 {
			t.Fatalf("customer jobs %+v, want waiting, closed, reopened", k)
		}
		for _, j := range got {
			if j.ToEmail != "customer@example.com" || j.FromChannelID != mail.ID || j.ContactID == "" {
				t.Errorf("job %+v", j)
			}
		}
		contactID := got[0].ContactID

		// Opted out of "closed": closing again tells nobody; "waiting" still goes.
		if err := f.st.OptOut(f.ctx, contactID, helpdesk.CustomerClosed); err != nil {
			t.Fatal(err)
		}
		move("closed")
		move("waiting_on_contact") // reopened
		if k := kinds(f.customerJobs(t, id)); k[helpdesk.CustomerClosed] != 1 || k[helpdesk.CustomerReopened] != 2 {
			t.Fatalf("after opting out of closed: %+v", k)
		}

		// The tenant turned "reopened" off.
		off := set
		off.CustomerNotify.Off = []helpdesk.CustomerNotifyKind{helpdesk.CustomerReopened}
		f.svc = &desk.Service{Store: f.st, Settings: settings.Fixed(off), Now: f.clk.now}
		move("closed")
		move("new")
		if k := kinds(f.customerJobs(t, id)); k[helpdesk.CustomerReopened] != 2 {
			t.Fatalf("reopened turned off: %+v", k)
		}

		// A blocked sender is told nothing.
		f.svc = &desk.Service{Store: f.st, Settings: settings.Fixed(set), Now: f.clk.now}
		if err := f.st.BlockSender(f.ctx, helpdesk.BlockedSender{Key: "email#customer@example.com", BlockedBy: "ann", BlockedAt: f.clk.t}); err != nil {
			t.Fatal(err)
		}
		move("waiting_on_contact")
		if k := kinds(f.customerJobs(t, id)); k[helpdesk.CustomerWaiting] != 1 {
			t.Fatalf("blocked sender: %+v", k)
		}
	})
}

// Replying to a form customer emails the reply itself (they see it); a
// reply that closes the ticket adds the closing notice.
func TestAReplyAndCloseTellsTheCustomerOnce(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newFixture(t, b)
		mail := helpdesk.Channel{ID: "email:s@acme.example", Kind: helpdesk.ChannelEmail, Email: &helpdesk.EmailSettings{Address: "s@acme.example"}}
		if err := f.st.PutChannel(f.ctx, mail); err != nil {
			t.Fatal(err)
		}
		set := helpdesk.DefaultSettings()
		set.DefaultEmailChannel = mail.ID
		f.svc = &desk.Service{Store: f.st, Settings: settings.Fixed(set), Now: f.clk.now}
		id := f.newTicket(t, "Where is it")
		if _, _, _, err := f.svc.Answer(f.ctx, desk.Answer{TicketID: id, AgentID: "ann", Text: "Shipped", Status: "waiting_on_contact"}); err != nil {
			t.Fatal(err)
		}
		if got := f.customerJobs(t, id); len(got) != 0 {
			t.Fatalf("reply + waiting: %+v, want no notice (the reply says it)", got)
		}
		if _, _, _, err := f.svc.Answer(f.ctx, desk.Answer{TicketID: id, AgentID: "ann", Text: "Bye", Close: true}); err != nil {
			t.Fatal(err)
		}
		if k := kinds(f.customerJobs(t, id)); len(k) != 1 || k[helpdesk.CustomerClosed] != 1 {
			t.Fatalf("reply + close: %+v, want the closing notice", k)
		}
	})
}
