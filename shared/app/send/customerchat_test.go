package send_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/graphfake"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

const portalTicketURL = "https://help.acme.example/portal/#/tickets/{id}"

// onlyJob is the one job of kind pending in ticket id's outbox when want,
// else checks there is none ("").
func onlyJob(t *testing.T, d *chatDesk, id, kind string, want bool) string {
	t.Helper()
	js := pendingJobs(t, d, id, kind)
	switch {
	case !want && len(js) != 0:
		t.Fatalf("%d %s jobs, want none", len(js), kind)
	case want && len(js) != 1:
		t.Fatalf("%d %s jobs, want 1", len(js), kind)
	case !want:
		return ""
	}
	return js[0]
}

// pendingJobs are the jobs of kind pending in ticket id's outbox.
func pendingJobs(t *testing.T, d *chatDesk, id, kind string) []string {
	t.Helper()
	pending, err := d.st.PendingOutbox(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, body := range pending {
		env, err := jobs.DecodeEnvelope(body)
		if err != nil {
			t.Fatal(err)
		}
		if env.Kind == kind {
			out = append(out, body)
		}
	}
	return out
}

// An agent's status change tells a Messenger or WhatsApp customer in their
// conversation, with the portal's link to the ticket, through the Graph
// API (checked by the fake against Meta's payloads): only inside the 24 h
// standard window (never the HUMAN_AGENT tag, even when the notice was
// queued in time and is sent late), never to a blocked sender, not when
// the tenant turned the kind off or the contact opted out.
func TestChatCustomersAreToldInTheirConversation(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		for _, tc := range []struct {
			name          string
			kind          helpdesk.ChannelKind
			moveAt        time.Duration // after the customer's message
			sendAt        time.Duration // 0: when moved
			status        string        // "" closes
			off, optOut   bool
			blocked       bool
			wantJob       bool
			wantSent      bool
			wantText      string
			wantMessaging string
		}{
			{name: "whatsapp closed 1h", kind: helpdesk.ChannelWhatsApp, moveAt: time.Hour, wantJob: true, wantSent: true, wantText: "is now closed"},
			{name: "messenger closed 23h", kind: helpdesk.ChannelMessenger, moveAt: 23 * time.Hour, wantJob: true, wantSent: true, wantText: "is now closed", wantMessaging: "RESPONSE"},
			{name: "messenger waiting on you", kind: helpdesk.ChannelMessenger, moveAt: time.Hour, status: "waiting_on_contact", wantJob: true, wantSent: true, wantText: "waiting on your answer", wantMessaging: "RESPONSE"},
			{name: "messenger closed 25h: not sent", kind: helpdesk.ChannelMessenger, moveAt: 25 * time.Hour},
			{name: "whatsapp closed 25h: not sent", kind: helpdesk.ChannelWhatsApp, moveAt: 25 * time.Hour},
			{name: "messenger queued 23h59, sent 24h01: not sent", kind: helpdesk.ChannelMessenger, moveAt: 23*time.Hour + 59*time.Minute, sendAt: 24*time.Hour + time.Minute, wantJob: true},
			{name: "whatsapp queued 23h59, sent 24h01: not sent", kind: helpdesk.ChannelWhatsApp, moveAt: 23*time.Hour + 59*time.Minute, sendAt: 24*time.Hour + time.Minute, wantJob: true},
			{name: "whatsapp kind off", kind: helpdesk.ChannelWhatsApp, moveAt: time.Hour, off: true},
			{name: "whatsapp opted out", kind: helpdesk.ChannelWhatsApp, moveAt: time.Hour, optOut: true},
			{name: "messenger blocked", kind: helpdesk.ChannelMessenger, moveAt: time.Hour, blocked: true},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ctx := context.Background()
				d := newChatDesk(t, b, helpdesk.MessengerSettings{})
				d.sender.CustomerLinks.Portal = portalTicketURL
				set := helpdesk.DefaultSettings()
				if tc.off {
					set.CustomerNotify.Off = []helpdesk.CustomerNotifyKind{helpdesk.CustomerClosed}
				}
				d.tickets = &desk.Service{Store: d.st, Settings: settings.Fixed(set), Now: func() time.Time { return *d.clk }}
				id := d.customerWrites(t, tc.kind, "c1")
				tk, err := d.st.GetTicketHeader(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if tc.optOut {
					if err := d.st.OptOut(ctx, tk.ContactID, helpdesk.CustomerClosed); err != nil {
						t.Fatal(err)
					}
				}
				if tc.blocked {
					key := helpdesk.Sender{PageID: pageID, PSID: psid}.Key(helpdesk.ChannelMessenger)
					if err := d.st.BlockSender(ctx, helpdesk.BlockedSender{Key: key, BlockedBy: "alice", BlockedAt: t0}); err != nil {
						t.Fatal(err)
					}
				}
				status := tc.status
				if status == "" {
					if status, err = ticket.ClosingStatus(set, "support"); err != nil {
						t.Fatal(err)
					}
				}
				*d.clk = t0.Add(tc.moveAt)
				if _, err := d.tickets.SetStatus(ctx, id, status, "alice"); err != nil {
					t.Fatal(err)
				}
				job := onlyJob(t, d, id, jobs.KindReplyChat, tc.wantJob)
				if !tc.wantJob {
					return
				}
				if tc.sendAt != 0 {
					*d.clk = t0.Add(tc.sendAt)
				}
				if resp := d.deliver(t, "1", job); len(resp.BatchItemFailures) != 0 {
					t.Fatalf("job failed: %v", resp.BatchItemFailures)
				}
				conv, err := d.st.GetTicket(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				var notice helpdesk.Message
				for _, m := range conv.Messages {
					if m.ThreadReason == ticket.ReasonCustomerNotice {
						notice = m
					}
				}
				if !tc.wantSent {
					if n := len(d.graph.Requests()); n != 0 {
						t.Fatalf("%d Graph API requests, want none: %+v", n, d.graph.Sent())
					}
					if notice.Status != helpdesk.StatusFailed || !strings.Contains(notice.StatusReason, "24 h") {
						t.Fatalf("notice %s %q, want failed (outside the window)", notice.Status, notice.StatusReason)
					}
					return
				}
				sent := d.graph.Sent()
				if len(sent) != 1 {
					t.Fatalf("%d messages sent, want 1", len(sent))
				}
				s := sent[0]
				link := strings.ReplaceAll(portalTicketURL, "{id}", id)
				if !strings.Contains(s.Text, tc.wantText) || !strings.Contains(s.Text, link) {
					t.Fatalf("sent text %q, want %q and %q", s.Text, tc.wantText, link)
				}
				if tc.kind == helpdesk.ChannelMessenger && (s.Kind != graphfake.KindMessenger || s.Recipient != psid || s.MessagingType != tc.wantMessaging || s.Tag != "") {
					t.Fatalf("sent %+v", s)
				}
				if tc.kind == helpdesk.ChannelWhatsApp && (s.Kind != graphfake.KindWhatsApp || s.Recipient != waID || s.AccountID != phoneID) {
					t.Fatalf("sent %+v", s)
				}
				if notice.Status != helpdesk.StatusSent || notice.ProviderMessageID != s.MessageID {
					t.Fatalf("notice %+v", notice)
				}
			})
		}
	})
}
