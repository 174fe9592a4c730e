package journeys_test

// Issue 13's admin and property journeys: an admin changes a channel's
// routing rule in the console and the next ticket follows it; two agents
// edit one ticket's properties at once and the second is refused, seeing
// the first one's change; an agent of another team sees none of Support's
// tickets anywhere.

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/stackdesk/stackdesk/infra/devstack/browser"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

var (
	adminNav     = browser.Role("list", "Admin")
	ownerField   = browser.Label("Owner")
	conflictText = "Someone else changed this ticket first"
)

// signInWith signs in with a password of the user's own (an invited user).
func signInWith(p *browser.Page, s stack, email, password string) {
	p.Goto(s.url + "/")
	p.Fill(emailField, email)
	p.Fill(passwordField, password)
	p.Click(signInButton)
	p.Wait(viewsNav)
}

// postForm submits the demo contact form (unsigned) as a customer would.
func postForm(t *testing.T, s stack, email, subject string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "name": "Customer " + email, "subject": subject, "description": "Sent from the website."})
	resp, err := http.Post(s.url+"/forms/"+s.demo.FormChannelID, "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		t.Fatalf("form post: %d", resp.StatusCode)
	}
}

// waitTicket waits until the router made the ticket with this subject and
// returns it as stored.
func waitTicket(t *testing.T, s stack, subject string) helpdesk.Ticket {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(20 * time.Second)
	for {
		ts, err := s.r.Store.ListTickets(ctx, helpdesk.StateOpen, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range ts {
			if tk.Subject == subject {
				return tk
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no ticket %q after 20 s", subject)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// token signs a user in through the local stack, as the console does.
func token(t *testing.T, s stack, email, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"email": email, "password": password})
	resp, err := http.Post(s.url+"/local/token", "application/json", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("sign-in %s: %d %v", email, resp.StatusCode, err)
	}
	return out.AccessToken
}

// call is one agent API request with a bearer token; it answers the status
// and the decoded body.
func call(t *testing.T, s stack, method, path, tok, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, s.url+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// retype replaces the text of a field the page filled in itself: p.Fill
// cannot (chromedp.Clear empties the value attribute, and a value set by
// script is the property, so the old text stays and the new is appended).
// It selects the field's text and types over it, as a person does.
func retype(p *browser.Page, l browser.Locator, text string) {
	p.Click(l)
	browser.Eval[bool](p, `(document.activeElement.select(), true)`)
	p.Press(text)
}

// selectedOption is the text of the chosen option of the select with this id.
func selectedOption(p *browser.Page, id string) string {
	return browser.Eval[string](p, `(s => s.options[s.selectedIndex].text)(document.getElementById(`+jsString(id)+`))`)
}

func jsString(s string) string {
	raw, _ := json.Marshal(s)
	return string(raw)
}

// An admin changes the contact form's routing rule in the console, from
// load-balanced among team Support to Bob alone, and the next submission is
// Bob's; then to nobody, and the next one stays unassigned, in Unassigned.
// On the way every admin page is checked (screenshot and axe).
func TestAdminChangesRoutingAndTheNextTicketFollows(t *testing.T) {
	s, b := start(t)
	began := time.Now()
	p := b.NewPage()
	signIn(p, s, s.demo.AgentEmails[0]) // alice, admin
	p.Wait(adminNav)

	// The other admin pages, each checked.
	for _, page := range []struct{ link, heading string }{
		{"Users", "Users"}, {"Teams", "Teams"}, {"Pipelines and categories", "Pipelines, statuses and categories"},
	} {
		p.Click(browser.Role("link", page.link))
		p.Wait(browser.Role("heading", page.heading))
		p.Check("admin-" + strings.ToLower(page.link[:5]))
	}
	p.Wait(browser.Label("Status 2 of Support pipeline")) // the settings document's statuses
	// From the team list: a team page.
	p.Click(browser.Role("link", "Teams"))
	p.Click(browser.Role("link", "Support"))
	p.Wait(browser.Label("Team name"))
	p.Check("admin-team")
	p.Click(browser.Role("link", "Users"))
	p.Click(browser.Role("link", "Bob Chen"))
	p.Wait(browser.Label("Tickets they see"))
	p.Check("admin-user")
	retype(p, browser.Label("Skills (comma-separated, for routing rules)"), "en, de")
	p.Click(browser.Role("button", "Save user"))
	p.WaitText("User saved.")
	if bob, err := s.r.Store.GetAgent(context.Background(), "bob"); err != nil || strings.Join(bob.Skills, ",") != "en,de" {
		t.Fatalf("Bob's stored skills after the save: %v %v", bob.Skills, err)
	}

	p.Click(browser.Role("link", "Channels"))
	p.Wait(browser.Role("heading", "Channels"))
	p.Check("admin-channels")
	p.Click(browser.Role("link", "Website contact form"))
	p.Wait(browser.Label("Assign new tickets to"))
	p.Check("admin-channel")
	p.Narrow()
	p.Check("admin-channel-narrow")
	p.Desktop()
	if got := selectedOption(p, "ch-route-dist"); got != "Load balanced" {
		t.Fatalf("the seeded form channel's distribution shows %q", got)
	}
	p.Click(browser.Label("Support")) // team Support out
	p.Click(browser.Label("Bob Chen"))
	p.Click(browser.Role("button", "Save channel"))
	p.WaitText("Channel saved.")
	ch, err := s.r.Store.GetChannel(context.Background(), s.demo.FormChannelID)
	if err != nil {
		t.Fatal(err)
	}
	if ch.Routing.Kind != helpdesk.RouteUsersTeams || len(ch.Routing.UserIDs) != 1 || ch.Routing.UserIDs[0] != "bob" || len(ch.Routing.TeamIDs) != 0 {
		t.Fatalf("stored routing after the save: %+v", ch.Routing)
	}
	p.Click(browser.Role("link", "All channels"))
	p.WaitText("load balanced among Bob Chen")
	p.Check("admin-channels-saved")

	postForm(t, s, "gus@example.com", "Wallaby harness too small")
	tk := waitTicket(t, s, "Wallaby harness too small")
	if tk.OwnerID != "bob" {
		t.Fatalf("the next ticket's owner is %q, want bob (the new rule)", tk.OwnerID)
	}
	p.Goto(s.url + "/tickets/" + tk.ID)
	p.Wait(browser.RoleMatching("heading", `^Wallaby harness too small`))
	if got := selectedOption(p, "prop-owner"); got != "Bob Chen" {
		t.Fatalf("the console shows owner %q, want Bob Chen", got)
	}
	p.Check("ticket-routed-to-bob")

	// Now to nobody.
	p.Goto(s.url + "/admin/channels/" + url.PathEscape(s.demo.FormChannelID))
	p.Select(browser.Label("Assign new tickets to"), "Nobody")
	p.Click(browser.Role("button", "Save channel"))
	p.WaitText("Channel saved.")
	postForm(t, s, "hal@example.com", "Numbat feeder jammed")
	tk = waitTicket(t, s, "Numbat feeder jammed")
	if tk.OwnerID != "" {
		t.Fatalf("with routing to nobody the next ticket's owner is %q", tk.OwnerID)
	}
	p.Click(browser.Role("link", "Unassigned"))
	p.WaitText("Numbat feeder jammed")
	p.Check("unassigned-after-nobody")

	// A saved view of the unassigned open tickets, shared with Support:
	// it is in the sidebar with its count, then deleted.
	p.Click(browser.Role("link", "Saved views"))
	p.Wait(browser.Role("heading", "Saved views"))
	p.Check("admin-views")
	p.Fill(browser.Label("View name"), "Loose ends")
	p.Select(browser.Label("Share with"), "Team Support")
	p.Click(browser.Label("open"))
	p.Click(browser.Label("Unassigned"))
	p.Click(browser.Role("button", "Create view"))
	p.WaitText("View Loose ends saved.")
	p.WaitTextIn(browser.RoleMatching("link", `^Loose ends$`), `Loose ends`)
	p.Click(browser.Role("link", "Loose ends"))
	p.Wait(browser.Role("heading", "Loose ends"))
	p.WaitText("Numbat feeder jammed")
	p.Check("saved-view")
	p.Click(browser.Role("link", "Saved views"))
	p.Click(browser.Role("button", "Delete view Loose ends"))
	p.Click(browser.Role("button", "Yes, delete view Loose ends"))
	p.WaitText("View deleted.")
	p.WaitGone(browser.RoleMatching("link", `^Loose ends$`))
	t.Logf("admin routing journey: %s", time.Since(began).Round(time.Millisecond))
}

// Alice and Bob have the same ticket open. Alice changes its owner, status
// and priority; Bob, on the copy he read before (his tab was in the
// background, so it did not refresh), changes the priority: the API refuses
// it (412, If-Match) and Bob's console shows Alice's version instead of
// overwriting it.
func TestConflictingPropertyEditsShowTheOtherAgentsChange(t *testing.T) {
	s, b := start(t)
	began := time.Now()
	postForm(t, s, "ida@example.com", "Echidna gate squeaks")
	tk := waitTicket(t, s, "Echidna gate squeaks")
	if tk.TeamID != s.demo.TeamID {
		t.Fatalf("the form ticket's team is %q, want %q (so Bob sees it)", tk.TeamID, s.demo.TeamID)
	}
	alice, bob := b.NewPage(), b.NewPage()
	signIn(alice, s, s.demo.AgentEmails[0])
	signIn(bob, s, s.demo.AgentEmails[1])
	heading := browser.RoleMatching("heading", `^Echidna gate squeaks`)
	for _, p := range []*browser.Page{alice, bob} {
		p.Goto(s.url + "/tickets/" + tk.ID)
		p.Wait(heading)
	}
	// Bob's tab goes to the background: the console stops polling there.
	browser.Eval[bool](bob, `(Object.defineProperty(document, "visibilityState", {get: () => "hidden", configurable: true}), true)`)
	bob.Check("bob-before")

	// A new owner: Chloé, or Alice if the router gave it to Chloé.
	owner, ownerID := "Chloé Dubois", "chloe"
	if tk.OwnerID == "chloe" {
		owner, ownerID = "Alice Martin", "alice"
	}
	alice.Select(ownerField, owner)
	alice.WaitText("Owner saved.")
	alice.Select(browser.Label("Status"), "Waiting on us")
	alice.WaitText("Status saved.")
	alice.Select(browser.Label("Priority"), "High")
	alice.WaitText("Priority saved.")
	alice.Check("alice-changed")

	bob.Select(browser.Label("Priority"), "Low")
	bob.WaitText(conflictText)
	bob.Check("bob-refused")
	for id, want := range map[string]string{"prop-owner": owner, "prop-status": "Waiting on us", "prop-priority": "High"} {
		if got := selectedOption(bob, id); got != want {
			t.Errorf("after the refusal Bob's %s shows %q, want Alice's %q", id, got, want)
		}
	}
	stored, err := s.r.Store.GetTicketHeader(context.Background(), tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.OwnerID != ownerID || stored.Status != "waiting_on_us" || stored.Priority != helpdesk.PriorityHigh {
		t.Fatalf("stored owner %q status %q priority %q: Bob's stale change went through", stored.OwnerID, stored.Status, stored.Priority)
	}
	// Now on Alice's version, Bob's change is his to make.
	bob.Select(browser.Label("Priority"), "Urgent")
	bob.WaitText("Priority saved.")
	bob.Check("bob-saved-on-theirs")
	t.Logf("conflict journey: %s", time.Since(began).Round(time.Millisecond))
}

// A second team, Billing, with its own agent Dave (scope: his teams),
// created through the admin API. A ticket of team Support is in none of
// Dave's views, search does not find it for him (it does for Alice), and
// opening it says not found.
func TestAnotherTeamsAgentSeesNoneOfIt(t *testing.T) {
	s, b := start(t)
	ctx := context.Background()
	began := time.Now()
	admin := token(t, s, s.demo.AgentEmails[0], s.demo.Password)
	if code, out := call(t, s, "POST", "/api/teams", admin, `{"id":"billing","name":"Billing"}`); code != 201 {
		t.Fatalf("create team: %d %v", code, out)
	}
	const daveEmail, davePassword = "dave@acme.example", "Daves-Own-Pass-1"
	code, dave := call(t, s, "POST", "/api/users", admin,
		`{"email":"`+daveEmail+`","name":"Dave Okafor","role":"agent","team_ids":["billing"],"permissions":{"scope":"teams"}}`)
	if code != 201 {
		t.Fatalf("invite: %d %v", code, dave)
	}
	pool := s.r.Stack.UserPools["UserPool"]
	if _, err := cip.NewFromConfig(testbed.AWS(t, testbed.CognitoService)).AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: &pool, Username: aws.String(daveEmail), Password: aws.String(davePassword), Permanent: true}); err != nil {
		t.Fatal(err)
	}

	const subject = "Platypus invoice overdue"
	postForm(t, s, "jo@example.com", subject)
	tk := waitTicket(t, s, subject)
	if tk.TeamID != s.demo.TeamID {
		t.Fatalf("the ticket's team is %q, want Support", tk.TeamID)
	}
	// The search index has it: Alice finds it.
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, res := call(t, s, "GET", "/api/search?q=platypus", admin, "")
		if rs, _ := res["results"].([]any); len(rs) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("Alice's search never found the ticket: the journey would prove nothing")
		}
		time.Sleep(200 * time.Millisecond)
	}

	daveTok := token(t, s, daveEmail, davePassword)
	if code, res := call(t, s, "GET", "/api/search?q=platypus", daveTok, ""); code != 200 || len(res["results"].([]any)) != 0 {
		t.Fatalf("Dave's search: %d %v", code, res)
	}
	if code, _ := call(t, s, "GET", "/api/tickets/"+tk.ID, daveTok, ""); code != 404 {
		t.Fatalf("Dave reads the ticket: %d, want 404", code)
	}

	p := b.NewPage()
	signInWith(p, s, daveEmail, davePassword)
	p.WaitText("Dave Okafor") // /api/me is read: the Admin links would be there by now
	if p.Has(adminNav) {
		t.Error("an agent sees the Admin links")
	}
	_, views := call(t, s, "GET", "/api/views", daveTok, "")
	list := views["views"].([]any)
	if len(list) == 0 {
		t.Fatal("Dave has no views")
	}
	for i, v := range list {
		id := v.(map[string]any)["id"].(string)
		if code, page := call(t, s, "GET", "/api/views/"+url.PathEscape(id)+"/tickets?limit=100", daveTok, ""); code != 200 || len(page["tickets"].([]any)) != 0 {
			t.Fatalf("Dave's view %s: %d %v", id, code, page)
		}
		p.Click(browser.CSS(`[data-view="` + id + `"]`))
		p.Wait(browser.Role("heading", v.(map[string]any)["name"].(string)))
		p.WaitText("No tickets here.")
		if i == 0 {
			p.Check("dave-view-" + id)
		}
	}
	p.Goto(s.url + "/tickets/" + tk.ID)
	p.WaitText("No such ticket, or not one you can see.")
	if p.Has(browser.RoleMatching("heading", `^Platypus`)) {
		t.Fatal("Dave's console shows the ticket")
	}
	p.Check("dave-ticket-not-found")
	t.Logf("other-team journey: %s", time.Since(began).Round(time.Millisecond))
}

// Alice invites Omar as an admin in the console; at his first sign-in he
// sets his own password. Then both edit the settings document at once: Omar adds a category and
// saves; Alice, on the version she read before, renames a status and saves:
// refused (412, If-Match), her page shows Omar's version (his category, the
// status as it was) and says so; made again on it, her change is saved and
// both are kept.
func TestAdminSettingsConflictShowsTheOtherAdminsVersion(t *testing.T) {
	s, b := start(t)
	ctx := context.Background()
	began := time.Now()
	// Alice invites Omar, an admin, on the Users page; he signs in with a
	// temporary password (the one the pool would email, set here) and
	// chooses his own.
	alice, omar := b.NewPage(), b.NewPage()
	signIn(alice, s, s.demo.AgentEmails[0])
	alice.Click(browser.Role("link", "Users"))
	const omarEmail, omarTemporary, omarPassword = "omar@acme.example", "Temporary-Pass-1", "Omars-Own-Pass-1"
	alice.Fill(browser.Label("Email"), omarEmail)
	alice.Fill(browser.Label("Name"), "Omar Haddad")
	alice.Select(browser.Label("Role"), "Admin")
	alice.Click(browser.Role("button", "Invite"))
	alice.WaitText("Omar Haddad is invited")
	alice.Check("user-invited")
	pool := s.r.Stack.UserPools["UserPool"]
	if _, err := cip.NewFromConfig(testbed.AWS(t, testbed.CognitoService)).AdminSetUserPassword(ctx, &cip.AdminSetUserPasswordInput{
		UserPoolId: &pool, Username: aws.String(omarEmail), Password: aws.String(omarTemporary), Permanent: false}); err != nil {
		t.Fatal(err)
	}
	omar.Goto(s.url + "/")
	omar.Fill(emailField, omarEmail)
	omar.Fill(passwordField, omarTemporary)
	omar.Click(signInButton)
	omar.Fill(browser.Label("New password"), omarPassword)
	omar.Check("first-sign-in")
	omar.Click(browser.Role("button", "Set password and sign in"))
	omar.Wait(viewsNav)
	admin := token(t, s, omarEmail, omarPassword) // his own password is his now
	status2 := browser.Label("Status 2 of Support pipeline")
	for _, p := range []*browser.Page{alice, omar} {
		p.Click(browser.Role("link", "Pipelines and categories"))
		p.Wait(status2)
	}

	omar.Click(browser.Role("button", "Add a category"))
	omar.Fill(browser.Label("Category 1"), "Refunds")
	omar.Click(browser.Role("button", "Save settings"))
	omar.WaitText("Settings saved.")

	retype(alice, status2, "Waiting on customer")
	alice.Click(browser.Role("button", "Save settings"))
	alice.WaitText("Another admin changed this settings document first")
	alice.Check("settings-refused")
	value := func(label string) string {
		return browser.Eval[string](alice, `document.querySelector('[aria-label=`+jsString(label)+`]').value`)
	}
	if got := value("Category 1"); got != "Refunds" {
		t.Fatalf("after the refusal Alice's page shows category %q, want Omar's Refunds", got)
	}
	if got := value("Status 2 of Support pipeline"); got != "Waiting on contact" {
		t.Fatalf("after the refusal Alice's page shows status 2 %q, want the saved Waiting on contact", got)
	}

	retype(alice, status2, "Waiting on customer")
	alice.Click(browser.Role("button", "Save settings"))
	alice.WaitText("Settings saved.")
	alice.Check("settings-saved")
	_, st := call(t, s, "GET", "/api/settings", admin, "")
	raw, _ := json.Marshal(st)
	if !strings.Contains(string(raw), `"Refunds"`) || !strings.Contains(string(raw), `"Waiting on customer"`) {
		t.Fatalf("stored settings lost a change: %s", raw)
	}
	t.Logf("settings conflict journey: %s", time.Since(began).Round(time.Millisecond))
}
