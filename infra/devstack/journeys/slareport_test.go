package journeys_test

// Issue 15's SLA report in the console: two form tickets owned by Bob,
// with their SLA outcomes committed as the model records them (one first
// response met in 20 minutes, one breached at 2 h 30; one resolution met),
// then the "Service levels" page shows them by agent and by channel, with
// the share met, the median and the 90th percentile, and passes axe.

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/browser"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

func TestTheSLAReportShowsTheOutcomes(t *testing.T) {
	s, b := start(t)
	ctx := context.Background()
	now := time.Now().UTC()
	for _, c := range []struct {
		email, subject string
		outcomes       []helpdesk.SLAOutcome
	}{
		{"rita@example.com", "Wombat door jams", []helpdesk.SLAOutcome{
			{Kind: helpdesk.SLAFirstResponse, Outcome: helpdesk.SLAOutcomeMet, ElapsedMs: (20 * time.Minute).Milliseconds()},
			{Kind: helpdesk.SLAClose, Outcome: helpdesk.SLAOutcomeMet, ElapsedMs: (26 * time.Hour).Milliseconds()}}},
		{"sam@example.com", "Platypus pond murky", []helpdesk.SLAOutcome{
			{Kind: helpdesk.SLAFirstResponse, Outcome: helpdesk.SLAOutcomeBreached, ElapsedMs: (150 * time.Minute).Milliseconds()}}},
	} {
		postForm(t, s, c.email, c.subject)
		tk := waitTicket(t, s, c.subject)
		if _, err := s.r.Agent.Desk.Assign(ctx, tk.ID, "bob", "", "alice"); err != nil {
			t.Fatal(err)
		}
		tk, err := s.r.Store.GetTicketHeader(ctx, tk.ID)
		if err != nil {
			t.Fatal(err)
		}
		ch, _, err := ticket.Note(tk, ticket.NoteInput{AgentID: "alice", Text: "timed"}, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range c.outcomes {
			o.TicketID, o.PolicyID, o.OwnerID, o.TeamID = tk.ID, "standard", tk.OwnerID, tk.TeamID
			o.Priority, o.ChannelKind, o.StartedAt, o.BudgetMs, o.RecordedAt = tk.Priority, tk.ChannelKind, tk.CreatedAt, (time.Hour).Milliseconds(), now
			ch.SLAOutcomes = append(ch.SLAOutcomes, o)
		}
		if err := s.r.Store.Commit(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}

	p := b.NewPage()
	signIn(p, s, s.demo.AgentEmails[0]) // alice, admin: sees every ticket
	p.Click(browser.Role("link", "Service levels"))
	p.Wait(browser.Role("heading", "Service levels"))
	p.WaitText("3 targets")
	p.Select(browser.Label("Group by"), "Agent")
	bob := browser.CSS(`tr[data-sla-group="bob"][data-sla-kind="first_response"]`)
	p.Wait(bob)
	if got, want := strings.Join(strings.Fields(p.Text(bob)), " "), "Bob Chen First response 2 1 1 50% 20 min 2 h 30 min"; got != want {
		t.Fatalf("Bob's first responses read %q, want %q", got, want)
	}
	closeRow := browser.CSS(`tr[data-sla-group="bob"][data-sla-kind="close"]`)
	p.WaitTextIn(closeRow, `Resolution\s+1\s+1\s+0\s+100%\s+1 d 2 h\s+1 d 2 h`)
	p.Check("sla-by-agent")
	p.Select(browser.Label("Group by"), "Channel")
	form := browser.CSS(`tr[data-sla-group="form"][data-sla-kind="first_response"]`)
	p.Wait(form)
	p.WaitTextIn(form, `^\s*form\s+First response\s+2\s`)
	p.Check("sla-by-channel")
	// By week: one group, the week (its Monday, UTC) they were recorded in.
	p.Select(browser.Label("Group by"), "Week")
	monday := now.UTC().AddDate(0, 0, -(int(now.UTC().Weekday())+6)%7).Format(time.DateOnly)
	week := browser.CSS(`tr[data-sla-group="` + monday + `"][data-sla-kind="first_response"]`)
	p.Wait(week)
	p.WaitTextIn(week, `^\s*Week of `+monday+`\s+First response\s+2\s+1\s+1\s+50%`)
	p.Check("sla-by-week")
	p.Narrow()
	p.Check("sla-narrow")
}
