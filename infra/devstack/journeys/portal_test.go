// Issue 14's customer journeys in Chromium: the customer portal (web/portal,
// served by localrun at /portal/) and the help button (help.js) on a tenant's
// website of another origin. The sign-in mail goes through the outbound
// queue to moto's SES, where the journey reads the link as a customer would.
//
// Every route the journeys use is served by localrun's portal-api (built
// by wire.PortalAPI on the stack's PortalSecret, ingest queue and bucket):
// nothing skips.
package journeys_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/jhillyerd/enmime/v2"

	"github.com/stackdesk/stackdesk/infra/devstack/browser"
	"github.com/stackdesk/stackdesk/infra/devstack/localrun"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
)

// The portal's landmarks and controls, by role and accessible name.
var (
	portalEmail   = browser.Label("Email")
	sendLink      = browser.Role("button", "Send me a link")
	myRequests    = browser.Role("heading", "My requests")
	portalSignOut = browser.Role("button", "Sign out")
	helpButton    = browser.Role("button", "Help")
	helpDialog    = browser.Role("dialog", "Help")
)

// startPortal starts a local stack as startStack does, with the portal's
// sign-in links pointing at the server it is served on.
func startPortal(t *testing.T) (stack, *browser.Browser) {
	t.Helper()
	consoleBuilt(t)
	root, err := browser.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "web", "dist", "portal", "help.js")); err != nil {
		t.Fatal("the portal is not built (web/dist/portal): make web builds it with the console")
	}
	b := browser.Start(t)
	return startStackOn(t, true), b
}

// customer is an address of this test only (moto's SES is shared).
func customer(t *testing.T, who string) string {
	return strings.ToLower(who + "-" + testbed.Name(t) + "@example.com")
}

// mailIn writes to the support address from addr and waits for the ticket;
// it returns the ticket's id.
func mailIn(t *testing.T, s stack, addr, subject, body string) string {
	t.Helper()
	deliver(t, s, addr, strings.ReplaceAll(subject, " ", "-")+"-"+testbed.Name(t)+"@example.com", subject, body)
	return waitTicket(t, s, subject).ID
}

// agentReplies answers a ticket as the demo admin (Alice Martin) through
// the agent API.
func agentReplies(t *testing.T, s stack, id, text string) {
	t.Helper()
	tok := token(t, s, s.demo.AgentEmails[0], s.demo.Password)
	if code, out := call(t, s, "POST", "/api/tickets/"+id+"/replies", tok, `{"text":`+jsString(text)+`}`); code != 200 && code != 201 {
		t.Fatalf("agent reply: %d %v", code, out)
	}
}

var signInLink = regexp.MustCompile(`https?://[^\s"<>]+/portal/#/signin\?token=[A-Za-z0-9._-]+`)

var signInCode = regexp.MustCompile(`code: (\d{6})`)

// signInMail waits for the sign-in mail to addr in moto's SES (the n-th
// one) and returns its link.
func signInMail(t *testing.T, addr string, n int) string {
	link, _ := signInLinkAndCode(t, addr, n)
	return link
}

// signInLinkAndCode is signInMail's link and the mail's 6-digit code.
func signInLinkAndCode(t *testing.T, addr string, n int) (link, code string) {
	t.Helper()
	eventually(t, "the sign-in mail to "+addr, func() bool {
		mails := testbed.SentMail(t, func(m testbed.SESMessage) bool {
			return strings.Contains(m.RawData, "<"+addr+">") && strings.Contains(m.RawData, "Your sign-in link")
		})
		if len(mails) < n {
			return false
		}
		env, err := enmime.ReadEnvelope(strings.NewReader(mails[n-1]))
		if err != nil {
			t.Fatalf("the sign-in mail: %v", err)
		}
		link = signInLink.FindString(env.Text)
		m := signInCode.FindStringSubmatch(env.Text)
		if link == "" || m == nil {
			t.Fatalf("no sign-in link or code in the mail:\n%s", env.Text)
		}
		code = m[1]
		return true
	})
	return link, code
}

// signInByMail asks for a link in the portal and opens it from the mail.
func signInByMail(t *testing.T, s stack, p *browser.Page, addr string, n int) {
	t.Helper()
	p.Goto(s.url + "/portal/")
	p.Fill(portalEmail, addr)
	p.Click(sendLink)
	p.Wait(browser.Role("status", ""))
	p.Goto(signInMail(t, addr, n))
	p.Wait(myRequests)
}

// A customer who wrote in by mail asks for a link, opens it from the mail in
// moto's SES, sees their ticket with who answered, reads it, and signs out:
// the session is refused afterwards, and the used link does not work again.
// An unknown address gets the same confirmation and no mail.
func TestPortalCustomerSignsInByMailedLinkAndReadsTheirTicket(t *testing.T) {
	s, b := startPortal(t)
	ann := customer(t, "ann")
	id := mailIn(t, s, ann, "Wombat crate damaged", "The crate arrived broken.")
	agentReplies(t, s, id, "Sorry about that: a new crate ships today.")

	p := b.NewPage()
	p.Goto(s.url + "/portal/")
	p.Wait(portalEmail)
	p.Check("portal-sign-in")

	// The same confirmation for an unknown address and a known one.
	stranger := customer(t, "nobody")
	p.Fill(portalEmail, stranger)
	p.Click(sendLink)
	unknown := p.Text(browser.Role("status", ""))
	p.Check("portal-link-sent")
	p.Click(browser.Role("button", "Use another address"))
	p.Fill(portalEmail, ann)
	p.Click(sendLink)
	if known := p.Text(browser.Role("status", "")); known != unknown {
		t.Errorf("the confirmation differs: known %q, unknown %q", known, unknown)
	}
	link := signInMail(t, ann, 1)
	if got := testbed.SentMail(t, func(m testbed.SESMessage) bool { return strings.Contains(m.RawData, stranger) }); len(got) != 0 {
		t.Errorf("an unknown address was mailed: %d mails", len(got))
	}

	p.Goto(link)
	p.Wait(myRequests)
	p.WaitText("Wombat crate damaged")
	// Who answered, and when, shows in the list.
	p.WaitText("Answered by Alice Martin")
	session := browser.Eval[string](p, `JSON.parse(localStorage.getItem("stackdesk.portal.session")).session`)
	if strings.Contains(p.Location(), "token=") {
		t.Errorf("the link's token stays in the address bar: %s", p.Location())
	}
	p.Check("portal-tickets")
	// Search: a word of no ticket finds none; a word only in the
	// conversation's body (not the subject) finds the ticket.
	search := browser.Label("Search your requests")
	p.Fill(search, "zebrafish")
	p.Click(browser.Role("button", "Search"))
	p.WaitText("No request matches “zebrafish”.")
	// (chromedp's Clear leaves a Vue-bound search box as it was: emptied
	// as a person would, select all and type over.)
	p.Click(search)
	browser.Eval[bool](p, `(document.getElementById("q").select(), true)`)
	p.Press("broken")
	p.Click(browser.Role("button", "Search"))
	p.Wait(browser.Role("link", "Wombat crate damaged"))
	p.Check("portal-search-body")
	p.Click(search)
	browser.Eval[bool](p, `(document.getElementById("q").select(), true)`)
	p.Press(kb.Delete)
	p.Click(browser.Role("button", "Search"))
	p.WaitText("Answered by Alice Martin")
	p.Click(browser.Role("tab", "Closed"))
	p.WaitText("No requests here yet.")
	p.Click(browser.Role("tab", "Open"))
	p.WaitText("Wombat crate damaged")

	p.Click(browser.Role("link", "Wombat crate damaged"))
	p.Wait(browser.Role("heading", "Wombat crate damaged"))
	p.WaitText("The crate arrived broken.")
	p.WaitText("a new crate ships today")
	p.Wait(browser.RoleMatching("heading", `^Alice Martin answered`))
	p.Wait(browser.RoleMatching("heading", `^You wrote`))
	p.Check("portal-ticket")
	p.Narrow()
	p.Check("portal-ticket-narrow")
	p.Desktop()

	if code := getJSON(t, s.url+"/portal/api/tickets", session, nil); code != http.StatusOK {
		t.Fatalf("the portal's session before signing out: %d", code)
	}
	p.Click(portalSignOut)
	p.Wait(portalEmail)
	p.Check("portal-signed-out")
	if code := getJSON(t, s.url+"/portal/api/tickets", session, nil); code != http.StatusUnauthorized {
		t.Errorf("the session after signing out: %d, want 401", code)
	}
	if browser.Eval[bool](p, `localStorage.getItem("stackdesk.portal.session") !== null`) {
		t.Error("the portal still keeps the session")
	}
	p.Goto(link)
	p.WaitText("This link has expired or was already used")
	p.Check("portal-link-used")
}

// The help button on a tenant's website (another origin than the portal):
// one script tag adds it; it opens the portal in a dialog (axe passes), Esc
// closes it and the focus is back on the button. Its badge frame answers
// across the origins: the number of answered tickets since the customer's
// last visit once GET /portal/api/me is served, 0 before.
func TestHelpButtonOnAnotherOrigin(t *testing.T) {
	s, b := startPortal(t)
	site := httptest.NewServer(localrun.DemoSite(s.url))
	t.Cleanup(site.Close)
	if strings.HasPrefix(site.URL, s.url) || site.URL == s.url {
		t.Fatal("the demo site must be another origin")
	}
	ann := customer(t, "ann")
	id := mailIn(t, s, ann, "Quokka invoice missing", "Where is my invoice?")
	p := b.NewPage()
	// This time with the mailed code: the list is shown, a visit.
	p.Goto(s.url + "/portal/")
	p.Fill(portalEmail, ann)
	p.Click(sendLink)
	_, code := signInLinkAndCode(t, ann, 1)
	p.Fill(browser.Label("6-digit code"), code)
	p.Click(browser.Role("button", "Sign in"))
	p.Wait(myRequests)
	p.WaitText("Quokka invoice missing")
	agentReplies(t, s, id, "Here it is.")
	want := "1"

	p.Goto(site.URL + "/demo-site.html")
	p.Wait(helpButton)
	// The badge frame answered (help.js keeps the count it accepted).
	eventually(t, "the badge frame's answer", func() bool {
		return browser.Eval[bool](p, `document.querySelector("[data-stackdesk-help]")?.dataset.replies !== undefined`)
	})
	if n := browser.Eval[string](p, `document.querySelector("[data-stackdesk-help]").dataset.replies`); n != want {
		t.Errorf("the badge's count: %q, want %q", n, want)
	}
	p.Check("help-button")

	p.Click(helpButton)
	p.Wait(helpDialog)
	p.Wait(browser.Role("button", "Close help"))
	p.Check("help-panel")
	p.Press(kb.Escape)
	p.WaitGone(helpDialog)
	if !browser.Eval[bool](p, `document.querySelector("[data-stackdesk-help]").shadowRoot.activeElement?.classList.contains("btn")`) {
		t.Error("the focus is not back on the Help button after Esc")
	}
	// Esc pressed inside the portal's frame (where the page never sees the
	// key): the portal asks the page, across the origins, to close.
	p.Click(helpButton)
	p.Wait(helpDialog)
	eventually(t, "the portal in the panel", func() bool {
		return browser.Eval[bool](p, `(() => { const f = document.querySelector("[data-stackdesk-help]").shadowRoot.querySelector("dialog iframe");
  try { f.contentWindow.focus(); f.focus(); } catch (e) {} return document.activeElement === document.querySelector("[data-stackdesk-help]") && document.querySelector("[data-stackdesk-help]").shadowRoot.activeElement === f; })()`)
	})
	eventually(t, "the portal's Esc to close the panel", func() bool {
		p.Press(kb.Escape) // again while the portal in the frame is still loading
		return browser.Eval[bool](p, `!document.querySelector("[data-stackdesk-help]").shadowRoot.querySelector("dialog").open`)
	})
	if !browser.Eval[bool](p, `document.querySelector("[data-stackdesk-help]").shadowRoot.activeElement?.classList.contains("btn")`) {
		t.Error("the focus is not back on the Help button after Esc in the panel")
	}
	p.Click(helpButton)
	p.Wait(helpDialog)
	p.Click(browser.Role("button", "Close help"))
	p.WaitGone(helpDialog)
}

// Issue 14's main journey for an email customer, with the assigned agent
// (Bob) watching the ticket in the console in another page: the customer
// replies from the portal with a file (uploaded by the browser to moto's S3
// with the presigned POST), the reply lands in the ticket through the
// router, shows in Bob's open ticket page without a reload, and Bob's bell
// says the customer wrote. Then the customer closes, reopens, answers and
// closes again, and rates the ticket: the rating shows in the portal and on
// Bob's ticket page.
func TestPortalCustomerRepliesWithAFileClosesReopensAndRates(t *testing.T) {
	s, b := startPortal(t)
	onlyAvailable(t, s, "bob") // the support address's rule assigns to the team's available agents
	ann := customer(t, "ann")
	subject := "Printer on fire"
	id := mailIn(t, s, ann, subject, "Flames everywhere.")
	if owner := header(t, s, id).OwnerID; owner != "bob" {
		t.Fatalf("the ticket is assigned to %q, want bob", owner)
	}

	bob := b.NewPage()
	signIn(bob, s, s.demo.AgentEmails[1])
	bob.Timeout = 20 * time.Second
	bob.Click(ticketLink(subject))
	bob.Wait(ticketHeading(subject))
	bob.WaitText("Flames everywhere.")
	browser.Eval[bool](bob, `(window.stayedOnPage = true)`)
	wrote := browser.RoleMatching("link", `^The customer wrote on #\d+ `+regexp.QuoteMeta(subject)+`$`)

	p := b.NewPage()
	p.Timeout = 20 * time.Second
	signInByMail(t, s, p, ann, 1)
	p.Click(browser.Role("link", subject))
	p.Wait(browser.Role("heading", subject))

	file := filepath.Join(t.TempDir(), "photo.txt")
	if err := os.WriteFile(file, []byte("a photo of the fire\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	typeInto(p, browser.Label("Your message"), "Here is a photo.")
	if _, err := chromedp.Run(p.Context(), chromedp.SetUploadFiles("#reply-files", []string{file})); err != nil {
		t.Fatal(err)
	}
	p.WaitTextIn(browser.Role("list", "Files to send"), `photo\.txt`)
	p.Click(browser.Role("button", "Send"))
	p.WaitTextIn(portalStatus, `^Sent\.$`)
	p.WaitText("Here is a photo.")
	p.Wait(browser.Role("link", "photo.txt"))
	p.Check("portal-replied")

	// The file is the customer's, in the bucket, and the agent reads it.
	var view struct {
		Messages []struct {
			Text        string `json:"text"`
			Attachments []struct {
				Name string `json:"name"`
				Key  string `json:"key"`
			} `json:"attachments"`
		} `json:"messages"`
	}
	if code := getJSON(t, s.url+"/local/tickets/"+id, "", &view); code != http.StatusOK {
		t.Fatalf("the ticket: %d", code)
	}
	last := view.Messages[len(view.Messages)-1]
	if last.Text != "Here is a photo." || len(last.Attachments) != 1 || last.Attachments[0].Name != "photo.txt" ||
		!strings.HasPrefix(last.Attachments[0].Key, "attachments/portal/") {
		t.Fatalf("the ticket's last message: %+v", last)
	}

	// Bob sees it live, with the file, and his bell says the customer wrote.
	began := time.Now()
	bob.WaitText("Here is a photo.")
	t.Logf("the portal reply showed in the console %v after it landed, without a reload", time.Since(began).Round(10*time.Millisecond))
	bob.WaitText("photo.txt")
	// Both sides download the file through their short-lived links.
	for who, pg := range map[string]*browser.Page{"the customer": p, "the agent": bob} {
		href := browser.Eval[string](pg, `[...document.querySelectorAll("a")].find(a => a.textContent.trim() === "photo.txt")?.href ?? ""`)
		if got := download(t, href); got != "a photo of the fire\n" {
			t.Errorf("%s downloads %q from %s", who, got, href)
		}
	}
	if !browser.Eval[bool](bob, `window.stayedOnPage === true`) {
		t.Fatal("the console page was reloaded")
	}
	bob.Click(browser.RoleMatching("button", `^Notifications, [1-9]\d* unread$`))
	bob.Wait(wrote)
	bob.Check("console-portal-reply")
	bob.Press(kb.Escape)

	p.Click(browser.Role("button", "Close request"))
	p.Wait(browser.Role("button", "Reopen"))
	p.WaitTextIn(portalStatus, `^Closed\.$`)
	p.Check("portal-closed")
	p.Click(browser.Role("button", "Reopen"))
	p.Wait(browser.Role("button", "Close request"))
	p.WaitTextIn(portalStatus, `^Reopened\.$`)

	typeInto(p, browser.Label("Your message"), "All good now, thanks.")
	p.Click(browser.Role("button", "Send and close"))
	p.WaitText("All good now, thanks.")
	p.Wait(browser.Role("button", "Reopen"))
	p.Wait(browser.Role("heading", "How did we do?"))
	p.Check("portal-rate")
	p.Click(browser.Role("radio", "4"))
	typeInto(p, browser.Label("Anything to add? (optional)"), "Fast, but the fire spread.")
	p.Click(browser.Role("button", "Send rating"))
	p.WaitText("You rated this 4 out of 5")
	p.WaitText("Fast, but the fire spread.")
	p.Check("portal-rated")

	// The rating changes nothing else on the ticket: Bob sees it once he
	// opens the ticket again.
	bob.Reload()
	bob.Wait(ticketHeading(subject))
	bob.Wait(browser.Role("heading", "Satisfaction"))
	bob.WaitText("4 of 5")
	bob.WaitText("Fast, but the fire spread.")
	bob.Check("console-rating")
}

// download reads a file link's body ("" when it is refused).
func download(t *testing.T, href string) string {
	t.Helper()
	if href == "" {
		return ""
	}
	resp, err := http.Get(href)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return ""
	}
	return string(b)
}

// portalStatus is the ticket page's live status line ("Sent.", "Closed.").
var portalStatus = browser.CSS("main span[role=status]")

// Rating a closed ticket: the form while it can be rated, the rating after.
func TestPortalCustomerRatesAClosedTicket(t *testing.T) {
	s, b := startPortal(t)
	ann := customer(t, "ann")
	mailIn(t, s, ann, "Broken kettle", "It leaks.")
	p := b.NewPage()
	signInByMail(t, s, p, ann, 1)
	p.Click(browser.Role("link", "Broken kettle"))
	p.Click(browser.Role("button", "Close request"))
	p.Wait(browser.Role("heading", "How did we do?"))
	p.Check("portal-rate")
	p.Click(browser.Role("radio", "5 (great)"))
	typeInto(p, browser.Label("Anything to add? (optional)"), "Quick and kind.")
	p.Click(browser.Role("button", "Send rating"))
	p.WaitText("You rated this 5 out of 5")
	p.WaitText("Quick and kind.")
	p.Check("portal-rated")
	p.Reload()
	p.WaitText("You rated this 5 out of 5")
}

// A new ticket from the portal, with a file: routed by the portal channel's
// rule (the seeded team rule: Chloé, the only one available), it opens in
// the portal once its receipt says it landed.
func TestPortalCustomerOpensANewTicket(t *testing.T) {
	s, b := startPortal(t)
	onlyAvailable(t, s, "chloe")
	ann := customer(t, "ann")
	mailIn(t, s, ann, "First question", "Hello.")
	p := b.NewPage()
	p.Timeout = 20 * time.Second
	signInByMail(t, s, p, ann, 1)
	p.Click(browser.Role("link", "New request"))
	p.Wait(browser.Role("heading", "New request"))
	p.Check("portal-new")
	p.Fill(browser.Label("Subject"), "Second question")
	typeInto(p, browser.Label("Description"), "Do you ship to Tasmania?")
	file := filepath.Join(t.TempDir(), "map.txt")
	if err := os.WriteFile(file, []byte("Hobart\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(p.Context(), chromedp.SetUploadFiles("#new-files", []string{file})); err != nil {
		t.Fatal(err)
	}
	p.WaitTextIn(browser.Role("list", "Files to send"), `map\.txt`)
	p.Click(browser.Role("button", "Send request"))
	p.Wait(browser.Role("heading", "Second question"))
	p.WaitText("Do you ship to Tasmania?")
	p.Wait(browser.Role("link", "map.txt"))
	p.Check("portal-new-opened")
	id := strings.TrimPrefix(p.Location()[strings.Index(p.Location(), "#"):], "#/tickets/")
	var v struct {
		Ticket struct {
			OwnerID   string `json:"owner_id"`
			ChannelID string `json:"channel_id"`
		} `json:"ticket"`
	}
	if code := getJSON(t, s.url+"/local/tickets/"+id, "", &v); code != http.StatusOK {
		t.Fatalf("the new ticket %q: %d", id, code)
	}
	if v.Ticket.ChannelID != "portal" || v.Ticket.OwnerID != "chloe" {
		t.Errorf("the new ticket: channel %q owner %q, want the portal channel and chloe (its rule)", v.Ticket.ChannelID, v.Ticket.OwnerID)
	}
	p.Click(browser.Role("link", "My requests"))
	p.WaitText("Second question")
}

// eventually polls ok until it holds, failing the test after 30 s.
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); !ok(); {
		if time.Now().After(end) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func getJSON(t *testing.T, url, bearer string, out any) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil && resp.StatusCode < 300 {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.URL, err)
		}
	}
	return resp.StatusCode
}

// journeyLog is the local stack's log: discarded, or on stderr with
// STACKDESK_JOURNEY_LOG=1 (to see why the router filtered an action).
func journeyLog() io.Writer {
	if os.Getenv("STACKDESK_JOURNEY_LOG") != "" {
		return os.Stderr
	}
	return io.Discard
}
