package agent_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/api/agent"
	"github.com/stackdesk/stackdesk/shared/app/admin"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

var (
	t0    = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
	mail  = helpdesk.Channel{ID: "email:support@acme.example", Kind: helpdesk.ChannelEmail, Name: "Support",
		Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"},
		Email:    &helpdesk.EmailSettings{Address: "support@acme.example", CompanyName: "Acme"}}
)

// The desk: ann is an admin; bob an agent who sees team A's tickets; cat an
// agent who sees only her own; vic a viewer of team A; dan deactivated.
var people = []helpdesk.Agent{
	{ID: "ann", Name: "Ann", Email: "ann@acme.example", Seat: true, Active: true, Role: helpdesk.RoleAdmin, Sub: "sub-ann"},
	{ID: "bob", Name: "Bob", Email: "bob@acme.example", Seat: true, Active: true, Role: helpdesk.RoleAgent, Sub: "sub-bob",
		Permissions: helpdesk.Permissions{Scope: helpdesk.ScopeTeams}},
	{ID: "cat", Name: "Cat", Email: "cat@acme.example", Seat: true, Active: true, Role: helpdesk.RoleAgent, Sub: "sub-cat",
		Permissions: helpdesk.Permissions{Scope: helpdesk.ScopeOwn}},
	{ID: "vic", Name: "Vic", Email: "vic@acme.example", Active: true, Role: helpdesk.RoleViewer, Sub: "sub-vic",
		Permissions: helpdesk.Permissions{Scope: helpdesk.ScopeTeams}},
	{ID: "dan", Name: "Dan", Email: "dan@acme.example", Seat: true, Role: helpdesk.RoleAgent, Sub: "sub-dan",
		Permissions: helpdesk.Permissions{Scope: helpdesk.ScopeAll}},
}

type published struct {
	mu   sync.Mutex
	jobs []string
}

func (p *published) Publish(_ context.Context, body string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.jobs = append(p.jobs, body)
	return nil
}

type fixture struct {
	srv   *httptest.Server
	st    testbed.Store
	out   *published
	files *fakeFiles
	dir   *directory // the user pool (admin_test.go)
	api   *agent.API
	// tokens, when set, are real bearer tokens by person (realTokens).
	tokens map[string]string
}

// authenticate stands in for the Cognito verifier: "token-<sub>" is sub's.
// authenticate reads the tests' tokens: "token-<sub>", issued at t0, or
// "token-<sub>#iat=<unix seconds>", issued then.
func authenticate(_ context.Context, bearer string) (agent.Token, error) {
	sub, ok := strings.CutPrefix(bearer, "token-")
	if !ok {
		return agent.Token{}, helpdesk.Errorf(helpdesk.EUnauthorised, "token_invalid", "the token is not valid")
	}
	iat := t0
	if s, at, ok := strings.Cut(sub, "#iat="); ok {
		n, err := strconv.ParseInt(at, 10, 64)
		if err != nil {
			return agent.Token{}, helpdesk.Errorf(helpdesk.EUnauthorised, "token_invalid", "the token is not valid")
		}
		sub, iat = s, time.Unix(n, 0)
	}
	return agent.Token{Sub: sub, IssuedAt: iat}, nil
}

// newDesk seeds the people, teams A (bob, vic) and B (cat), and tickets:
// 1 unassigned in team A, 2 owned by cat in team B, 3 owned by bob in no
// team, all from the email channel.
func newDesk(t *testing.T, b testbed.Backend) *fixture { return newDeskWith(t, b, nil) }

// newDeskWith is newDesk whose files are real (nil: a fake, fixture.files).
func newDeskWith(t *testing.T, b testbed.Backend, real agent.Files) *fixture {
	st := b.Open(t, func() time.Time { return t0 })
	ctx := context.Background()
	for _, a := range people {
		if err := st.PutAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	for _, tm := range []helpdesk.Team{{ID: "A", Name: "Team A", MemberIDs: []string{"bob", "vic"}}, {ID: "B", Name: "Team B", MemberIDs: []string{"cat"}}} {
		if err := st.PutTeam(ctx, tm); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.PutChannel(ctx, mail); err != nil {
		t.Fatal(err)
	}
	for _, tk := range []struct{ id, owner, team string }{{"1", "", "A"}, {"2", "cat", "B"}, {"3", "bob", ""}} {
		m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: mail.ID,
			ProviderMessageID: "m" + tk.id + "@example.com", ReceivedAt: t0, Sender: helpdesk.Sender{Email: "cus" + tk.id + "@example.com"},
			Subject: "Question " + tk.id, Text: "Help with " + tk.id}
		msg := helpdesk.Message{ID: "msg-" + tk.id, Direction: helpdesk.Inbound, ChannelID: mail.ID, ChannelKind: helpdesk.ChannelEmail,
			Text: m.Text, CreatedAt: t0}
		c, _ := ticket.Open(ticket.Arrival{ID: tk.id, Inbound: m, Message: msg, Channel: mail, ContactID: "c" + tk.id,
			SenderKey: m.Sender.Key(m.Channel)}, helpdesk.DefaultSettings(), t0)
		c.Ticket().OwnerID, c.Ticket().TeamID = tk.owner, tk.team
		if tk.owner != "" {
			c.Ticket().AssignedAt = t0
		}
		if err := st.Commit(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	out, files := &published{}, newFakeFiles()
	set := settings.Fixed(helpdesk.DefaultSettings())
	dir := &directory{users: map[string]*poolUser{}}
	api := &agent.API{Auth: authenticate, Store: st, Outbound: out, Log: quiet, CursorKey: []byte("test-cursor-key"),
		Desk: &desk.Service{Store: st, Settings: set, Now: func() time.Time { return t0.Add(time.Hour) }}, Files: files,
		Admin: &admin.Service{Store: st, Directory: dir, Now: func() time.Time { return t0.Add(time.Hour) }}}
	if real != nil {
		api.Files = real
	}
	mux := http.NewServeMux()
	api.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, st: st, out: out, files: files, dir: dir, api: api}
}

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (f *fixture) do(t *testing.T, method, path, who, body string, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if tok, ok := f.tokens[who]; ok {
		req.Header.Set("Authorization", "Bearer "+tok)
	} else if who != "" {
		req.Header.Set("Authorization", "Bearer token-sub-"+who)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	checkContract(t, req, resp, raw)
	out := response{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &out.body)
	return out
}

func reason(r response) string {
	e, _ := r.body["error"].(map[string]any)
	s, _ := e["reason"].(string)
	return s
}

// Every served route is in the OpenAPI document and every documented route
// is served, and the document is served as it is in the repository.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(agent.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	var documented []string
	for path, ops := range doc.Paths {
		for method := range ops {
			if method != "parameters" {
				documented = append(documented, strings.ToUpper(method)+" "+path)
			}
		}
	}
	var served []string
	for _, r := range (&agent.API{}).Routes() {
		served = append(served, r.Pattern)
	}
	slices.Sort(documented)
	slices.Sort(served)
	if !slices.Equal(documented, served) {
		t.Fatalf("routes and document differ:\nserved     %v\ndocumented %v", served, documented)
	}
	f := newDesk(t, testbed.Mem)
	if r := f.do(t, "GET", "/api/openapi.yaml", "", ""); r.status != 200 || r.raw != string(agent.OpenAPI) {
		t.Fatalf("GET /api/openapi.yaml: %d", r.status)
	}
}

func TestSignIn(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		for _, c := range []struct {
			name, auth, want string
		}{
			{"no header", "", "token_missing"},
			{"not a bearer", "Basic YW5uOnB3", "token_missing"},
			{"empty bearer", "Bearer ", "token_missing"},
			{"a token the verifier refuses", "Bearer forged", "token_invalid"},
			{"a valid token of nobody in the desk", "Bearer token-sub-stranger", "user_inactive"},
			{"a deactivated user, token unexpired", "Bearer token-sub-dan", "user_inactive"},
		} {
			r := f.do(t, "GET", "/api/me", "", "", "Authorization", c.auth)
			if r.status != 401 || reason(r) != c.want {
				t.Errorf("%s: %d %s, want 401 %s", c.name, r.status, r.raw, c.want)
			}
		}
		r := f.do(t, "GET", "/api/me", "bob", "")
		agentBody, _ := r.body["agent"].(map[string]any)
		if r.status != 200 || agentBody["id"] != "bob" || agentBody["role"] != "agent" || !slices.Equal(teamsOf(r), []string{"A"}) {
			t.Fatalf("GET /api/me as bob: %d %s", r.status, r.raw)
		}
		if strings.Contains(r.raw, "sub-bob") {
			t.Fatal("the user-pool identity leaks into the response")
		}
	})
}

func teamsOf(r response) []string {
	var out []string
	for _, t := range r.body["teams"].([]any) {
		out = append(out, t.(string))
	}
	return out
}

// Who may open which ticket, and the same answer for changing it: a ticket
// outside someone's access is a 404, exactly like one that does not exist.
func TestAccessMatrix(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		sees := map[string][]string{
			"ann": {"1", "2", "3"}, // admin
			"bob": {"1", "3"},      // team A's, and his own
			"cat": {"2"},           // her own
			"vic": {"1"},           // team A's
		}
		for who, visible := range sees {
			for _, id := range []string{"1", "2", "3", "404"} {
				want := 404
				if slices.Contains(visible, id) {
					want = 200
				}
				if r := f.do(t, "GET", "/api/tickets/"+id, who, ""); r.status != want {
					t.Errorf("%s GET ticket %s: %d, want %d", who, id, r.status, want)
				}
				if want == 404 {
					r := f.do(t, "PATCH", "/api/tickets/"+id, who, `{"priority":"high"}`)
					n := f.do(t, "POST", "/api/tickets/"+id+"/notes", who, `{"text":"peek"}`)
					if r.status != 404 || n.status != 404 || reason(r) != "ticket_not_found" {
						t.Errorf("%s changing invisible ticket %s: PATCH %d, note %d; want 404", who, id, r.status, n.status)
					}
				}
			}
		}
	})
}

// Each change carries the version it was decided on: a stale one is
// refused with 412 and the ticket as it now is; two agents editing at once
// never silently overwrite each other.
func TestEditsAreConditionedOnTheETag(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		got := f.do(t, "GET", "/api/tickets/1", "bob", "")
		tag := got.header.Get("ETag")
		if got.status != 200 || tag != `"1"` {
			t.Fatalf("GET: %d, ETag %q", got.status, tag)
		}
		r := f.do(t, "PATCH", "/api/tickets/1", "bob", `{"owner_id":"bob","status":"waiting_on_contact","priority":"high"}`, "If-Match", tag)
		if r.status != 200 || r.body["owner_id"] != "bob" || r.body["status"] != "waiting_on_contact" || r.header.Get("ETag") != `"2"` {
			t.Fatalf("PATCH: %d %s", r.status, r.raw)
		}
		// ann decided on version 1 too: refused with the current state.
		r = f.do(t, "PATCH", "/api/tickets/1", "ann", `{"priority":"low"}`, "If-Match", tag)
		cur, _ := r.body["ticket"].(map[string]any)
		if r.status != 412 || reason(r) != "version_mismatch" || cur["priority"] != "high" || r.header.Get("ETag") != `"2"` {
			t.Fatalf("stale PATCH: %d %s", r.status, r.raw)
		}
		for _, c := range []struct{ body, header, want string }{
			{`{"priority":"asap"}`, "", "unknown_priority"},
			{`{"status":"done"}`, "", "unknown_status"},
			{`{"owner_id":"vic"}`, "", "no_seat"},
			{`{"owner_id":"nobody"}`, "", "owner_unknown"},
			{`{"colour":"red"}`, "", "invalid_json"},
			{`{"priority":7}`, "", "invalid_field"},
			{`{"priority":"high"`, "", "invalid_json"},
			{`{"priority":"high"}`, "2", "invalid_if_match"},
		} {
			hdr := []string{}
			if c.header != "" {
				hdr = []string{"If-Match", c.header}
			}
			if r := f.do(t, "PATCH", "/api/tickets/1", "ann", c.body, hdr...); r.status != 400 || reason(r) != c.want {
				t.Errorf("PATCH %s (If-Match %q): %d %s, want 400 %s", c.body, c.header, r.status, r.raw, c.want)
			}
		}
		if r := f.do(t, "PATCH", "/api/tickets/1", "ann", `{"subject":"`+strings.Repeat("x", 2<<20)+`"}`); r.status != 413 {
			t.Errorf("a 2 MiB body: %d, want 413", r.status)
		}

		// Two agents at once on the same version: one wins, one gets 412.
		tag = f.do(t, "GET", "/api/tickets/1", "ann", "").header.Get("ETag")
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i, who := range []string{"ann", "bob"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				codes[i] = f.do(t, "PATCH", "/api/tickets/1", who, `{"category":"`+who+`"}`, "If-Match", tag).status
			}()
		}
		wg.Wait()
		slices.Sort(codes)
		if !slices.Equal(codes, []int{200, 412}) {
			t.Fatalf("concurrent edits answered %v, want one 200 and one 412", codes)
		}
	})
}

func TestRepliesAndNotes(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		r := f.do(t, "POST", "/api/tickets/1/replies", "bob", `{"text":"On it."}`)
		if r.status != 201 || r.body["direction"] != "out" || r.body["status"] != "queued" {
			t.Fatalf("reply: %d %s", r.status, r.raw)
		}
		if len(f.out.jobs) != 1 || !strings.Contains(f.out.jobs[0], `"kind":"reply.email"`) {
			t.Fatalf("published %v, want the reply's email job", f.out.jobs)
		}
		if box, _ := f.st.PendingOutbox(context.Background(), "1"); len(box) != 0 {
			t.Fatalf("the published job is still pending: %v", box)
		}
		if tk := f.do(t, "GET", "/api/tickets/1", "bob", ""); tk.body["ticket"].(map[string]any)["owner_id"] != "bob" {
			t.Fatalf("replying to an unassigned ticket did not make bob its owner: %s", tk.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/1/replies", "vic", `{"text":"Hello"}`); r.status != 403 || reason(r) != "viewer_read_only" {
			t.Fatalf("a viewer's reply: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/1/replies", "bob", `{"text":"  "}`); r.status != 400 || reason(r) != "text_required" {
			t.Fatalf("an empty reply: %d %s", r.status, r.raw)
		}
		n := f.do(t, "POST", "/api/tickets/1/notes", "vic", `{"text":"Customer called."}`)
		if n.status != 201 || n.body["direction"] != "note" || n.body["author_agent_id"] != "vic" {
			t.Fatalf("a viewer's note: %d %s", n.status, n.raw)
		}
		if len(f.out.jobs) != 1 {
			t.Fatalf("a note published a job: %v", f.out.jobs)
		}
		conv := f.do(t, "GET", "/api/tickets/1", "ann", "")
		msgs := 0
		for _, e := range conv.body["timeline"].(map[string]any)["entries"].([]any) {
			if e.(map[string]any)["kind"] != "activity" {
				msgs++
			}
		}
		if msgs != 3 {
			t.Fatalf("conversation has %d messages, want the customer's, the reply and the note", msgs)
		}
	})
}

// The default views hold exactly the tickets each user may see, page by
// page; a cursor that was changed, or that belongs to another view, is a 400.
func TestDefaultViews(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		ids := func(r response) []string {
			var out []string
			for _, tk := range r.body["tickets"].([]any) {
				out = append(out, tk.(map[string]any)["id"].(string))
			}
			return out
		}
		// all pages of a view, two at a time
		all := func(who, view string) []string {
			var got []string
			cursor := ""
			for range 10 {
				r := f.do(t, "GET", "/api/views/"+view+"/tickets?limit=2&cursor="+cursor, who, "")
				if r.status != 200 {
					t.Fatalf("%s %s: %d %s", who, view, r.status, r.raw)
				}
				got = append(got, ids(r)...)
				next, _ := r.body["next"].(string)
				if next == "" {
					return got
				}
				cursor = next
			}
			t.Fatalf("%s %s: more than 10 pages", who, view)
			return nil
		}
		for _, c := range []struct {
			who, view string
			want      []string
		}{
			{"ann", "all_open", []string{"3", "2", "1"}},
			{"ann", "unassigned", []string{"1"}},
			{"bob", "all_open", []string{"3", "1"}}, // not cat's ticket 2 (team B)
			{"bob", "my_open", []string{"3"}},
			{"bob", "my_team_unassigned", []string{"1"}},
			{"bob", "my_team_open", []string{"1"}},
			{"cat", "all_open", []string{"2"}},
			{"cat", "unassigned", nil},
			{"vic", "all_open", []string{"1"}},
			{"ann", "closed", nil},
			{"ann", "spam", nil},
		} {
			if got := all(c.who, c.view); !slices.Equal(got, c.want) {
				t.Errorf("%s's %s = %v, want %v", c.who, c.view, got, c.want)
			}
		}
		first := f.do(t, "GET", "/api/views/all_open/tickets?limit=1", "ann", "")
		next, _ := first.body["next"].(string)
		if next == "" {
			t.Fatalf("a page of 1 of 3 tickets has no next: %s", first.raw)
		}
		body, sig, _ := strings.Cut(next, ".")
		for name, c := range map[string]string{
			"changed signature": body + "." + strings.Repeat("A", len(sig)),
			"changed body":      "e30." + sig,
			"garbage":           "not-a-cursor",
		} {
			if r := f.do(t, "GET", "/api/views/all_open/tickets?cursor="+c, "ann", ""); r.status != 400 || reason(r) != "invalid_cursor" {
				t.Errorf("%s: %d %s, want 400 invalid_cursor", name, r.status, r.raw)
			}
		}
		if r := f.do(t, "GET", "/api/views/unassigned/tickets?cursor="+next, "ann", ""); r.status != 400 || reason(r) != "invalid_cursor" {
			t.Errorf("another view's cursor: %d %s, want 400", r.status, r.raw)
		}
		for _, c := range []struct{ path, who, want string }{
			{"/api/views/everything/tickets", "ann", "view_not_found"},
			{"/api/views/all_open/tickets?limit=0", "ann", "invalid_limit"},
			{"/api/views/all_open/tickets?limit=101", "ann", "invalid_limit"},
			{"/api/views/my_team_open/tickets?team=B", "bob", "not_your_team"},
			{"/api/views/my_team_open/tickets", "ann", "no_team"},
		} {
			if r := f.do(t, "GET", c.path, c.who, ""); r.status/100 != 4 || reason(r) != c.want {
				t.Errorf("%s as %s: %d %s, want %s", c.path, c.who, r.status, r.raw, c.want)
			}
		}
	})
}

// Found by fuzzing the API from its document (infra/devstack/localrun,
// schemathesis): values past DynamoDB's key and item limits were 500s, a
// null body was an empty edit. Each is a 400 (or, for an id no ticket can
// have, the 404 of a missing ticket) with a reason, before anything is read
// or written; values at the documented bounds are served.
func TestInputPastTheDocumentedBoundsIsRefused(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		big := strings.Repeat("x", 500_000)
		for _, c := range []struct {
			method, path, body string
			status             int
			want               string
		}{
			{"POST", "/api/tickets/1/notes", `{"text":"` + big + `"}`, 400, "field_too_long"},
			{"POST", "/api/tickets/1/replies", `{"text":"` + big + `"}`, 400, "field_too_long"},
			{"PATCH", "/api/tickets/1", `{"subject":"` + big + `"}`, 400, "field_too_long"},
			{"PATCH", "/api/tickets/1", `{"category":"` + big + `"}`, 400, "field_too_long"},
			{"PATCH", "/api/tickets/1", `{"owner_id":"` + strings.Repeat("o", 3000) + `"}`, 400, "field_too_long"},
			{"PATCH", "/api/tickets/1", `{"team_id":"` + strings.Repeat("t", 101) + `"}`, 400, "field_too_long"},
			{"PATCH", "/api/tickets/1", `{"status":"` + strings.Repeat("s", 101) + `"}`, 400, "field_too_long"},
			{"PATCH", "/api/tickets/1", `null`, 400, "invalid_json"},
			{"POST", "/api/tickets/1/notes", `null`, 400, "invalid_json"},
			{"GET", "/api/tickets/" + strings.Repeat("9", 3000), "", 404, "ticket_not_found"},
			{"PATCH", "/api/tickets/" + strings.Repeat("9", 21), `{"priority":"high"}`, 404, "ticket_not_found"},
			{"POST", "/api/tickets/1x/notes", `{"text":"hi"}`, 404, "ticket_not_found"},
			{"GET", "/api/views/my_team_open/tickets?team=" + strings.Repeat("t", 101), "", 400, "invalid_team"},
			{"GET", "/api/views/all_open/tickets?cursor=" + strings.Repeat("A", 3000) + ".AA", "", 400, "invalid_cursor"},
		} {
			if r := f.do(t, c.method, c.path, "ann", c.body); r.status != c.status || reason(r) != c.want {
				t.Errorf("%s %.60s %.60s: %d %.200s, want %d %s", c.method, c.path, c.body, r.status, r.raw, c.status, c.want)
			}
		}
		for _, tag := range []string{"", " ", `"01"`, `"0"`, `""`, `"1234567890123456789"`, `W/"1"`, `*`, `"1", "2"`} {
			if r := f.do(t, "PATCH", "/api/tickets/1", "ann", `{"priority":"high"}`, "If-Match", tag); r.status != 400 || reason(r) != "invalid_if_match" {
				t.Errorf("If-Match %s: %d %s, want 400 invalid_if_match", tag, r.status, r.raw)
			}
		}
		// At the bounds, in 4-byte characters, everything fits.
		wide := func(n int) string { return strings.Repeat("😀", n) }
		if r := f.do(t, "PATCH", "/api/tickets/1", "ann", `{"subject":"`+wide(1000)+`","category":"`+wide(100)+`"}`); r.status != 200 {
			t.Errorf("a subject and category at their bounds: %d %.200s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/1/notes", "ann", `{"text":"`+wide(50_000)+`"}`); r.status != 201 {
			t.Errorf("a note at the bound: %d %.200s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/1/replies", "ann", `{"text":"`+wide(50_000)+`"}`); r.status != 201 {
			t.Errorf("a reply at the bound: %d %.200s", r.status, r.raw)
		}
	})
}

// A ticket moves to another team with its owner kept; a team that does
// not exist is refused.
func TestMovingATicketToAnotherTeam(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		r := f.do(t, "PATCH", "/api/tickets/2", "ann", `{"team_id":"A"}`)
		if r.status != 200 || r.body["owner_id"] != "cat" || r.body["team_id"] != "A" {
			t.Fatalf("move to team A: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "GET", "/api/tickets/2", "bob", ""); r.status != 200 {
			t.Fatalf("bob (team A) cannot see the ticket moved to his team: %d", r.status)
		}
		if r := f.do(t, "PATCH", "/api/tickets/2", "ann", `{"team_id":"nope"}`); r.status != 400 || reason(r) != "team_unknown" {
			t.Fatalf("an unknown team: %d %s", r.status, r.raw)
		}
	})
}

// Opening a ticket marks it read for everybody; anyone who sees it can
// mark it unread again; a customer's message marks it unread too.
func TestReadAndUnread(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		unread := func(who string) any {
			return f.do(t, "GET", "/api/tickets/1", who, "").body["ticket"].(map[string]any)["unread"]
		}
		if unread("ann") != true {
			t.Fatal("a new ticket is not unread")
		}
		r := f.do(t, "POST", "/api/tickets/1/read", "bob", "")
		if r.status != 200 || r.body["unread"] != false || r.header.Get("ETag") != `"2"` {
			t.Fatalf("read: %d %s", r.status, r.raw)
		}
		if unread("ann") != false {
			t.Fatal("bob read it, but it is still unread for ann")
		}
		if r := f.do(t, "POST", "/api/tickets/1/read", "ann", ""); r.status != 200 || r.header.Get("ETag") != `"2"` {
			t.Fatalf("reading a read ticket changed it: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/1/unread", "vic", ""); r.status != 200 || r.body["unread"] != true {
			t.Fatalf("unread: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/2/read", "bob", ""); r.status != 404 {
			t.Fatalf("marking an invisible ticket read: %d", r.status)
		}
	})
}

// An agent says they are away, and back: routing reads it. An agent whose
// availability follows working hours is refused.
func TestAvailability(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		r := f.do(t, "PUT", "/api/me/availability", "bob", `{"away":true}`)
		avail, _ := r.body["availability"].(map[string]any)
		if r.status != 200 || avail["away"] != true || r.body["role"] != "agent" {
			t.Fatalf("away: %d %s", r.status, r.raw)
		}
		if a, _ := f.st.GetAgent(context.Background(), "bob"); !a.Availability.Away || a.Permissions.Scope != helpdesk.ScopeTeams {
			t.Fatalf("stored: %+v", a)
		}
		if r := f.do(t, "PUT", "/api/me/availability", "bob", `{"away":false}`); r.status != 200 {
			t.Fatalf("back: %d %s", r.status, r.raw)
		}
		for _, body := range []string{`{}`, `null`, `{"away":"yes"}`} {
			if r := f.do(t, "PUT", "/api/me/availability", "bob", body); r.status != 400 {
				t.Errorf("%s: %d %s, want 400", body, r.status, r.raw)
			}
		}
		cat, _ := f.st.GetAgent(context.Background(), "cat")
		cat.Availability.Mode = helpdesk.AvailabilitySchedule
		if err := f.st.PutAgent(context.Background(), cat); err != nil {
			t.Fatal(err)
		}
		if r := f.do(t, "PUT", "/api/me/availability", "cat", `{"away":true}`); r.status != 409 || reason(r) != "availability_by_schedule" {
			t.Fatalf("schedule mode: %d %s", r.status, r.raw)
		}
	})
}

// The notification emails an edit commits (here an assignment, one by
// PATCH and one by a bulk change) are published at once, not left for the
// outbox relay's next sweep.
func TestEditsPublishTheirJobsAtOnce(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		if r := f.do(t, "PUT", "/api/me/notifications", "bob", `{"assigned":{"email":true}}`); r.status != 200 {
			t.Fatalf("bob's preferences: %d %s", r.status, r.raw)
		}
		emails := func() int {
			f.out.mu.Lock()
			defer f.out.mu.Unlock()
			n := 0
			for _, j := range f.out.jobs {
				if strings.Contains(j, `"kind":"notification.email"`) {
					n++
				}
			}
			return n
		}
		if r := f.do(t, "PATCH", "/api/tickets/1", "ann", `{"owner_id":"bob"}`); r.status != 200 {
			t.Fatalf("assign: %d %s", r.status, r.raw)
		}
		if n := emails(); n != 1 {
			t.Fatalf("%d notification emails published after the PATCH, want 1", n)
		}
		if r := f.do(t, "POST", "/api/tickets/bulk", "ann", `{"ids":["2"],"change":{"owner_id":"bob","team_id":"A"}}`); r.status != 200 {
			t.Fatalf("bulk assign: %d %s", r.status, r.raw)
		}
		if n := emails(); n != 2 {
			t.Fatalf("%d notification emails published after the bulk change, want 2", n)
		}
		if tk := f.do(t, "GET", "/api/tickets/2", "ann", ""); tk.status != 200 {
			t.Fatal(tk.raw)
		}
		if box, err := f.st.PendingOutbox(context.Background(), "1"); err != nil || len(box) != 0 {
			t.Fatalf("ticket 1's outbox after publishing: %v %v", box, err)
		}
	})
}

// An agent renames a ticket and rewrites its description in one edit; each
// is a property activity on the timeline, and a description past its bound
// is refused naming the field.
func TestNameAndDescription(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		r := f.do(t, "PATCH", "/api/tickets/1", "bob", `{"subject":"Printer on floor 2","description":"  The floor 2 printer jams on A3.  "}`)
		if r.status != 200 || r.body["subject"] != "Printer on floor 2" || r.body["description"] != "The floor 2 printer jams on A3." {
			t.Fatalf("edit: %d %s", r.status, r.raw)
		}
		acts := f.do(t, "GET", "/api/tickets/1/timeline?kind=activity", "bob", "")
		fields := map[string]bool{}
		for _, e := range acts.body["entries"].([]any) {
			if a, ok := e.(map[string]any)["activity"].(map[string]any); ok {
				if fd, _ := a["field"].(string); fd != "" {
					fields[fd] = true
				}
			}
		}
		if !fields["subject"] || !fields["description"] {
			t.Errorf("property activities %v, want subject and description: %s", fields, acts.raw)
		}
		if r := f.do(t, "PATCH", "/api/tickets/1", "bob", `{"description":"`+strings.Repeat("x", 5001)+`"}`); r.status != 400 || !strings.Contains(r.raw, "description") {
			t.Errorf("a 5,001-character description: %d %s", r.status, r.raw)
		}
	})
}
