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

// portalTicketOf opens a portal ticket for the WhatsApp customer of
// ticket chatID (a contact with no email), at the desk's current time.
func (d *chatDesk) portalTicketOf(t *testing.T, chatID string) string {
	t.Helper()
	ctx := context.Background()
	if err := d.st.PutChannel(ctx, helpdesk.Channel{ID: helpdesk.PortalChannelID, Kind: helpdesk.ChannelPortal,
		Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}}); err != nil {
		t.Fatal(err)
	}
	chat, err := d.st.GetTicketHeader(ctx, chatID)
	if err != nil {
		t.Fatal(err)
	}
	m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelPortal, ChannelID: helpdesk.PortalChannelID,
		ProviderMessageID: "portal-" + strings.Repeat("0", 31) + "1", ReceivedAt: *d.clk, Sender: helpdesk.Sender{WhatsAppID: waID, Name: "Sheena Nelson"},
		Subject: "Invoice", Text: "Where is my invoice?", Portal: &helpdesk.PortalAction{ContactID: chat.ContactID}}
	r, err := d.ingest.Apply(ctx, m)
	if err != nil || r.TicketID == "" || r.TicketID == chatID {
		t.Fatalf("portal ticket: %+v, %v", r, err)
	}
	return r.TicketID
}

// A WhatsApp customer without email opens a ticket in the portal; an
// agent's reply to it is recorded in the portal only (no reply job), and
// the customer is told in their WhatsApp conversation, with the portal's
// link to the ticket, through the Graph API: only inside the 24 h standard
// window of their last WhatsApp message, checked again when it is sent.
func TestAPortalOnlyReplyIsToldInTheWhatsAppConversation(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		for _, tc := range []struct {
			name     string
			replyAt  time.Duration // after the customer's WhatsApp message
			sendAt   time.Duration // 0: when replied
			wantJob  bool
			wantSent bool
		}{
			{name: "1h", replyAt: time.Hour, wantJob: true, wantSent: true},
			{name: "23h59 sent at 24h01: not sent", replyAt: 23*time.Hour + 59*time.Minute, sendAt: 24*time.Hour + time.Minute, wantJob: true},
			{name: "25h: not told", replyAt: 25 * time.Hour},
		} {
			t.Run(tc.name, func(t *testing.T) {
				ctx := context.Background()
				d := newChatDesk(t, b, helpdesk.MessengerSettings{})
				d.sender.CustomerLinks.Portal = portalTicketURL
				chatID := d.customerWrites(t, helpdesk.ChannelWhatsApp, "w1")
				*d.clk = t0.Add(time.Minute)
				id := d.portalTicketOf(t, chatID)
				*d.clk = t0.Add(tc.replyAt)
				msg, js, err := d.tickets.Reply(ctx, id, "alice", "Your invoice is attached to your account page.", "")
				if err != nil {
					t.Fatalf("reply: %v", err)
				}
				if msg.Status != helpdesk.StatusInPortal {
					t.Fatalf("reply %+v, want in_portal", msg)
				}
				for _, body := range js {
					if env, _ := jobs.DecodeEnvelope(body); env.Kind == jobs.KindReplyEmail || env.Kind == jobs.KindReplyChat {
						t.Fatalf("a %s job: the reply is sent on no channel", env.Kind)
					}
				}
				if got := d.message(t, id, msg.ID); got.Status != helpdesk.StatusInPortal || got.Text != msg.Text {
					t.Fatalf("stored reply %+v", got)
				}
				job := onlyJob(t, d, id, jobs.KindCustomerChat, tc.wantJob)
				if !tc.wantJob {
					return
				}
				if tc.sendAt != 0 {
					*d.clk = t0.Add(tc.sendAt)
				}
				if resp := d.deliver(t, "1", job); len(resp.BatchItemFailures) != 0 {
					t.Fatalf("job failed: %v", resp.BatchItemFailures)
				}
				sent := d.graph.Sent()
				if !tc.wantSent {
					if n := len(d.graph.Requests()); n != 0 {
						t.Fatalf("%d Graph API requests, want none: %+v", n, sent)
					}
					return
				}
				if len(sent) != 1 {
					t.Fatalf("%d messages sent, want 1", len(sent))
				}
				s := sent[0]
				link := strings.ReplaceAll(portalTicketURL, "{id}", id)
				if !strings.Contains(s.Text, msg.Text) || !strings.Contains(s.Text, link) || !strings.Contains(s.Text, "#"+id) {
					t.Fatalf("sent text %q, want the reply and %q", s.Text, link)
				}
				if s.Kind != graphfake.KindWhatsApp || s.Recipient != waID || s.AccountID != phoneID {
					t.Fatalf("sent %+v", s)
				}
			})
		}
	})
}
