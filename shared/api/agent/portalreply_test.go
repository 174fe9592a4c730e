package agent_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/api/portal"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// A WhatsApp customer with no email opened ticket 6 in the portal: an
// agent's reply answers 201 like any (held to openapi.yaml, delivery
// state in_portal), queues no reply job but a customer.chat notice into
// their WhatsApp conversation (inside the 24 h window), and the portal's
// GET /portal/api/tickets/6 shows it to the customer.
func TestAReplyToAPortalOnlyCustomerShowsInThePortal(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		ctx := context.Background()
		f := newDesk(t, b)
		wa := helpdesk.Channel{ID: "whatsapp:106540352242922", Kind: helpdesk.ChannelWhatsApp, Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"},
			WhatsApp: &helpdesk.WhatsAppSettings{PhoneNumberID: "106540352242922"}}
		pc := helpdesk.Channel{ID: helpdesk.PortalChannelID, Kind: helpdesk.ChannelPortal, Defaults: wa.Defaults}
		for _, ch := range []helpdesk.Channel{wa, pc} {
			if err := f.st.PutChannel(ctx, ch); err != nil {
				t.Fatal(err)
			}
		}
		sender := helpdesk.Sender{WhatsAppID: "16505551234", Name: "Sheena"}
		if err := f.st.CreateContact(ctx, helpdesk.Contact{ID: "c4", Name: "Sheena", WhatsAppID: sender.WhatsAppID}, sender.Key(helpdesk.ChannelWhatsApp)); err != nil {
			t.Fatal(err)
		}
		addChatTicket(t, f, "4", "c4", helpdesk.ChannelWhatsApp)
		m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelPortal, ChannelID: pc.ID,
			ProviderMessageID: "portal-" + strings.Repeat("0", 31) + "6", ReceivedAt: t0.Add(time.Minute), Sender: sender,
			Subject: "Invoice", Text: "Where is my invoice?", Portal: &helpdesk.PortalAction{ContactID: "c4"}}
		msg := helpdesk.Message{ID: "msg-6", Direction: helpdesk.Inbound, ChannelID: pc.ID, ChannelKind: helpdesk.ChannelPortal, Text: m.Text, CreatedAt: m.ReceivedAt}
		c, _ := ticket.Open(ticket.Arrival{ID: "6", Inbound: m, Message: msg, Channel: pc, ContactID: "c4", SenderKey: sender.Key(helpdesk.ChannelPortal)},
			helpdesk.DefaultSettings(), m.ReceivedAt)
		c.Ticket().TeamID = "A"
		if err := f.st.Commit(ctx, c); err != nil {
			t.Fatal(err)
		}

		const answer = "Your invoice is on your account page."
		r := f.do(t, "POST", "/api/tickets/6/replies", "bob", `{"text":"`+answer+`"}`)
		if r.status != 201 || r.body["status"] != string(helpdesk.StatusInPortal) || r.body["text"] != answer {
			t.Fatalf("reply: %d %s, want 201 in_portal", r.status, r.raw)
		}
		var notices []jobs.CustomerChat
		for _, body := range f.out.jobs {
			env, err := jobs.DecodeEnvelope(body)
			if err != nil {
				t.Fatal(err)
			}
			switch env.Kind {
			case jobs.KindReplyEmail, jobs.KindReplyChat:
				t.Fatalf("a %s job: the reply is sent on no channel", env.Kind)
			case jobs.KindCustomerChat:
				var j jobs.CustomerChat
				if err := env.Decode(&j); err != nil {
					t.Fatal(err)
				}
				notices = append(notices, j)
			}
		}
		if len(notices) != 1 || notices[0].TicketID != "6" || notices[0].ChannelID != wa.ID || notices[0].Kind != helpdesk.CustomerReply ||
			!strings.Contains(notices[0].Text, answer) {
			t.Fatalf("customer.chat jobs %+v, want the reply's notice on %s", notices, wa.ID)
		}
		// The console reads it back as any reply, delivery in_portal.
		if r := f.do(t, "GET", "/api/tickets/6", "bob", ""); r.status != 200 || !strings.Contains(r.raw, `"in_portal"`) {
			t.Fatalf("ticket: %d %s", r.status, r.raw)
		}

		// The customer signs in to the portal (a conversation link) and sees it.
		now := t0.Add(time.Hour)
		p := &portal.API{Store: f.st, Outbound: f.out, Key: []byte("test-portal-key-0123456789abcdef"), Log: quiet,
			Now: func() time.Time { return now }, LinkBase: "https://help.acme.example/portal/#/signin?token="}
		f.out.jobs = nil
		if err := p.SendConversationLink(ctx, "c4", "4"); err != nil {
			t.Fatal(err)
		}
		var link jobs.PortalAccess
		for _, body := range f.out.jobs {
			if env, _ := jobs.DecodeEnvelope(body); env.Kind == jobs.KindPortalAccess {
				_ = env.Decode(&link)
			}
		}
		mux := http.NewServeMux()
		p.Register(mux)
		srv := httptest.NewServer(mux)
		defer srv.Close()
		tok, _ := url.QueryUnescape(strings.TrimPrefix(link.Link, p.LinkBase))
		resp, err := http.Post(srv.URL+"/portal/api/session", "application/json", strings.NewReader(`{"token":"`+tok+`"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 201 {
			t.Fatalf("session: %d", resp.StatusCode)
		}
		req, _ := http.NewRequest("GET", srv.URL+"/portal/api/tickets/6", nil)
		for _, ck := range resp.Cookies() {
			req.AddCookie(ck)
		}
		got, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer got.Body.Close()
		raw, _ := io.ReadAll(got.Body)
		var pm struct {
			Messages []map[string]any `json:"messages"`
		}
		if got.StatusCode != 200 || json.Unmarshal(raw, &pm) != nil {
			t.Fatalf("portal ticket: %d %s", got.StatusCode, raw)
		}
		var shown bool
		for _, m := range pm.Messages {
			shown = shown || (m["from"] == "agent" && m["text"] == answer)
		}
		if !shown || len(pm.Messages) != 2 {
			t.Fatalf("portal messages %s, want the question and the agent's answer", raw)
		}
	})
}
