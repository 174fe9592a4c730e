package desk_test

import (
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Through the application, as the console answers and closes: the reply
// records the first response's outcome and the close the resolution's,
// each committed with its change and listed for the report.
func TestAnswerAndCloseRecordSLAOutcomes(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newFixture(t, b)
		set := helpdesk.DefaultSettings()
		set.DefaultEmailChannel = "email:help@acme.example"
		set.SLA.Policies = []helpdesk.SLAPolicy{{ID: "std", Name: "Standard", FirstResponseMinutes: 60, CloseMinutes: 600}}
		if err := f.st.PutChannel(f.ctx, helpdesk.Channel{ID: "email:help@acme.example", Kind: helpdesk.ChannelEmail,
			Email: &helpdesk.EmailSettings{Address: "help@acme.example"}}); err != nil {
			t.Fatal(err)
		}
		f.apply.Settings = settings.Fixed(set)
		svc := &desk.Service{Store: f.st, Settings: settings.Fixed(set), Now: f.clk.now}
		start := f.clk.t
		id := f.newTicket(t, "Broken hinge")
		f.clk.t = start.Add(20 * time.Minute)
		if _, _, _, err := svc.Answer(f.ctx, desk.Answer{TicketID: id, AgentID: "ann", Text: "Sending a new one"}); err != nil {
			t.Fatal(err)
		}
		f.clk.t = start.Add(15 * time.Hour)
		if _, err := svc.SetStatus(f.ctx, id, "closed", "ann"); err != nil {
			t.Fatal(err)
		}
		var os []helpdesk.SLAOutcome
		for range 50 { // an eventually consistent index on DynamoDB
			var err error
			if os, err = f.st.SLAOutcomes(f.ctx, start, start.Add(24*time.Hour)); err != nil {
				t.Fatal(err)
			}
			if len(os) == 2 {
				break
			}
			time.Sleep(100 * time.Millisecond)
		}
		if len(os) != 2 {
			t.Fatalf("outcomes %+v, want the first response's and the close's", os)
		}
		fr, cl := os[0], os[1]
		if fr.Kind != helpdesk.SLAFirstResponse || fr.Outcome != "met" || fr.ElapsedMs != (20*time.Minute).Milliseconds() || fr.OwnerID != "ann" || fr.TicketID != id {
			t.Fatalf("first response %+v", fr)
		}
		if cl.Kind != helpdesk.SLAClose || cl.Outcome != "breached" || cl.ElapsedMs != (15*time.Hour).Milliseconds() || cl.BudgetMs != (10*time.Hour).Milliseconds() {
			t.Fatalf("close %+v", cl)
		}
	})
}
