package agent_test

import (
	"context"
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

// addChatTicket opens ticket id in team A from a Messenger or WhatsApp
// customer (contact cid) who wrote at t0.
func addChatTicket(t *testing.T, f *fixture, id, cid string, kind helpdesk.ChannelKind) {
	t.Helper()
	ch := helpdesk.Channel{ID: "whatsapp:106540352242922", Kind: kind, Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"},
		WhatsApp: &helpdesk.WhatsAppSettings{PhoneNumberID: "106540352242922"}}
	sender := helpdesk.Sender{WhatsAppID: "16505551234"}
	if kind == helpdesk.ChannelMessenger {
		ch = helpdesk.Channel{ID: "messenger:106907411778215", Kind: kind, Defaults: ch.Defaults,
			Messenger: &helpdesk.MessengerSettings{PageID: "106907411778215"}}
		sender = helpdesk.Sender{PageID: "106907411778215", PSID: "3163874143641178"}
	}
	m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: kind, ChannelID: ch.ID, ProviderMessageID: "wamid." + id,
		ReceivedAt: t0, Sender: sender, Text: "Help with " + id}
	msg := helpdesk.Message{ID: "msg-" + id, Direction: helpdesk.Inbound, ChannelID: ch.ID, ChannelKind: kind, Text: m.Text, CreatedAt: t0}
	c, _ := ticket.Open(ticket.Arrival{ID: id, Inbound: m, Message: msg, Channel: ch, ContactID: cid, SenderKey: sender.Key(kind)},
		helpdesk.DefaultSettings(), t0)
	c.Ticket().TeamID = "A"
	if err := f.st.Commit(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

// POST /api/tickets/{id}/portal-link: a fresh sign-in link made by the
// portal's own grant (it opens a portal session once), queued for the
// ticket's conversation inside the reply window; 409 outside_window after
// it (injected clock), 400 on an email ticket, 403 for a viewer, 503 when
// the desk has no portal. Every answer is held to openapi.yaml.
func TestPortalLinkInAChatConversation(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		addChatTicket(t, f, "4", "c4", helpdesk.ChannelWhatsApp)
		addChatTicket(t, f, "5", "c5", helpdesk.ChannelMessenger)
		now := t0.Add(time.Hour)
		clock := func() time.Time { return now }
		p := &portal.API{Store: f.st, Outbound: f.out, Key: []byte("test-portal-key-0123456789abcdef"), Log: quiet, Now: clock,
			LinkBase: "https://help.acme.example/portal/#/signin?token="}
		f.api.Now = clock
		f.api.PortalLinks = p
		portalJobs := func() []jobs.PortalAccess {
			var out []jobs.PortalAccess
			for _, body := range f.out.jobs {
				env, err := jobs.DecodeEnvelope(body)
				if err != nil || env.Kind != jobs.KindPortalAccess {
					continue
				}
				var j jobs.PortalAccess
				if err := env.Decode(&j); err != nil {
					t.Fatal(err)
				}
				out = append(out, j)
			}
			return out
		}

		r := f.do(t, "POST", "/api/tickets/4/portal-link", "bob", "")
		if r.status != 202 || r.body["status"] != "queued" {
			t.Fatalf("whatsapp, 1 h: %d %s", r.status, r.raw)
		}
		js := portalJobs()
		if len(js) != 1 || js[0].TicketID != "4" || js[0].ContactID != "c4" || js[0].Code != "" || js[0].ToEmail != "" {
			t.Fatalf("jobs %+v", js)
		}
		// The link is the portal's: it opens one session.
		mux := http.NewServeMux()
		p.Register(mux)
		srv := httptest.NewServer(mux)
		defer srv.Close()
		tok, _ := url.QueryUnescape(strings.TrimPrefix(js[0].Link, p.LinkBase))
		for i, want := range []int{201, 401} {
			resp, err := http.Post(srv.URL+"/portal/api/session", "application/json", strings.NewReader(`{"token":"`+tok+`"}`))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != want {
				t.Fatalf("the link, try %d: %d, want %d", i+1, resp.StatusCode, want)
			}
		}

		if r := f.do(t, "POST", "/api/tickets/4/portal-link", "vic", ""); r.status != 403 {
			t.Fatalf("a viewer: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/2/portal-link", "bob", ""); r.status != 404 {
			t.Fatalf("a ticket bob cannot see: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/1/portal-link", "bob", ""); r.status != 400 || reason(r) != "not_chat_ticket" {
			t.Fatalf("an email ticket: %d %s", r.status, r.raw)
		}
		now = t0.Add(25 * time.Hour)
		if r := f.do(t, "POST", "/api/tickets/4/portal-link", "bob", ""); r.status != 409 || reason(r) != "outside_window" {
			t.Fatalf("whatsapp, 25 h: %d %s", r.status, r.raw)
		}
		// Messenger: an agent's link goes up to 7 days, as their replies.
		now = t0.Add(72 * time.Hour)
		if r := f.do(t, "POST", "/api/tickets/5/portal-link", "ann", ""); r.status != 202 {
			t.Fatalf("messenger, 3 days: %d %s", r.status, r.raw)
		}
		now = t0.Add(7*24*time.Hour + time.Minute)
		if r := f.do(t, "POST", "/api/tickets/5/portal-link", "ann", ""); r.status != 409 || reason(r) != "outside_window" {
			t.Fatalf("messenger, 7 days: %d %s", r.status, r.raw)
		}
		if n := len(portalJobs()); n != 2 {
			t.Fatalf("%d links queued, want 2 (refusals queue nothing)", n)
		}
		now = t0.Add(time.Hour)
		f.api.PortalLinks = nil
		if r := f.do(t, "POST", "/api/tickets/4/portal-link", "bob", ""); r.status != 503 {
			t.Fatalf("no portal: %d %s", r.status, r.raw)
		}
	})
}
