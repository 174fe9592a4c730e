package journeys_test

// Issue 14: a WhatsApp customer (no email) gets the portal's sign-in link in
// their conversation, through the fake Graph API: sent by an agent from the
// console ("Send portal link"), and asked for by number on the portal. Each
// link opens a portal session. The portal is not yet wired into localrun,
// so the journey mounts portal.API itself on the stack's table and outbound
// queue.

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/browser"
	"github.com/stackdesk/stackdesk/infra/devstack/graphfake"
	"github.com/stackdesk/stackdesk/shared/api/portal"
	"github.com/stackdesk/stackdesk/shared/api/webhook"
	"github.com/stackdesk/stackdesk/shared/channel/meta"
)

const journeyLinkBase = "https://help.demo.example/portal/#/signin?token="

// whatsAppWrites delivers Meta's sample text message (from 16505551234),
// written an hour ago, to the stack's WhatsApp webhook.
func whatsAppWrites(t *testing.T, s stack) {
	t.Helper()
	raw, err := os.ReadFile("../../../shared/channel/meta/testdata/whatsapp_text.json")
	if err != nil {
		t.Fatal(err)
	}
	body := strings.Replace(string(raw), `"1749416383"`, strconv.Quote(strconv.FormatInt(time.Now().Add(-time.Hour).Unix(), 10)), 1)
	req, _ := http.NewRequest(http.MethodPost, s.url+"/whatsapp", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(meta.SignatureHeader, webhook.SignSHA256(s.demo.MetaAppSecret, []byte(body)))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("the WhatsApp webhook answered %d", resp.StatusCode)
	}
}

// waitLinkSent waits for the n-th WhatsApp text the fake Graph API accepted
// that carries a sign-in link, and returns it.
func waitLinkSent(t *testing.T, s stack, n int) graphfake.Sent {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		var links []graphfake.Sent
		for _, m := range s.r.Graph.Sent() {
			if m.Kind == graphfake.KindWhatsApp && strings.Contains(m.Text, journeyLinkBase) {
				links = append(links, m)
			}
		}
		if len(links) >= n {
			return links[n-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no sign-in link #%d sent on WhatsApp after 20 s (sent: %+v)", n, s.r.Graph.Sent())
		}
	}
}

var linkToken = regexp.MustCompile(regexp.QuoteMeta(journeyLinkBase) + `(\S+)`)

func postStatus(t *testing.T, u, body string) int {
	t.Helper()
	resp, err := http.Post(u, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestWhatsAppCustomerGetsThePortalLinkInTheirConversation(t *testing.T) {
	s, b := start(t)
	pa := &portal.API{Store: s.r.Store, Outbound: s.r.Agent.Outbound, Key: []byte("journeys-portal-key-0123456789ab"),
		LinkBase: journeyLinkBase, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	s.r.Agent.PortalLinks = pa
	mux := http.NewServeMux()
	pa.Register(mux)
	portalSrv := httptest.NewServer(mux)
	defer portalSrv.Close()

	whatsAppWrites(t, s)
	p := b.NewPage()
	signIn(p, s, s.demo.AgentEmails[0])
	p.Timeout = 20 * time.Second
	first := browser.CSS(`table.tickets tbody tr[data-ticket-id] a`)
	p.Wait(first)
	p.Click(first)
	p.WaitText("Does it come in another color?")
	p.Click(browser.Role("button", "Send portal link"))
	p.WaitText("Portal sign-in link sent in the conversation.")
	p.Check("portal-link-sent")

	sent := waitLinkSent(t, s, 1)
	if sent.Recipient != "16505551234" || sent.RecipientType != "individual" {
		t.Fatalf("the link went to %+v", sent)
	}
	m := linkToken.FindStringSubmatch(sent.Text)
	tok, err := url.QueryUnescape(m[1])
	if err != nil {
		t.Fatal(err)
	}
	if got := postStatus(t, portalSrv.URL+"/portal/api/session", `{"token":"`+tok+`"}`); got != 201 {
		t.Fatalf("the agent's link opens no session: %d", got)
	}
	// The conversation shows no link: it signs in as the customer.
	p.Reload()
	p.WaitText("Does it come in another color?")
	if strings.Contains(p.Text(browser.Role("list", "Conversation")), journeyLinkBase) {
		t.Fatal("the sign-in link shows in the agent's conversation")
	}

	// The customer asks on the portal by number: link and code in WhatsApp.
	if got := postStatus(t, portalSrv.URL+"/portal/api/access", `{"phone":"+1 650 555 1234"}`); got != 202 {
		t.Fatalf("access by phone: %d", got)
	}
	sent = waitLinkSent(t, s, 2)
	code := regexp.MustCompile(`code: (\d{6})`).FindStringSubmatch(sent.Text)
	if code == nil {
		t.Fatalf("no code in %q", sent.Text)
	}
	if got := postStatus(t, portalSrv.URL+"/portal/api/session", `{"phone":"+16505551234","code":"`+code[1]+`"}`); got != 201 {
		t.Fatalf("the WhatsApp code opens no session: %d", got)
	}
}
