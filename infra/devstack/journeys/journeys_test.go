// Package journeys_test drives the agent console (web/) in Debian's Chromium
// against the real local stack (localrun, as `make run` starts it, on
// DynamoDB Local and moto): the journeys of issue 13. Every page a journey
// reaches gets p.Check: a screenshot under .cache/artifacts/browser/<test>/
// and axe-core with no serious or critical violation.
//
// Lookups are by role and accessible name (browser.Role, browser.Label), so a
// journey reads like what an agent does, and a failed lookup prints the roles
// and names the page has instead.
package journeys_test

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/browser"
	"github.com/stackdesk/stackdesk/infra/devstack/localrun"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// The console's landmarks and controls, by role and accessible name: the one
// place to change when the console's wording changes.
var (
	emailField    = browser.Label("Email")
	passwordField = browser.Label("Password")
	signInButton  = browser.RoleMatching("button", `(?i)^(sign|log) ?in$`)
	viewsNav      = browser.Role("navigation", "Views")
)

// stack is a local stack serving the console at url.
type stack struct {
	r    *localrun.Runner
	demo localrun.Demo
	url  string
}

// startStack starts a local stack under a fresh prefix, seeded with the demo
// tenant, running as `make run` runs it (infra/local): the router, the
// outbound sender, the outbox relay and spam-cleanup polling in the
// background, so what a journey posts or mails becomes tickets and shows up
// live in the console. A journey mails in with s.r.DeliverMail.
func startStack(t testing.TB) stack { return startStackOn(t, false) }

// startStackOn is startStack; with portal, the portal's sign-in links point
// at the server the stack is served on (its address is taken first).
func startStackOn(t testing.TB, portal bool) stack {
	t.Helper()
	cfg := testbed.AWS(t, "DYNAMODB", "SQS", "S3", "SECRETS_MANAGER", "SESV2", testbed.CognitoService)
	ctx := context.Background()
	dist, err := localrun.ConsoleDist()
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	c := localrun.Config{Prefix: testbed.Name(t), Tenant: "demo",
		ReplyTokenSecret: []byte("journeys-test-reply-token-secret"),
		Log:              slog.New(slog.NewTextHandler(journeyLog(), nil)),
		RetryDelay:       time.Second, VisibilityTimeout: 2 * time.Second, ConsoleDir: dist}
	if portal {
		c.PortalURL = url
	}
	r, err := localrun.New(ctx, cfg, c)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	demo, err := r.Seed(ctx)
	if err != nil {
		ln.Close()
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(r.Handler())
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	pollCtx, stop := context.WithCancel(ctx)
	polled := make(chan struct{})
	go func() { defer close(polled); r.Poll(pollCtx) }()
	t.Cleanup(func() { stop(); <-polled })
	return stack{r: r, demo: demo, url: url}
}

// consoleBuilt skips the test when web/dist holds no built console (a
// checkout where `npm ci` and the build have not run), or fails it under
// STACKDESK_REQUIRE_CONSOLE (for make test, once it builds the console).
func consoleBuilt(t testing.TB) {
	t.Helper()
	root, err := browser.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "web", "dist", "index.html")); err != nil {
		msg := "the console is not built: no web/dist/index.html (build it in web/ with npm ci and npm run build)"
		if os.Getenv("STACKDESK_REQUIRE_CONSOLE") != "" {
			t.Fatal(msg + " [STACKDESK_REQUIRE_CONSOLE is set]")
		}
		t.Skip(msg)
	}
}

// start is what every journey begins with: the console built, a browser,
// and a local stack serving the console at /.
func start(t testing.TB) (stack, *browser.Browser) {
	t.Helper()
	consoleBuilt(t)
	b := browser.Start(t)
	s := startStack(t)
	resp, err := http.Get(s.url + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("localrun does not serve the console at /: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return s, b
}

// signIn signs an agent in on the console's sign-in page and waits for the
// sidebar.
func signIn(p *browser.Page, s stack, email string) {
	p.Goto(s.url + "/")
	p.Fill(emailField, email)
	p.Fill(passwordField, s.demo.Password)
	p.Click(signInButton)
	p.Wait(viewsNav)
}

// The seeded admin signs in with the stack's user pool and lands on the
// console, with the views in the sidebar, at 1280x800 and on a phone.
func TestSignIn(t *testing.T) {
	s, b := start(t)
	p := b.NewPage()
	began := time.Now()

	p.Goto(s.url + "/")
	p.Wait(emailField)
	p.Check("sign-in")

	p.Fill(emailField, s.demo.AgentEmails[0])
	p.Fill(passwordField, s.demo.Password)
	p.Click(signInButton)
	p.Wait(viewsNav)
	if p.Has(signInButton) {
		t.Error("the sign-in button is still there once signed in")
	}
	p.Check("signed-in")

	p.Narrow()
	p.Check("signed-in-narrow")
	t.Logf("sign-in journey: %s (chromium started in %s)", time.Since(began).Round(time.Millisecond), b.Started.Round(time.Millisecond))
}

// Issue 13's second journey: a form submission and a mail arrive while an
// agent has the console open, and both show up without a reload, with the
// sidebar's counts moving: the form (its channel routes to nobody) in
// Unassigned, the mail (routed to the only agent available) in My open.
func TestNewTicketsAppearLiveWithTheirCounts(t *testing.T) {
	s, b := start(t)
	ctx := context.Background()
	for _, id := range []string{"bob", "chloe"} {
		if _, err := s.r.Store.SetAway(ctx, id, true); err != nil {
			t.Fatal(err)
		}
	}
	form, err := s.r.Store.GetChannel(ctx, s.demo.FormChannelID)
	if err != nil {
		t.Fatal(err)
	}
	form.Routing = helpdesk.RoutingRule{Kind: helpdesk.RouteNobody}
	if err := s.r.Store.PutChannel(ctx, form); err != nil {
		t.Fatal(err)
	}
	p := b.NewPage()
	signIn(p, s, s.demo.AgentEmails[0]) // alice
	myOpen, unassigned := browser.CSS(`[data-view-count="my_open"]`), browser.CSS(`[data-view-count="unassigned"]`)
	mine, loose := count(p, myOpen), count(p, unassigned)
	browser.Eval[bool](p, `(window.stayedOnPage = true)`)

	resp, err := http.Post(s.url+"/forms/"+s.demo.FormChannelID, "application/json",
		strings.NewReader(`{"email":"ana@example.com","name":"Ana Lima","subject":"Wombat crate damaged","description":"The crate arrived broken."}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	mail := "From: Ben Ode <ben@example.com>\r\nTo: " + s.demo.EmailAddress + "\r\nSubject: Quokka invoice missing\r\n" +
		"Message-ID: <live-1@example.com>\r\nDate: Mon, 30 Nov 2026 09:00:00 +0000\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nWhere is my invoice?\r\n"
	if err := s.r.DeliverMail(ctx, "ben@example.com", []string{s.demo.EmailAddress}, []byte(mail)); err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	p.WaitTextIn(unassigned, fmt.Sprintf(`^%d\b`, loose+1))
	p.WaitTextIn(myOpen, fmt.Sprintf(`^%d\b`, mine+1))
	t.Logf("both counts moved %v after the mail was delivered", time.Since(began).Round(10*time.Millisecond))
	p.Click(browser.Role("link", "Unassigned"))
	p.WaitText("Wombat crate damaged")
	p.Check("unassigned-live")
	p.Click(browser.Role("link", "My open"))
	p.WaitText("Quokka invoice missing")
	p.Check("my-open-live")
	if !browser.Eval[bool](p, `window.stayedOnPage === true`) {
		t.Fatal("the page was reloaded")
	}
}

// count reads a sidebar count ("12", or "50+").
func count(p *browser.Page, l browser.Locator) int {
	m := p.WaitTextIn(l, `^(\d+)`)
	n, _ := strconv.Atoi(m[1])
	return n
}

// Signing out really signs out: the token the console held before is
// refused by the API afterwards (401 signed_out), not merely forgotten by
// the tab.
func TestSignOutRevokesTheTokens(t *testing.T) {
	s, b := start(t)
	p := b.NewPage()
	signIn(p, s, s.demo.AgentEmails[1]) // bob
	token := browser.Eval[string](p, `JSON.parse(sessionStorage.getItem("stackdesk.auth")).accessToken`)
	get := func() int {
		req, _ := http.NewRequest(http.MethodGet, s.url+"/api/me", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := get(); code != http.StatusOK {
		t.Fatalf("the console's token before signing out: %d", code)
	}
	p.Click(browser.Role("button", "Sign out"))
	p.Wait(emailField)
	p.Check("signed-out")
	if code := get(); code != http.StatusUnauthorized {
		t.Fatalf("the console's token after signing out: %d, want 401", code)
	}
	if has := browser.Eval[bool](p, `sessionStorage.getItem("stackdesk.auth") !== null`); has {
		t.Fatal("the tab still keeps the tokens")
	}
}
