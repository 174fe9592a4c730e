package journeys_test

// Issue 14: a WhatsApp customer (no email) gets the portal's sign-in link in
// their conversation, through the fake Graph API: asked for by number on the
// portal's page, and sent by an agent from the console ("Send portal link").
// The journey reads each link from localrun's /local/graph/sent (what the
// stack sent on WhatsApp, as the customer's phone shows it), opens it in
// Chromium on localrun's own portal (s.r.Portal, wired as portal-api is),
// and the customer reads and answers their ticket there.

import (
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/browser"
	"github.com/stackdesk/stackdesk/infra/devstack/graphfake"
	"github.com/stackdesk/stackdesk/infra/devstack/localrun"
	"github.com/stackdesk/stackdesk/shared/api/webhook"
	"github.com/stackdesk/stackdesk/shared/channel/meta"
)

// whatsAppWrites delivers Meta's sample text message (Sheena Nelson, from
// 16505551234: "Does it come in another color?"), written an hour ago, to
// the stack's WhatsApp webhook.
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

// waLink waits for the n-th WhatsApp text the stack sent (the fake Graph
// API's record, read from /local/graph/sent) that carries a portal sign-in
// link, and returns that message and the link.
func waLink(t *testing.T, s stack, n int) (graphfake.Sent, string) {
	t.Helper()
	var got graphfake.Sent
	eventually(t, "sign-in link #"+strconv.Itoa(n)+" on WhatsApp", func() bool {
		var sent []graphfake.Sent
		if getJSON(t, s.url+"/local/graph/sent", "", &sent) != http.StatusOK {
			return false
		}
		var links []graphfake.Sent
		for _, m := range sent {
			if m.Kind == graphfake.KindWhatsApp && strings.Contains(m.Text, localrun.PortalLinkBase(s.url)) {
				links = append(links, m)
			}
		}
		if len(links) < n {
			return false
		}
		got = links[n-1]
		return true
	})
	link := signInLink.FindString(got.Text)
	if link == "" {
		t.Fatalf("no sign-in link in %q", got.Text)
	}
	return got, link
}

var waCode = regexp.MustCompile(`code: (\d{6})`)

// The customer asks for access by number on the portal's page; the link
// comes in their WhatsApp conversation; they open it, see their ticket and
// answer it there; the answer lands in the ticket.
func TestWhatsAppCustomerAsksForThePortalByNumber(t *testing.T) {
	s, b := startPortal(t)
	whatsAppWrites(t, s)
	subject := waitWhatsAppTicket(t, s)

	p := b.NewPage()
	p.Timeout = 20 * time.Second
	p.Goto(s.url + "/portal/")
	p.Click(browser.Role("radio", "By WhatsApp"))
	p.Fill(browser.Label("WhatsApp number"), "+1 650 555 1234")
	p.Check("portal-sign-in-whatsapp")
	p.Click(sendLink)
	p.Wait(browser.Role("status", ""))
	p.WaitText("Open the link we sent you on WhatsApp.")
	p.Check("portal-link-sent-whatsapp")

	sent, link := waLink(t, s, 1)
	if sent.Recipient != "16505551234" || sent.RecipientType != "individual" {
		t.Fatalf("the link went to %+v", sent)
	}
	if waCode.FindString(sent.Text) == "" {
		t.Errorf("no code with the link: %q", sent.Text)
	}
	p.Goto(link)
	p.Wait(myRequests)
	p.WaitText(subject)
	p.Check("portal-whatsapp-tickets")
	p.Click(browser.Role("link", subject))
	p.Wait(browser.Role("heading", subject))
	p.WaitText("Does it come in another color?")
	p.Check("portal-whatsapp-ticket")

	typeInto(p, browser.Label("Your message"), "Blue would be perfect.")
	p.Click(browser.Role("button", "Send"))
	p.WaitTextIn(portalStatus, `^Sent\.$`)
	p.WaitText("Blue would be perfect.")
	p.Check("portal-whatsapp-answered")
	if !ticketHolds(t, s, "Blue would be perfect.") {
		t.Fatal("the answer is not in the WhatsApp ticket")
	}
}

// An agent sends the portal link from the console; it comes in the
// customer's conversation (and is not kept in it: it signs in as them); the
// customer opens it and answers in the portal.
func TestWhatsAppCustomerGetsThePortalLinkFromAnAgent(t *testing.T) {
	s, b := startPortal(t)
	onlyAvailable(t, s, "alice") // the WhatsApp channel's team rule assigns it to her
	whatsAppWrites(t, s)
	subject := waitWhatsAppTicket(t, s)

	agent := b.NewPage()
	signIn(agent, s, s.demo.AgentEmails[0])
	agent.Timeout = 20 * time.Second
	first := browser.CSS(`table.tickets tbody tr[data-ticket-id] a`)
	agent.Wait(first)
	agent.Click(first)
	agent.WaitText("Does it come in another color?")
	agent.Click(browser.Role("button", "Send portal link"))
	agent.WaitText("Portal sign-in link sent in the conversation.")
	agent.Check("console-portal-link-sent")

	sent, link := waLink(t, s, 1)
	if sent.Recipient != "16505551234" || sent.RecipientType != "individual" {
		t.Fatalf("the link went to %+v", sent)
	}
	// The conversation shows no link: it signs in as the customer.
	agent.Reload()
	agent.WaitText("Does it come in another color?")
	if strings.Contains(agent.Text(browser.Role("list", "Conversation")), "token=") {
		t.Fatal("the sign-in link shows in the agent's conversation")
	}

	p := b.NewPage()
	p.Timeout = 20 * time.Second
	p.Goto(link)
	p.Wait(myRequests)
	p.Click(browser.Role("link", subject))
	p.Wait(browser.Role("heading", subject))
	p.WaitText("Does it come in another color?")
	typeInto(p, browser.Label("Your message"), "Is there a green one?")
	p.Click(browser.Role("button", "Send"))
	p.WaitTextIn(portalStatus, `^Sent\.$`)
	p.Check("portal-whatsapp-answered")
	// The agent, still on the ticket, sees it without a reload.
	agent.WaitText("Is there a green one?")
	agent.Check("console-portal-answer")
}

// waitWhatsAppTicket waits for the ticket Meta's sample message opens and
// returns its subject.
func waitWhatsAppTicket(t *testing.T, s stack) string {
	t.Helper()
	var subject string
	eventually(t, "the WhatsApp ticket", func() bool {
		var out map[string][]struct {
			Subject   string `json:"subject"`
			ChannelID string `json:"channel_id"`
		}
		if getJSON(t, s.url+"/local/tickets", "", &out) != http.StatusOK {
			return false
		}
		for _, tk := range out["open"] {
			if strings.HasPrefix(tk.ChannelID, "whatsapp:") {
				subject = tk.Subject
				return true
			}
		}
		return false
	})
	if subject == "" {
		t.Fatal("the WhatsApp ticket has no subject")
	}
	return subject
}

// ticketHolds: some ticket's conversation has a message with this text.
func ticketHolds(t *testing.T, s stack, text string) bool {
	t.Helper()
	var out map[string][]struct {
		ID string `json:"id"`
	}
	getJSON(t, s.url+"/local/tickets", "", &out)
	for _, tk := range out["open"] {
		var v struct {
			Messages []struct {
				Text string `json:"text"`
			} `json:"messages"`
		}
		getJSON(t, s.url+"/local/tickets/"+tk.ID, "", &v)
		for _, m := range v.Messages {
			if m.Text == text {
				return true
			}
		}
	}
	return false
}
