package journeys_test

// An agent's own notification settings in the console ("My notifications",
// GET and PUT /api/me/notifications): Bob sees what he has (the demo seeds
// assignment and team emails; SLA alerts are emailed by default), turns
// off breach and assignment emails, turns on note emails and mutes notes in
// his feed; the store holds exactly that, and a reload shows it. Axe
// passes, wide and narrow.

import (
	"context"
	"slices"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/browser"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

func TestAnAgentChangesTheirNotificationSettings(t *testing.T) {
	s, b := start(t)
	p := b.NewPage()
	signIn(p, s, s.demo.AgentEmails[1]) // bob
	p.Click(browser.Role("link", "My notifications"))
	p.Wait(browser.Role("heading", "My notifications"))

	checked := func(id string) browser.Locator { return browser.CSS("#" + id + ":checked") }
	unchecked := func(id string) browser.Locator { return browser.CSS("#" + id + ":not(:checked)") }
	p.Wait(checked("n-sla_breach-email"))
	for _, id := range []string{"n-sla_warning-email", "n-assigned-email", "n-team_unassigned-email", "n-note-feed", "n-assigned-feed"} {
		p.Wait(checked(id))
	}
	for _, id := range []string{"n-note-email", "n-mentioned-email"} {
		p.Wait(unchecked(id))
	}
	p.Check("my-notifications")

	p.Click(browser.Label("Service level breached: by email"))
	p.Click(browser.Label("Assigned to me: by email"))
	p.Click(browser.Label("Note added: by email"))
	p.Click(browser.Label("Note added: in my feed"))
	p.Click(browser.Role("button", "Save notification settings"))
	p.WaitText("Notification settings saved.")

	bob, err := s.r.Store.GetAgent(context.Background(), "bob")
	if err != nil {
		t.Fatal(err)
	}
	n := bob.Notify
	if !n.NoEmailOnSLABreach || n.NoEmailOnSLAWarning || n.EmailOnAssignment || !n.EmailOnNote || !n.EmailOnTeamUnassigned ||
		!slices.Equal(n.MutedInApp, []helpdesk.NotificationKind{helpdesk.NotifyNote}) {
		t.Fatalf("bob's stored preferences %+v", n)
	}

	p.Reload()
	p.Wait(browser.Role("heading", "My notifications"))
	p.Wait(unchecked("n-sla_breach-email"))
	p.Wait(checked("n-sla_warning-email"))
	p.Wait(unchecked("n-assigned-email"))
	p.Wait(checked("n-note-email"))
	p.Wait(unchecked("n-note-feed"))
	p.Narrow()
	p.Check("my-notifications-narrow")
}
