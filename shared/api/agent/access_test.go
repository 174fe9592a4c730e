package agent_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/api/agent"
	"github.com/stackdesk/stackdesk/shared/api/auth"
	"github.com/stackdesk/stackdesk/shared/app/index"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Who sees which of the desk's tickets (newDesk): ann is an admin, bob sees
// team A's and his own, cat her own, vic (a viewer) team A's.
var sees = map[string][]string{
	"ann": {"1", "2", "3"},
	"bob": {"1", "3"},
	"cat": {"2"},
	"vic": {"1"},
}

// callers in the order the matrix calls them: the refused first, so that a
// route that deletes deletes last.
var callers = []string{"vic", "cat", "bob", "ann"}

// A probe is how the access matrix calls one route.
type probe struct {
	route string // the pattern, as Routes() lists it
	path  string // the path called; {id} is each ticket in turn on a ticket route
	body  string
	// ticket: the route is about ticket {id}: a ticket the caller cannot
	// see answers 404 ticket_not_found, exactly like a missing one.
	ticket bool
	// public: no token needed.
	public bool
	// refused: the callers refused whatever the ticket (role or
	// permission), with the status they get; everyone else succeeds (a
	// status under 400), or gets `other` when it is set.
	refused map[string]int
	other   map[string]int
}

var (
	onlyAdmin   = map[string]int{"vic": 403, "cat": 403, "bob": 403}
	notViewer   = map[string]int{"vic": 403}
	bulkBody    = `{"ids":["1","2","3"],"change":{"priority":"low"}}`
	accessTable = []probe{
		{route: "GET /api/openapi.yaml", path: "/api/openapi.yaml", public: true},
		{route: "GET /api/me", path: "/api/me"},
		{route: "GET /api/changes", path: "/api/changes"},
		{route: "PUT /api/me/availability", path: "/api/me/availability", body: `{"away":false}`},
		{route: "GET /api/me/notifications", path: "/api/me/notifications"},
		{route: "PUT /api/me/notifications", path: "/api/me/notifications", body: `{"note":{"email":false}}`},
		{route: "GET /api/notifications", path: "/api/notifications"},
		{route: "POST /api/notifications/read", path: "/api/notifications/read"},
		// Someone else's notification id is a missing one.
		{route: "POST /api/notifications/{id}/read", path: "/api/notifications/2026-11-30T09:00:00.000000000Z%23nobody/read",
			other: map[string]int{"vic": 404, "cat": 404, "bob": 404, "ann": 404}},

		{route: "GET /api/tickets/{id}", path: "/api/tickets/{id}", ticket: true},
		{route: "PATCH /api/tickets/{id}", path: "/api/tickets/{id}", body: `{"priority":"high"}`, ticket: true, refused: notViewer},
		{route: "GET /api/tickets/{id}/timeline", path: "/api/tickets/{id}/timeline", ticket: true},
		{route: "POST /api/tickets/{id}/replies", path: "/api/tickets/{id}/replies", body: `{"text":"On it."}`, ticket: true, refused: notViewer},
		{route: "POST /api/tickets/{id}/notes", path: "/api/tickets/{id}/notes", body: `{"text":"Internal."}`, ticket: true},
		{route: "POST /api/tickets/{id}/read", path: "/api/tickets/{id}/read", ticket: true},
		{route: "POST /api/tickets/{id}/unread", path: "/api/tickets/{id}/unread", ticket: true},
		{route: "POST /api/tickets/{id}/followers", path: "/api/tickets/{id}/followers", ticket: true},
		{route: "DELETE /api/tickets/{id}/followers", path: "/api/tickets/{id}/followers", ticket: true},
		{route: "GET /api/tickets/{id}/snippets/{sid}/render", path: "/api/tickets/{id}/snippets/{snippet}/render", ticket: true},
		// Those who may work the ticket get as far as its messages: the ids
		// are none of its own (split_test.go splits for real).
		{route: "POST /api/tickets/{id}/split", path: "/api/tickets/{id}/split", body: `{"message_ids":["none"],"subject":"Split"}`,
			ticket: true, refused: notViewer, other: map[string]int{"cat": 400, "bob": 400, "ann": 400}},
		// Merging needs both tickets: into a ticket nobody has is a 404
		// after the path's ticket is found visible and workable (merge_test.go
		// merges for real, both ways of access).
		{route: "POST /api/tickets/{id}/merge", path: "/api/tickets/{id}/merge", body: `{"into":"404"}`, ticket: true,
			refused: notViewer, other: map[string]int{"cat": 404, "bob": 404, "ann": 404}},
		// None of the desk's tickets is merged: a 409 after access.
		{route: "POST /api/tickets/{id}/unmerge", path: "/api/tickets/{id}/unmerge", ticket: true,
			refused: notViewer, other: map[string]int{"cat": 409, "bob": 409, "ann": 409}},

		// Lists answer every caller; what they hold is held to the scope in
		// TestNothingLeaksThroughALists.
		{route: "GET /api/views", path: "/api/views"},
		{route: "GET /api/views/{view}/tickets", path: "/api/views/all_open/tickets"},
		{route: "GET /api/views/{view}", path: "/api/views/all_open"},
		{route: "POST /api/views", path: "/api/views", body: `{"name":"Urgent","filter":{"priorities":["urgent"]}}`},
		{route: "PUT /api/views/{view}", path: "/api/views/all_open", body: `{"name":"Mine"}`,
			other: map[string]int{"vic": 403, "cat": 403, "bob": 403, "ann": 403}}, // the defaults are fixed
		{route: "DELETE /api/views/{view}", path: "/api/views/all_open",
			other: map[string]int{"vic": 403, "cat": 403, "bob": 403, "ann": 403}},
		{route: "GET /api/search", path: "/api/search?q=question"},
		{route: "POST /api/tickets/bulk", path: "/api/tickets/bulk", body: bulkBody, refused: notViewer},
		{route: "POST /api/tickets", path: "/api/tickets", body: `{"type":"other","contact":{"email":"walkin@example.com"},"subject":"Called","text":"Asked about returns."}`, refused: notViewer},
		{route: "POST /api/uploads", path: "/api/uploads", body: `{"name":"plan.pdf","content_type":"application/pdf","size":5}`, refused: notViewer},

		{route: "GET /api/snippets", path: "/api/snippets"},
		{route: "POST /api/snippets", path: "/api/snippets", body: `{"name":"Mine","text":"Hi {{contact.first_name}}"}`, refused: notViewer},
		// A shared saved reply is written by those who manage the desk.
		{route: "PUT /api/snippets/{sid}", path: "/api/snippets/{snippet}", body: `{"name":"Thanks","text":"Thanks, {{agent.name}}","shared":true}`, refused: onlyAdmin},
		{route: "DELETE /api/snippets/{sid}", path: "/api/snippets/{snippet}", refused: onlyAdmin},

		{route: "GET /api/contacts", path: "/api/contacts"},
		{route: "GET /api/contacts/{id}", path: "/api/contacts/c2"},
		{route: "PATCH /api/contacts/{id}", path: "/api/contacts/c2", body: `{"name":"Cus Two"}`, refused: notViewer},

		// Settings: everyone reads, those who manage the desk change.
		{route: "GET /api/settings", path: "/api/settings"},
		{route: "PUT /api/settings", path: "/api/settings", body: `{"pipelines":{},"defaults":{}}`, refused: onlyAdmin,
			other: map[string]int{"ann": 400}}, // settings without a pipeline are refused, after access
		{route: "GET /api/channels", path: "/api/channels"},
		{route: "GET /api/channels/{id}", path: "/api/channels/" + mail.ID},
		{route: "PATCH /api/channels/{id}", path: "/api/channels/" + mail.ID, body: `{"name":"Help"}`, refused: onlyAdmin},
		{route: "GET /api/users", path: "/api/users"},
		{route: "GET /api/users/{id}", path: "/api/users/bob"},
		{route: "POST /api/users", path: "/api/users", body: `{"email":"new@acme.example","name":"New","role":"agent"}`, refused: onlyAdmin},
		{route: "PATCH /api/users/{id}", path: "/api/users/cat", body: `{"skills":["fr"]}`, refused: onlyAdmin},
		{route: "GET /api/teams", path: "/api/teams"},
		{route: "GET /api/teams/{id}", path: "/api/teams/A"},
		{route: "POST /api/teams", path: "/api/teams", body: `{"name":"C"}`, refused: onlyAdmin},
		{route: "PATCH /api/teams/{id}", path: "/api/teams/B", body: `{"name":"Team Bee"}`, refused: onlyAdmin},
		{route: "DELETE /api/teams/{id}", path: "/api/teams/{team}", refused: onlyAdmin},
		{route: "GET /api/audit", path: "/api/audit", refused: onlyAdmin},

		// Filtered mail is anyone's: those who see every ticket only.
		{route: "GET /api/filtered", path: "/api/filtered", refused: onlyAdmin},
		{route: "POST /api/filtered/{id}/promote", path: "/api/filtered/{filtered}/promote", refused: onlyAdmin},
		// The satisfaction report: the same (it covers every ticket's ratings).
		{route: "GET /api/reports/csat", path: "/api/reports/csat?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&by=team", refused: onlyAdmin},
		{route: "GET /api/reports/sla", path: "/api/reports/sla?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&by=agent", refused: onlyAdmin},
		// The desk's tickets are email tickets: who may reply gets as far as
		// the channel (portallink_test.go sends links on chat tickets).
		{route: "POST /api/tickets/{id}/portal-link", path: "/api/tickets/{id}/portal-link", ticket: true, refused: notViewer,
			other: map[string]int{"cat": 400, "bob": 400, "ann": 400}},

		// Spam and delete: those with the delete permission (ann, an admin)
		// only; last, since ann deletes every ticket.
		{route: "POST /api/tickets/{id}/spam", path: "/api/tickets/{id}/spam", body: `{}`, ticket: true, refused: onlyDeleters},
		{route: "POST /api/tickets/{id}/not-spam", path: "/api/tickets/{id}/not-spam", ticket: true, refused: onlyDeleters},
		{route: "GET /api/blocked-senders", path: "/api/blocked-senders", refused: onlyDeleters},
		{route: "DELETE /api/blocked-senders/{key}", path: "/api/blocked-senders/email%23cus1%40example.com", refused: onlyDeleters,
			other: map[string]int{"ann": 404}}, // nobody is blocked
		{route: "DELETE /api/tickets/{id}", path: "/api/tickets/{id}", ticket: true, refused: onlyDeleters},
		{route: "POST /api/tickets/delete", path: "/api/tickets/delete", body: `{"ids":["1","2","3"],"confirm":3}`, refused: onlyDeleters},

		// Very last: each caller's token is refused from then on
		// (signout_test.go signs out for real).
		{route: "POST /api/me/sign-out", path: "/api/me/sign-out"},
	}
)

// onlyDeleters: who lacks the delete permission is refused.
var onlyDeleters = map[string]int{"vic": 403, "cat": 403, "bob": 403}

// The access matrix: every route the API serves × every role and scope ×
// a ticket each can and cannot see. A route missing from the table fails
// the test, so a new route cannot ship without its access decided here.
func TestAccessMatrixCoversEveryRoute(t *testing.T) {
	var missing, unknown []string
	probed := map[string]bool{}
	for _, p := range accessTable {
		probed[p.route] = true
	}
	served := map[string]bool{}
	for _, r := range (&agent.API{}).Routes() {
		served[r.Pattern] = true
		if !probed[r.Pattern] {
			missing = append(missing, r.Pattern)
		}
	}
	for route := range probed {
		if !served[route] {
			unknown = append(unknown, route)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 || len(unknown) > 0 {
		t.Fatalf("the access table is not the routes: missing %v, not served %v", missing, unknown)
	}

	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := accessDesk(t, b)
		snippet := f.created(t, "POST", "/api/snippets", "ann", `{"name":"Bye","text":"Bye from {{agent.name}}","shared":true}`)
		team := f.created(t, "POST", "/api/teams", "ann", `{"name":"Temp"}`)
		filtered := f.filteredID(t)
		for _, p := range accessTable {
			path := strings.NewReplacer("{snippet}", snippet, "{team}", team, "{filtered}", filtered).Replace(p.path)
			method, _, _ := strings.Cut(p.route, " ")
			if !p.public {
				if r := f.do(t, method, strings.ReplaceAll(path, "{id}", "1"), "", p.body); r.status != 401 {
					t.Errorf("%s without a token: %d, want 401", p.route, r.status)
				}
				// A deactivated user is refused at once, token unexpired.
				if r := f.do(t, method, strings.ReplaceAll(path, "{id}", "1"), "dan", p.body); r.status != 401 {
					t.Errorf("%s as a deactivated user: %d, want 401", p.route, r.status)
				}
			}
			for _, who := range callers {
				ids := []string{""}
				if p.ticket {
					ids = []string{"1", "2", "3", "404"}
				}
				for _, id := range ids {
					r := f.do(t, method, strings.ReplaceAll(path, "{id}", id), who, p.body)
					switch want, refused := p.refused[who]; {
					case p.ticket && !slices.Contains(sees[who], id):
						if r.status != 404 || reason(r) != "ticket_not_found" {
							t.Errorf("%s on ticket %s by %s, who cannot see it: %d %s, want 404 ticket_not_found", p.route, id, who, r.status, reason(r))
						}
					case refused:
						if r.status != want {
							t.Errorf("%s by %s: %d %s, want %d", p.route, who, r.status, r.raw, want)
						}
					case p.other[who] != 0:
						if r.status != p.other[who] {
							t.Errorf("%s by %s: %d %s, want %d", p.route, who, r.status, r.raw, p.other[who])
						}
					case r.status >= 400:
						t.Errorf("%s by %s (ticket %q): %d %s, want success", p.route, who, id, r.status, r.raw)
					}
				}
			}
		}
	})
}

// accessDesk is newDesk with its customers in the directory and its
// tickets in the search index (the stream's indexer does it on AWS).
//
// On DynamoDB Local the people sign in to a moto user pool made from
// template.yaml and the API verifies their real RS256 tokens
// (shared/api/auth), as it does deployed.
func accessDesk(t *testing.T, b testbed.Backend) *fixture {
	f := newDesk(t, b)
	ctx := context.Background()
	if b.Name == testbed.DynamoDB.Name {
		realTokens(t, f)
	}
	ix := &index.Service{Store: f.st}
	for i := 1; i <= 3; i++ {
		email := fmt.Sprintf("cus%d@example.com", i)
		c := helpdesk.Contact{ID: fmt.Sprintf("c%d", i), Name: fmt.Sprintf("Customer %d", i), Email: email, CreatedAt: t0}
		if err := f.st.CreateContact(ctx, c, "email#"+email); err != nil {
			t.Fatal(err)
		}
		if err := ix.Ticket(ctx, fmt.Sprint(i)); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

// created calls a creating route and returns the id it answers with.
func (f *fixture) created(t *testing.T, method, path, who, body string) string {
	t.Helper()
	r := f.do(t, method, path, who, body)
	id, _ := r.body["id"].(string)
	if r.status >= 300 || id == "" {
		t.Fatalf("%s %s: %d %s", method, path, r.status, r.raw)
	}
	return id
}

// Nothing the caller may not see leaks through a list, a count, a search
// hit or a bulk result: each answers exactly the tickets of their scope.
func TestNothingLeaksThroughALists(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := accessDesk(t, b)
		for _, who := range callers {
			want := sees[who]
			ids := func(items []any) []string {
				var out []string
				for _, it := range items {
					m, _ := it.(map[string]any)
					if tk, ok := m["ticket"].(map[string]any); ok {
						m = tk
					}
					if id, _ := m["id"].(string); id != "" {
						out = append(out, id)
					}
				}
				sort.Strings(out)
				return out
			}
			view := f.do(t, "GET", "/api/views/all_open/tickets", who, "")
			if got := ids(view.body["tickets"].([]any)); !slices.Equal(got, want) {
				t.Errorf("%s's All open: %v, want %v", who, got, want)
			}
			views := f.do(t, "GET", "/api/views", who, "")
			for _, v := range views.body["views"].([]any) {
				if m := v.(map[string]any); m["id"] == "all_open" && int(m["count"].(float64)) != len(want) {
					t.Errorf("%s's All open count: %v, want %d", who, m["count"], len(want))
				}
			}
			hits := f.do(t, "GET", "/api/search?q=question", who, "")
			if got := ids(hits.body["results"].([]any)); !slices.Equal(got, want) {
				t.Errorf("%s's search hits: %v, want %v", who, got, want)
			}
			for _, c := range []string{"c1", "c2", "c3"} {
				contact := f.do(t, "GET", "/api/contacts/"+c, who, "")
				for _, id := range ids(contact.body["tickets"].([]any)) {
					if !slices.Contains(want, id) {
						t.Errorf("%s sees ticket %s through contact %s", who, id, c)
					}
				}
			}
			if who == "vic" {
				continue // viewers do not bulk-change
			}
			bulk := f.do(t, "POST", "/api/tickets/bulk", who, bulkBody)
			for _, res := range bulk.body["results"].([]any) {
				m := res.(map[string]any)
				id, _ := m["id"].(string)
				if visible := slices.Contains(want, id); m["ok"] != visible || !visible && m["ticket"] != nil {
					t.Errorf("%s's bulk result for ticket %s: %v, visible %v", who, id, m, visible)
				}
			}
		}
	})
}

// realTokens makes each of the desk's people a user of a moto user pool,
// records their sub on their agent, and has the API verify real tokens.
func realTokens(t *testing.T, f *fixture) {
	t.Helper()
	cfg, stack := testbed.UserPools(t)
	pool, client := stack.UserPools["UserPool"], stack.UserPoolClients["UserPoolClient"]
	ctx := context.Background()
	f.tokens = map[string]string{}
	for _, a := range people {
		tok := testbed.CognitoUser(t, cfg, pool, client, a.Email, "Access-matrix-1")
		a.Sub = tok.Sub
		if err := f.st.PutAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
		f.tokens[a.ID] = tok.AccessToken
	}
	v, err := auth.New(ctx, auth.Config{Issuer: testbed.CognitoIssuer(cfg, pool), ClientID: client,
		JWKSURL: testbed.CognitoJWKSURL(t, pool)})
	if err != nil {
		t.Fatal(err)
	}
	f.api.Auth = func(ctx context.Context, bearer string) (agent.Token, error) {
		id, err := v.Verify(ctx, bearer)
		return agent.Token{Sub: id.Sub, IssuedAt: id.IssuedAt}, err
	}
}
