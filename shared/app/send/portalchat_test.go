package send_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/graphfake"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

const portalLink = "https://help.acme.example/portal/#/signin?token=v1.123.abc.sig"

func portalJob(t *testing.T, job jobs.PortalAccess) string {
	t.Helper()
	body, err := jobs.Encode(jobs.KindPortalAccess, job)
	if err != nil {
		t.Fatal(err)
	}
	return string(body)
}

// A link and code asked for by WhatsApp number go as a WhatsApp text in
// the customer's conversation, through the Graph API, inside the 24-hour
// customer service window (injected clock); outside it, for a decoy, or to
// a number that is not the contact's, nothing reaches the Graph API. The
// link is never recorded in the conversation (agents must not sign in as
// the customer).
func TestPortalLinkByWhatsAppInsideTheWindowOnly(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		for _, tc := range []struct {
			name  string
			at    time.Duration // after the customer's last message
			edit  func(*jobs.PortalAccess)
			wantN int
		}{
			{name: "23h59", at: 23*time.Hour + 59*time.Minute, wantN: 1},
			{name: "24h01", at: 24*time.Hour + time.Minute},
			{name: "decoy", at: time.Hour, edit: func(j *jobs.PortalAccess) { j.ContactID = "" }},
			{name: "another number", at: time.Hour, edit: func(j *jobs.PortalAccess) { j.ToWhatsApp = "15550000000" }},
			{name: "expired", at: time.Hour, edit: func(j *jobs.PortalAccess) { j.ExpiresAt = j.ExpiresAt.Add(-time.Hour) }},
		} {
			t.Run(tc.name, func(t *testing.T) {
				d := newChatDesk(t, b, helpdesk.MessengerSettings{})
				ticketID := d.customerWrites(t, helpdesk.ChannelWhatsApp, "c1")
				tk, err := d.st.GetTicketHeader(context.Background(), ticketID)
				if err != nil {
					t.Fatal(err)
				}
				*d.clk = t0.Add(tc.at)
				job := jobs.PortalAccess{ContactID: tk.ContactID, ToWhatsApp: waID, Link: portalLink, Code: "042917", ExpiresAt: d.clk.Add(15 * time.Minute)}
				if tc.edit != nil {
					tc.edit(&job)
				}
				if resp := d.deliver(t, "1", portalJob(t, job)); len(resp.BatchItemFailures) != 0 {
					t.Fatalf("job failed: %v", resp.BatchItemFailures)
				}
				sent := d.graph.Sent()
				if tc.wantN == 0 {
					if n := len(d.graph.Requests()); n != 0 {
						t.Fatalf("%d Graph API requests, want none", n)
					}
					return
				}
				if len(sent) != 1 {
					t.Fatalf("%d messages sent, want 1", len(sent))
				}
				s := sent[0]
				if s.Kind != graphfake.KindWhatsApp || s.AccountID != phoneID || s.Token != waToken || s.Recipient != waID ||
					s.RecipientType != "individual" || !strings.Contains(s.Text, portalLink) || !strings.Contains(s.Text, "042917") {
					t.Fatalf("sent %+v", s)
				}
				conv, err := d.st.GetTicket(context.Background(), ticketID)
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range conv.Messages {
					if strings.Contains(m.Text, portalLink) {
						t.Fatalf("the link was recorded in the conversation: %+v", m)
					}
				}
			})
		}
	})
}

// A link an agent sends into a chat ticket: Messenger inside 24 h as a
// response, up to 7 days with the HUMAN_AGENT tag (an agent asked for it),
// after that nothing; no code (no address to pair it with).
func TestPortalLinkInATicketsConversation(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		for _, tc := range []struct {
			name     string
			kind     helpdesk.ChannelKind
			at       time.Duration
			wantType string // "" = nothing sent
			wantTag  string
		}{
			{name: "messenger 1h", kind: helpdesk.ChannelMessenger, at: time.Hour, wantType: "RESPONSE"},
			{name: "messenger 3d", kind: helpdesk.ChannelMessenger, at: 72 * time.Hour, wantType: "MESSAGE_TAG", wantTag: "HUMAN_AGENT"},
			{name: "messenger 7d+1m", kind: helpdesk.ChannelMessenger, at: 7*24*time.Hour + time.Minute},
			{name: "whatsapp 1h", kind: helpdesk.ChannelWhatsApp, at: time.Hour, wantType: "text"},
			{name: "whatsapp 25h", kind: helpdesk.ChannelWhatsApp, at: 25 * time.Hour},
		} {
			t.Run(tc.name, func(t *testing.T) {
				d := newChatDesk(t, b, helpdesk.MessengerSettings{})
				ticketID := d.customerWrites(t, tc.kind, "c1")
				tk, err := d.st.GetTicketHeader(context.Background(), ticketID)
				if err != nil {
					t.Fatal(err)
				}
				*d.clk = t0.Add(tc.at)
				job := jobs.PortalAccess{ContactID: tk.ContactID, TicketID: ticketID, Link: portalLink, ExpiresAt: d.clk.Add(15 * time.Minute)}
				if resp := d.deliver(t, "1", portalJob(t, job)); len(resp.BatchItemFailures) != 0 {
					t.Fatalf("job failed: %v", resp.BatchItemFailures)
				}
				sent := d.graph.Sent()
				if tc.wantType == "" {
					if n := len(d.graph.Requests()); n != 0 {
						t.Fatalf("%d Graph API requests outside the window, want none", n)
					}
					return
				}
				if len(sent) != 1 || !strings.Contains(sent[0].Text, portalLink) || strings.Contains(sent[0].Text, "code") {
					t.Fatalf("sent %+v", sent)
				}
				s := sent[0]
				if tc.kind == helpdesk.ChannelMessenger && (s.Recipient != psid || s.MessagingType != tc.wantType || s.Tag != tc.wantTag) {
					t.Fatalf("sent %+v", s)
				}
				if tc.kind == helpdesk.ChannelWhatsApp && (s.Recipient != waID || s.Kind != graphfake.KindWhatsApp) {
					t.Fatalf("sent %+v", s)
				}
			})
		}
	})
}
