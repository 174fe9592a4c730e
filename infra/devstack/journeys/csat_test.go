package journeys_test

// Issue 14's satisfaction report in the console: two tickets closed and
// rated by their customers (through the app layer, as the rating page and
// the portal rate), then the report page shows them by agent and by
// channel, with each score's share, and passes axe.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/browser"
	appcsat "github.com/stackdesk/stackdesk/shared/app/csat"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

func TestTheCSATReportShowsTheRatings(t *testing.T) {
	s, b := start(t)
	ctx := context.Background()
	rater := &appcsat.Service{Store: s.r.Store, Tenant: "demo", Secret: []byte("journeys-csat-key"), Now: time.Now}
	for _, c := range []struct {
		email, subject, owner string
		score                 int
	}{
		{"rita@example.com", "Koala bed wobbles", "bob", 5},
		{"sam@example.com", "Emu feeder leaks", "bob", 2},
	} {
		postForm(t, s, c.email, c.subject)
		tk := waitTicket(t, s, c.subject)
		if _, err := s.r.Agent.Desk.Assign(ctx, tk.ID, c.owner, "", "alice"); err != nil {
			t.Fatal(err)
		}
		closing, err := ticket.ClosingStatus(helpdesk.DefaultSettings(), tk.Pipeline)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.r.Agent.Desk.SetStatus(ctx, tk.ID, closing, "alice"); err != nil {
			t.Fatal(err)
		}
		if _, err := rater.Rate(ctx, tk.ID, tk.ContactID, c.score, "Rated by "+c.email); err != nil {
			t.Fatalf("rate %s: %v", tk.ID, err)
		}
	}

	p := b.NewPage()
	signIn(p, s, s.demo.AgentEmails[0]) // alice, admin: sees every ticket
	p.Click(browser.Role("link", "Satisfaction report"))
	p.Wait(browser.Role("heading", "Satisfaction report"))
	p.WaitText("2 responses")
	// Bob's row: two responses, half 2s and half 5s.
	bob := browser.CSS(`tr[data-csat-group="bob"]`)
	p.Wait(bob)
	if got, want := strings.Join(strings.Fields(p.Text(bob)), " "), "Bob Chen 2 0% (0) 50% (1) 0% (0) 0% (0) 50% (1)"; got != want {
		t.Fatalf("Bob's row reads %q, want %q", got, want)
	}
	p.Check("csat-by-agent")
	p.Select(browser.Label("Group by"), "Channel")
	form := browser.CSS(`tr[data-csat-group="` + s.demo.FormChannelID + `"]`)
	p.Wait(form)
	p.WaitTextIn(form, `^\s*Website contact form\s+2\s`)
	p.Check("csat-by-channel")
	p.Narrow()
	p.Check("csat-narrow")
}
