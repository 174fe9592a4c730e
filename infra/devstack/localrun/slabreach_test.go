package localrun_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// End to end on the local stack, with the sweep's real checker (the desk's
// CheckSLA, as wire.SLASweep composes it): an admin sets a 24/7 policy
// through the agent API, a form opens a ticket through the ingest queue,
// and POST /local/sla/sweep, once the stack's clock is past the first
// response's due date, records the breach, tells the ticket's owner (or
// team) in the feed and by email (through the outbound queue to moto's
// SES); a second sweep finds nothing.
func TestSLASweepRecordsABreachEndToEnd(t *testing.T) {
	sender := "notify-" + testbed.Name(t) + "@acme.example"
	s := startClockedWith(t, time.Hour, sender)
	ctx := context.Background()
	admin, code := s.signIn(t, s.demo.AgentEmails[0], s.demo.Password)
	if code != 200 {
		t.Fatalf("admin sign-in: %d", code)
	}
	code, set := s.get(t, "/api/settings", admin)
	if code != 200 {
		t.Fatalf("GET settings: %d %v", code, set)
	}
	delete(set, "version")
	delete(set, "updated_at")
	set["sla"] = map[string]any{"policies": []any{map[string]any{"id": "std", "name": "Standard",
		"first_response_minutes": 30, "warn_minutes": 10, "business_hours": false, "pause_when_waiting": true}}}
	body, _ := json.Marshal(set)
	if code, out := s.call(t, "PUT", "/api/settings", admin, string(body)); code != 200 {
		t.Fatalf("PUT settings: %d %v", code, out)
	}

	if code, _ := s.post(t, "/forms/"+s.demo.FormChannelID, `{"email":"ann@example.com","subject":"Late order","description":"Order 1042"}`, nil); code != 202 {
		t.Fatalf("form: %d", code)
	}
	s.drain(t)
	var tk helpdesk.Ticket
	for _, x := range s.tickets(t) {
		if x.Subject == "Late order" {
			tk = x
		}
	}
	if tk.SLA == nil || tk.SLA.PolicyID != "std" || tk.SLA.NextCheckAt.IsZero() {
		t.Fatalf("the form's ticket's SLA: %+v (ticket %q)", tk.SLA, tk.ID)
	}
	due, ok := tk.SLA.Target(helpdesk.SLAFirstResponse)
	if !ok {
		t.Fatalf("no first-response target: %+v", tk.SLA)
	}

	s.ahead.Store(int64(31 * time.Minute))
	if code, out := s.post(t, "/local/sla/sweep", "", nil); code != http.StatusOK || out["checked"] != 1.0 {
		t.Fatalf("the sweep past due: %d %v", code, out)
	}
	after, err := s.r.Store.GetTicketHeader(ctx, tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := after.SLA.Target(helpdesk.SLAFirstResponse)
	if !ok || !got.BreachedAt.Equal(due.DueAt) || !after.SLA.NextCheckAt.IsZero() {
		t.Fatalf("after the sweep: %+v, next check %v", got, after.SLA.NextCheckAt)
	}
	if len(after.Outbox) != 0 {
		t.Fatalf("the breach's emails were not published: %v", after.Outbox)
	}
	// ... and sent: the send worker mails them through moto's SES.
	s.drainOutbound(t)
	if mails := motoSentMail(t, sender); !slices.ContainsFunc(mails, func(m string) bool { return strings.Contains(m, "SLA breached") }) {
		t.Fatalf("no breach email reached SES from %s (%d mails)", sender, len(mails))
	}
	who := helpdesk.TeamRecipient(after.TeamID)
	if after.OwnerID != "" {
		who = helpdesk.AgentRecipient(after.OwnerID)
	}
	notes, err := s.r.Store.Notifications(ctx, who, 50)
	if err != nil {
		t.Fatal(err)
	}
	breaches := 0
	for _, n := range notes {
		if n.Kind == helpdesk.NotifySLABreach && n.TicketID == tk.ID {
			breaches++
		}
	}
	if breaches != 1 {
		t.Fatalf("%s's breach notifications: %d of %+v", who, breaches, notes)
	}
	if code, out := s.post(t, "/local/sla/sweep", "", nil); code != http.StatusOK || out["checked"] != 0.0 {
		t.Fatalf("a second sweep: %d %v", code, out)
	}
}
