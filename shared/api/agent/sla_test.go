package agent_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// TestSLASettingsAndTicketClocks: an admin sets calendars and policies
// through PUT /api/settings (refused with a reason when they do not hold),
// and a ticket's SLA clocks are in its page and its view's rows.
func TestSLASettingsAndTicketClocks(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		base := `"pipelines":{"support":{"id":"support","name":"Support","stages":[{"id":"new","name":"New"},{"id":"waiting_on_contact","name":"Waiting","waiting_on_customer":true},{"id":"closed","name":"Closed","closed":true}]}},"defaults":{"pipeline":"support","status":"new","priority":"medium"}`
		sla := `"sla":{"default_calendar":"paris","calendars":[{"id":"paris","name":"Paris","time_zone":"Europe/Paris","week":[[],[{"start":"09:00","end":"18:00"}],[],[],[],[],[]],"holidays":[{"date":"12-25","yearly":true}]}],` +
			`"policies":[{"id":"urgent","name":"Urgent","priorities":["urgent"],"first_response_minutes":30,"close_minutes":240,"warn_minutes":10,"business_hours":true,"pause_when_waiting":true},` +
			`{"id":"std","name":"Standard","first_response_minutes":120,"next_response_minutes":240,"business_hours":false,"pause_when_waiting":false}]}`
		r := f.do(t, "PUT", "/api/settings", "ann", `{`+base+`,`+sla+`}`)
		if r.status != 200 {
			t.Fatalf("PUT settings with SLAs: %d %s", r.status, r.raw)
		}
		got := f.do(t, "GET", "/api/settings", "bob", "")
		pols, _ := got.body["sla"].(map[string]any)["policies"].([]any)
		if got.status != 200 || len(pols) != 2 || pols[0].(map[string]any)["id"] != "urgent" || !strings.Contains(got.raw, `"week":[[],[{"start":"09:00","end":"18:00"}],[],[],[],[],[]]`) {
			t.Fatalf("GET settings: %d %s", got.status, got.raw)
		}
		set, err := f.st.GetSettings(context.Background())
		if err != nil || len(set.SLA.Calendars) != 1 || set.SLA.Calendars[0].Week[1][0].End != "18:00" {
			t.Fatalf("stored SLA settings %+v %v", set.SLA, err)
		}
		// Without sla, a PUT leaves them as they are.
		if r := f.do(t, "PUT", "/api/settings", "ann", `{`+strings.Replace(base, `"priority":"medium"`, `"priority":"high"`, 1)+`}`); r.status != 200 || r.body["sla"] == nil {
			t.Fatalf("PUT without sla: %d %s", r.status, r.raw)
		}
		for _, c := range []struct{ body, want string }{
			{strings.Replace(sla, `"warn_minutes":10`, `"warn_minutes":30`, 1), "sla_warn_not_before_target"},
			{strings.Replace(sla, `"default_calendar":"paris"`, `"default_calendar":"tokyo"`, 1), "unknown_calendar"},
			{strings.Replace(sla, `"id":"std"`, `"id":"urgent"`, 1), "duplicate_sla_policy"},
			{strings.Replace(sla, `"first_response_minutes":120`, `"first_response_minutes":-1`, 1), "invalid_json"}, // the document's minimum
		} {
			r := f.do(t, "PUT", "/api/settings", "ann", `{`+base+`,`+c.body+`}`)
			if r.status != 400 || (c.want != "invalid_json" && reason(r) != c.want) {
				t.Errorf("PUT %s: %d %s", c.want, r.status, r.raw)
			}
		}

		// A ticket decided with these settings shows its clocks.
		m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: mail.ID,
			ProviderMessageID: "m9@example.com", ReceivedAt: t0, Sender: helpdesk.Sender{Email: "cus9@example.com"}, Subject: "Down", Text: "All down"}
		m.Ticket.Priority = helpdesk.PriorityUrgent
		msg := helpdesk.Message{ID: "msg-9", Direction: helpdesk.Inbound, ChannelID: mail.ID, ChannelKind: helpdesk.ChannelEmail, Text: m.Text, CreatedAt: t0}
		c, _ := ticket.Open(ticket.Arrival{ID: "9", Inbound: m, Message: msg, Channel: mail, ContactID: "c9", SenderKey: m.Sender.Key(m.Channel)}, set, t0)
		c.Ticket().OwnerID, c.Ticket().AssignedAt = "ann", t0
		if err := f.st.Commit(context.Background(), c); err != nil {
			t.Fatal(err)
		}
		page := f.do(t, "GET", "/api/tickets/9", "ann", "")
		s, _ := page.body["ticket"].(map[string]any)["sla"].(map[string]any)
		if page.status != 200 || s == nil || s["policy_id"] != "urgent" {
			t.Fatalf("ticket page: %d %s", page.status, page.raw)
		}
		fr := s["targets"].([]any)[0].(map[string]any)
		if fr["kind"] != "first_response" || fr["due_at"] != "2026-11-30T09:30:00Z" || fr["paused"] != false || fr["met_at"] != nil {
			t.Fatalf("first response target %v", fr)
		}
		rows := f.do(t, "GET", "/api/views/all_open/tickets", "ann", "")
		found := false
		for _, row := range rows.body["tickets"].([]any) {
			if row := row.(map[string]any); row["id"] == "9" {
				found = row["sla"] != nil
			}
		}
		if !found {
			t.Fatalf("view rows lack the SLA: %s", rows.raw)
		}
	})
}
