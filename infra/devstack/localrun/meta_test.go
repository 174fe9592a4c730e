package localrun_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/stackdesk/stackdesk/infra/devstack/graphfake"
	"github.com/stackdesk/stackdesk/shared/api/webhook"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/channel/meta"
	"github.com/stackdesk/stackdesk/shared/channel/meta/media"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket/tickettest"
)

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../../../shared/channel/meta/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var msTimestamp = regexp.MustCompile(`"(time|timestamp)": *(\d{13})`)

// fresh moves a Messenger fixture's millisecond timestamps to now, keeping
// their order, so replies fall inside the 24 h window.
func fresh(body string) string {
	now := time.Now().UnixMilli()
	return msTimestamp.ReplaceAllStringFunc(body, func(m string) string {
		sub := msTimestamp.FindStringSubmatch(m)
		ms, _ := strconv.ParseInt(sub[2], 10, 64)
		return fmt.Sprintf(`"%s": %d`, sub[1], now-1583173700000+ms)
	})
}

// deliver posts a webhook body signed with the demo app secret, as Meta does.
func (s stack) deliver(t *testing.T, path, body string) int {
	t.Helper()
	code, _ := s.post(t, path, body, map[string]string{meta.SignatureHeader: webhook.SignSHA256(s.demo.MetaAppSecret, []byte(body))})
	return code
}

// drainOutbound runs the outbound sender until its queue is empty.
func (s stack) drainOutbound(t *testing.T) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
		n, err := s.r.PollOutboundOnce(context.Background(), 0)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
	}
	t.Fatal("the outbound queue did not drain")
}

func (s stack) conversationOf(t *testing.T, kind helpdesk.ChannelKind) helpdesk.Conversation {
	t.Helper()
	for _, tk := range s.tickets(t) {
		if tk.ChannelKind == kind {
			c, err := s.r.Store.GetTicket(context.Background(), tk.ID)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
	}
	t.Fatalf("no %s ticket", kind)
	return helpdesk.Conversation{}
}

// Meta's documented Messenger payloads through the real webhook handler,
// the real ingest queue and router into a ticket; the page's greeting and
// instant reply through the real outbound sender to the (fake) Send API.
func TestMessengerWebhookEndToEnd(t *testing.T) {
	s := start(t)
	resp, err := http.Get(s.srv.URL + "/messenger?hub.mode=subscribe&hub.verify_token=" + s.demo.MetaVerifyToken + "&hub.challenge=1158201444")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "1158201444" {
		t.Fatalf("verification: %d %q", resp.StatusCode, body)
	}
	if resp, _ := http.Get(s.srv.URL + "/messenger?hub.mode=subscribe&hub.verify_token=wrong&hub.challenge=1"); resp.StatusCode != 403 {
		t.Fatalf("wrong verify token: %d, want 403", resp.StatusCode)
	}

	text := fixture(t, "messenger_text.json")
	if code, _ := s.post(t, "/messenger", text, nil); code != 401 {
		t.Fatalf("unsigned delivery: %d, want 401", code)
	}
	for _, name := range []string{"messenger_text.json", "messenger_attachments.json", "messenger_echo.json", "messenger_text.json"} {
		if code := s.deliver(t, "/messenger", fresh(fixture(t, name))); code != 200 {
			t.Fatalf("%s: %d, want 200", name, code)
		}
	}
	s.drain(t)
	c := s.conversationOf(t, helpdesk.ChannelMessenger)
	var in, out int
	for _, m := range c.Messages {
		if m.Direction == helpdesk.Inbound {
			in++
		} else {
			out++
		}
	}
	// text + attachments (the echo skipped, the redelivered text deduped);
	// greeting (with the implicit consent text) + instant reply.
	if in != 2 || out != 2 || c.Ticket.OwnerID == "" {
		t.Fatalf("ticket %s: %d inbound, %d outbound, owner %q", c.Ticket.ID, in, out, c.Ticket.OwnerID)
	}
	contact, err := s.r.Store.GetContact(context.Background(), c.Ticket.ContactID)
	if err != nil || contact.Consent == nil || contact.Consent.Mode != helpdesk.ConsentImplicit || contact.PSID != "3163874143641178" {
		t.Fatalf("contact %+v, %v", contact, err)
	}

	s.drainOutbound(t)
	sent := s.r.Graph.Sent()
	if len(sent) != 2 || !strings.HasPrefix(sent[0].Text, "Hi! Thanks for contacting Acme.\n\nWe keep this conversation") ||
		sent[1].Text != "We got your message; an agent will answer shortly." || sent[0].Recipient != "3163874143641178" {
		t.Fatalf("sent %+v", sent)
	}
}

// WhatsApp: text, media (downloaded into the bucket through the fake Graph
// API), location and contacts into one ticket; an agent's reply goes out
// and the delivery statuses Meta posts for it move it to read.
func TestWhatsAppWebhookEndToEnd(t *testing.T) {
	s := start(t)
	for _, id := range []string{"1003383421387256", "1003383421387257", "1003383421387258", "1003383421387259"} {
		s.r.Graph.AddMedia(id, "image/jpeg", []byte("media "+id), "demo-whatsapp-access-token")
	}
	for _, name := range []string{"whatsapp_text.json", "whatsapp_media.json", "whatsapp_location_contacts.json"} {
		if code := s.deliver(t, "/whatsapp", fixture(t, name)); code != 200 {
			t.Fatalf("%s: %d", name, code)
		}
	}
	s.drain(t)
	c := s.conversationOf(t, helpdesk.ChannelWhatsApp)
	var stored int
	for _, m := range c.Messages {
		for _, a := range m.Attachments {
			if !strings.HasPrefix(a.Key, media.Key("whatsapp:"+s.demo.PhoneNumberID, "")) || a.Size == 0 {
				t.Fatalf("attachment not kept: %+v", a)
			}
			if _, err := s.r.S3().HeadObject(context.Background(), headInput(s.r.Stack.Buckets["MailBucket"], a.Key)); err != nil {
				t.Fatalf("%s not in the bucket: %v", a.Key, err)
			}
			stored++
		}
	}
	if len(c.Messages) != 8 || stored != 4 { // text, 4 media, location, contacts, button
		t.Fatalf("%d messages, %d stored media; want 8 and 4", len(c.Messages), stored)
	}

	// The customer wrote just now (the fixture's timestamps are old, so set
	// the ticket's clock to now for the 24 h window).
	tickettest.Edit(t, s.r.Store, c.Ticket.ID, func(tk *helpdesk.Ticket) { tk.LastCustomerMessageAt = time.Now().UTC() })
	svc := &desk.Service{Store: s.r.Store, Settings: settings.Fixed(helpdesk.DefaultSettings()), Now: time.Now}
	msg, jobs, err := svc.Reply(context.Background(), c.Ticket.ID, "alice", "Your order ships today.", "")
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range jobs {
		if err := s.r.Router.Outbound.Publish(context.Background(), b); err != nil {
			t.Fatal(err)
		}
	}
	s.drainOutbound(t)
	var wamid string
	for _, m := range s.r.Graph.Sent() {
		if m.Kind == graphfake.KindWhatsApp && m.Text == "Your order ships today." {
			wamid = m.MessageID
		}
	}
	if wamid == "" {
		t.Fatalf("reply not sent: %+v", s.r.Graph.Sent())
	}
	statuses := strings.ReplaceAll(fixture(t, "whatsapp_statuses.json"), "wamid.OUT1", wamid)
	if code := s.deliver(t, "/whatsapp", statuses); code != 200 {
		t.Fatalf("statuses: %d", code)
	}
	s.drain(t)
	conv, err := s.r.Store.GetTicket(context.Background(), c.Ticket.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range conv.Messages {
		if m.ID == msg.ID && (m.Status != helpdesk.StatusRead || m.ProviderMessageID != wamid) {
			t.Fatalf("reply status %s (%s), want read", m.Status, m.ProviderMessageID)
		}
	}
}

func headInput(bucket, key string) *s3.HeadObjectInput {
	return &s3.HeadObjectInput{Bucket: &bucket, Key: &key}
}
