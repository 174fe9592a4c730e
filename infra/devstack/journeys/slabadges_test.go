package journeys_test

// Issue 15's SLA badges in the console: an admin sets a 24/7 policy
// through PUT /api/settings (first response in 25 minutes, warned 10
// minutes before), two tickets come in through the contact form, one of
// them has its first response breached (committed as the sweep records
// it), and the list and the ticket page show "Due in 25 min" and "Breached"
// in text, and pass axe; the ticket page's "Service levels" panel says
// where every target stands; the "Breaching soon" view lists the wombat
// ticket only, and the sidebar counts it; waiting on the customer shows
// "Paused", and the panel the time left.

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/browser"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

func TestSLABadgesShowDueAndBreachedTickets(t *testing.T) {
	s, b := start(t)
	ctx := context.Background()
	admin := token(t, s, s.demo.AgentEmails[0], s.demo.Password)
	code, set := call(t, s, "GET", "/api/settings", admin, "")
	if code != 200 {
		t.Fatalf("GET settings: %d %v", code, set)
	}
	delete(set, "version")
	delete(set, "updated_at")
	set["sla"] = map[string]any{"policies": []any{map[string]any{"id": "std", "name": "Standard",
		"first_response_minutes": 25, "close_minutes": 24 * 60, "warn_minutes": 10, "business_hours": false, "pause_when_waiting": true}}}
	body, _ := json.Marshal(set)
	if code, out := call(t, s, "PUT", "/api/settings", admin, string(body)); code != 200 {
		t.Fatalf("PUT settings: %d %v", code, out)
	}

	ids := map[string]string{}
	for _, c := range []struct{ email, subject string }{{"rita@example.com", "Wombat gate squeaks"}, {"sam@example.com", "Numbat feeder empty"}} {
		postForm(t, s, c.email, c.subject)
		tk := waitTicket(t, s, c.subject)
		if tk.SLA == nil || tk.SLA.PolicyID != "std" {
			t.Fatalf("ticket %q has no SLA from the policy: %+v", tk.ID, tk.SLA)
		}
		if _, err := s.r.Agent.Desk.Assign(ctx, tk.ID, "alice", "", "alice"); err != nil {
			t.Fatal(err)
		}
		ids[c.subject] = tk.ID
	}
	// The numbat ticket's first response is breached, as the sweep records
	// it (the journey's clock is the wall clock: it cannot wait 25 minutes).
	tk, err := s.r.Store.GetTicketHeader(ctx, ids["Numbat feeder empty"])
	if err != nil {
		t.Fatal(err)
	}
	ch, _, err := ticket.Note(tk, ticket.NoteInput{AgentID: "alice", Text: "late"}, nil, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	after := ch.Tickets[0].After
	after.SLA = after.SLA.Clone()
	for i, tg := range after.SLA.Targets {
		if tg.Kind == helpdesk.SLAFirstResponse {
			past := time.Now().UTC().Add(-5 * time.Minute)
			after.SLA.Targets[i].DueAt, after.SLA.Targets[i].WarnAt, after.SLA.Targets[i].BreachedAt = past, past.Add(-10*time.Minute), past
		}
	}
	if err := s.r.Store.Commit(ctx, ch); err != nil {
		t.Fatal(err)
	}

	p := b.NewPage()
	signIn(p, s, s.demo.AgentEmails[0]) // alice
	p.Goto(s.url + "/views/my_open")
	wombat := browser.CSS(`tr[data-ticket-id="` + ids["Wombat gate squeaks"] + `"] .sla-due`)
	numbat := browser.CSS(`tr[data-ticket-id="` + ids["Numbat feeder empty"] + `"] .sla-breached`)
	p.Wait(wombat)
	p.WaitTextIn(wombat, `^\s*First response:\s*Due in 2[45] min\s*$`)
	p.WaitTextIn(numbat, `^\s*First response:\s*Breached\s*$`)
	if strings.Contains(p.Text(browser.CSS(`tr[data-ticket-id="`+ids["Wombat gate squeaks"]+`"]`)), "Resolution") {
		t.Fatal("the resolution target, due in a day, has a badge on the list")
	}
	p.Check("sla-badges-list")

	// Breaching soon, a default view read from the sweep's due-date index,
	// counted in the sidebar: the wombat ticket, due in 25 minutes; not the
	// numbat one, breached already.
	p.WaitTextIn(browser.CSS(`[data-view-count="breaching_soon"]`), `^\s*1\b`)
	p.Click(browser.Role("link", "Breaching soon"))
	p.Wait(browser.Role("heading", "Breaching soon"))
	p.WaitTextIn(browser.CSS(`tr[data-ticket-id="`+ids["Wombat gate squeaks"]+`"] .sla-due`), `Due in 2[45] min`)
	if p.Has(browser.CSS(`tr[data-ticket-id="` + ids["Numbat feeder empty"] + `"]`)) {
		t.Fatal("the breached ticket is listed as breaching soon")
	}
	p.Check("sla-breaching-soon")

	// A saved view of the overdue tickets, soonest due first: the numbat
	// ticket only.
	p.Click(browser.Role("link", "Saved views"))
	p.Wait(browser.Role("heading", "Saved views"))
	p.Fill(browser.Label("View name"), "Overdue")
	p.Click(browser.Label("Overdue"))
	p.Select(browser.Label("Sort by"), "Due date")
	p.Click(browser.Role("button", "Create view"))
	p.WaitText("View Overdue saved.")
	p.Click(browser.RoleMatching("link", `^Overdue$`))
	p.Wait(browser.Role("heading", "Overdue"))
	p.WaitTextIn(browser.CSS(`tr[data-ticket-id="`+ids["Numbat feeder empty"]+`"] .sla-breached`), `Breached`)
	if p.Has(browser.CSS(`tr[data-ticket-id="` + ids["Wombat gate squeaks"] + `"]`)) {
		t.Fatal("the ticket due in 25 minutes is listed as overdue")
	}
	p.Check("sla-overdue-view")
	p.Goto(s.url + "/views/my_open")

	p.Click(browser.Role("link", "Numbat feeder empty"))
	p.Wait(ticketHeading("Numbat feeder empty"))
	p.WaitTextIn(browser.CSS(`.slaline`), `Service level:\s*First response:\s*Breached`)
	// The panel says where every target stands, the resolution due in a
	// day (no badge yet) included.
	p.Wait(browser.Role("heading", "Service levels"))
	p.WaitTextIn(browser.CSS(`[data-sla-policy]`), `^\s*Policy: Standard\s*$`)
	p.WaitTextIn(browser.CSS(`[data-sla-target="first_response"][data-sla-state="breached"]`), `^\s*First response: Breached \S`)
	p.WaitTextIn(browser.CSS(`[data-sla-target="close"][data-sla-state="due"]`), `^\s*Resolution: Due .+ \(in 2[34] h( \d+ min)?\)\s*$`)
	p.Check("sla-badges-ticket")

	// Waiting on the customer pauses the wombat ticket's clocks (the
	// policy pauses): the list shows "Paused" where "Due in" was.
	if code, out := call(t, s, "PATCH", "/api/tickets/"+ids["Wombat gate squeaks"], admin, `{"status":"waiting_on_contact"}`); code != 200 {
		t.Fatalf("waiting on the customer: %d %v", code, out)
	}
	p.Goto(s.url + "/views/my_open")
	paused := browser.CSS(`tr[data-ticket-id="` + ids["Wombat gate squeaks"] + `"] .sla-paused`)
	p.Wait(paused)
	p.WaitTextIn(paused, `^\s*First response:\s*Paused\s*$`)
	if p.Has(browser.CSS(`tr[data-ticket-id="` + ids["Wombat gate squeaks"] + `"] .sla-due`)) {
		t.Fatal("a paused ticket still counts down")
	}
	p.Check("sla-badges-paused")
	p.Click(browser.Role("link", "Wombat gate squeaks"))
	p.Wait(ticketHeading("Wombat gate squeaks"))
	p.WaitTextIn(browser.CSS(`[data-sla-target="first_response"][data-sla-state="paused"]`), `^\s*First response: Paused, waiting on the customer; (1\d|2[0-5]) min left\s*$`)
}
