package portal_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/stackdesk/stackdesk/infra/devstack/fuzzapi"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/api/portal"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

var (
	t0    = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
	mail  = helpdesk.Channel{ID: "email:support@acme.example", Kind: helpdesk.ChannelEmail, Name: "Support",
		Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"},
		Email:    &helpdesk.EmailSettings{Address: "support@acme.example", CompanyName: "Acme"}}
	ann = helpdesk.Agent{ID: "ann", Name: "Ann Agent", Email: "ann@acme.example", Seat: true, Active: true, Role: helpdesk.RoleAdmin, Sub: "sub-ann"}
)

// What no portal response may ever hold (TestNoInternalsInAnyResponse).
const (
	noteText    = "INTERNAL-NOTE-do-not-show"
	hiddenField = "HIDDEN-FIELD-utm-secret"
)

// The contract every test response is held to (as the agent API's).
var contract = sync.OnceValues(func() (*fuzzapi.Contract, error) { return fuzzapi.LoadContract(portal.OpenAPI) })

func checkContract(t *testing.T, req *http.Request, resp *http.Response, raw []byte) {
	t.Helper()
	c, err := contract()
	if err != nil {
		t.Fatal(err)
	}
	c.Check(t, req, resp, raw)
}

type published struct {
	mu   sync.Mutex
	jobs []jobs.PortalAccess
}

func (p *published) Publish(_ context.Context, body string) error {
	env, err := jobs.DecodeEnvelope(body)
	if err != nil {
		return err
	}
	if env.Kind != jobs.KindPortalAccess {
		return nil
	}
	var job jobs.PortalAccess
	if err := env.Decode(&job); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.jobs = append(p.jobs, job)
	return nil
}

func (p *published) last(t *testing.T) jobs.PortalAccess {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.jobs) == 0 {
		t.Fatal("no portal access mail was queued")
	}
	return p.jobs[len(p.jobs)-1]
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

type fixture struct {
	srv *httptest.Server
	st  testbed.Store
	out *published
	clk *clock
	api *portal.API
	ip  string // the source IP of the next requests

	mu     sync.Mutex
	bodies []string        // every response body, for the walk
	ok     []*http.Request // every request answered 2xx, for the walk's coverage

	queue *queued    // the ingest queue (actions_test.go)
	files *fakeFiles // the bucket's uploads (actions_test.go)
}

// newPortal seeds two customers: cus1 (contact c1) with ticket 1 (open:
// a form message with a hidden field, an internal note, an agent's reply,
// an assignment) and ticket 3 (closed); cus2 (c2) with ticket 2.
func newPortal(t *testing.T, b testbed.Backend) *fixture {
	clk := &clock{now: t0}
	st := b.Open(t, clk.Now)
	ctx := context.Background()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.PutAgent(ctx, ann))
	must(st.PutChannel(ctx, mail))
	set := helpdesk.DefaultSettings()
	for _, c := range []helpdesk.Contact{{ID: "c1", Name: "Cus One", Email: "cus1@example.com", CreatedAt: t0}, {ID: "c2", Name: "Cus Two", Email: "cus2@example.com", CreatedAt: t0}} {
		must(st.CreateContact(ctx, c, helpdesk.Sender{Email: c.Email}.Key(helpdesk.ChannelEmail)))
	}
	openTicket(t, st, "1", "c1", "cus1@example.com", t0)
	openTicket(t, st, "2", "c2", "cus2@example.com", t0.Add(time.Minute))
	openTicket(t, st, "3", "c1", "cus1@example.com", t0.Add(2*time.Minute))
	head := func(id string) helpdesk.Ticket { return header(t, st, id) }
	aud := ticket.Audience{"ann": helpdesk.Principal{Agent: ann}}
	c, err := ticket.Assign(head("1"), &ann, "", "ann", t0.Add(3*time.Minute))
	must(err)
	must(st.Commit(ctx, c))
	c, _, err = ticket.Note(head("1"), ticket.NoteInput{AgentID: "ann", Text: noteText}, aud, t0.Add(4*time.Minute))
	must(err)
	must(st.Commit(ctx, c))
	c, _, err = ticket.Reply(head("1"), mail, ticket.ReplyInput{AgentID: "ann", Text: "We are on it."}, t0.Add(5*time.Minute))
	must(err)
	must(st.Commit(ctx, c))
	closing, err := ticket.ClosingStatus(set, "support")
	must(err)
	c, err = ticket.SetStatus(head("3"), closing, "ann", aud, set, t0.Add(6*time.Minute))
	must(err)
	must(st.Commit(ctx, c))

	f := &fixture{st: st, out: &published{}, clk: clk, ip: "192.0.2.1", queue: &queued{}, files: newFakeFiles()}
	f.api = &portal.API{Store: st, Outbound: f.out, Key: []byte("test-portal-key-0123456789abcdef"),
		LinkBase: "https://help.acme.example/portal/#/signin?token=", Log: quiet, Now: clk.Now,
		SourceIP: func(r *http.Request) string { return r.Header.Get("X-Test-IP") },
		Ingest:   f.queue, Uploads: f.files} // actions_test.go
	withReads(f) // the read side's ports (reads_test.go)
	mux := http.NewServeMux()
	f.api.Register(mux)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// openTicket commits ticket id, opened by the mail "Help with <id>" of
// contact cid at at.
func openTicket(t *testing.T, st testbed.Store, id, cid, email string, at time.Time) {
	t.Helper()
	m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: mail.ID,
		ProviderMessageID: "m" + id + "@example.com", ReceivedAt: at, Sender: helpdesk.Sender{Email: email},
		Subject: "Question " + id, Text: "Help with " + id}
	msg := helpdesk.Message{ID: "msg-" + id, Direction: helpdesk.Inbound, ChannelID: mail.ID, ChannelKind: helpdesk.ChannelEmail,
		AuthorContactID: cid, Text: m.Text, CreatedAt: at, Submission: map[string]string{"utm_campaign": hiddenField}}
	c, _ := ticket.Open(ticket.Arrival{ID: id, Inbound: m, Message: msg, Channel: mail, ContactID: cid,
		SenderKey: m.Sender.Key(m.Channel)}, helpdesk.DefaultSettings(), at)
	if err := st.Commit(t.Context(), c); err != nil {
		t.Fatal(err)
	}
}

func header(t *testing.T, st testbed.Store, id string) helpdesk.Ticket {
	t.Helper()
	tk, err := st.GetTicketHeader(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

type response struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (f *fixture) do(t *testing.T, method, path, session, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if session != "" {
		req.Header.Set("Authorization", "Bearer "+session)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	f.mu.Lock()
	req.Header.Set("X-Test-IP", f.ip)
	f.mu.Unlock()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	checkContract(t, req, resp, raw)
	// Every response of every test, not only the walk's: no note, no hidden field.
	for _, secret := range []string{noteText, hiddenField} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("%s %s answers %q: %s", method, path, secret, raw)
		}
	}
	f.mu.Lock()
	f.bodies = append(f.bodies, string(raw))
	if resp.StatusCode < 300 {
		f.ok = append(f.ok, req)
	}
	f.mu.Unlock()
	out := response{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &out.body)
	return out
}

func (f *fixture) from(ip string) { f.mu.Lock(); f.ip = ip; f.mu.Unlock() }

func reason(r response) string {
	e, _ := r.body["error"].(map[string]any)
	s, _ := e["reason"].(string)
	return s
}

// access asks for a link for addr and returns the mailed token and code.
func (f *fixture) access(t *testing.T, addr string) (token, code string) {
	t.Helper()
	if r := f.do(t, "POST", "/portal/api/access", "", `{"email":"`+addr+`"}`); r.status != 202 {
		t.Fatalf("access %s: %d %s", addr, r.status, r.raw)
	}
	job := f.out.last(t)
	tok, ok := strings.CutPrefix(job.Link, f.api.LinkBase)
	if !ok {
		t.Fatalf("link %q is not under the link base", job.Link)
	}
	tok, err := url.QueryUnescape(tok)
	if err != nil {
		t.Fatal(err)
	}
	return tok, job.Code
}

// signIn opens a session for addr by its link.
func (f *fixture) signIn(t *testing.T, addr string) string {
	t.Helper()
	tok, _ := f.access(t, addr)
	r := f.do(t, "POST", "/portal/api/session", "", `{"token":"`+tok+`"}`)
	if r.status != 201 {
		t.Fatalf("session: %d %s", r.status, r.raw)
	}
	return r.body["session"].(string)
}

func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]any `yaml:"paths"`
	}
	if err := yaml.Unmarshal(portal.OpenAPI, &doc); err != nil {
		t.Fatal(err)
	}
	var documented, served []string
	for path, ops := range doc.Paths {
		for method := range ops {
			if method != "parameters" {
				documented = append(documented, strings.ToUpper(method)+" "+path)
			}
		}
	}
	for _, r := range (&portal.API{}).Routes() {
		served = append(served, r.Pattern)
	}
	slices.Sort(documented)
	slices.Sort(served)
	if !slices.Equal(documented, served) {
		t.Fatalf("routes and document differ:\nserved     %v\ndocumented %v", served, documented)
	}
	f := newPortal(t, testbed.Mem)
	if r := f.do(t, "GET", "/portal/api/openapi.yaml", "", ""); r.status != 200 || r.raw != string(portal.OpenAPI) {
		t.Fatalf("GET /portal/api/openapi.yaml: %d", r.status)
	}
}

// A known and an unknown address get the same status and the same bytes;
// only the known one is mailed, with a link and a 6-digit code.
func TestAccessAnswersAlikeForKnownAndUnknownAddresses(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newPortal(t, b)
		known := f.do(t, "POST", "/portal/api/access", "", `{"email":"Cus1@Example.com"}`)
		unknown := f.do(t, "POST", "/portal/api/access", "", `{"email":"nobody@example.com"}`)
		if known.status != 202 || unknown.status != known.status || unknown.raw != known.raw || !sameHeaders(known.header, unknown.header) {
			t.Fatalf("known %d %v %q, unknown %d %v %q: want the same 202", known.status, known.header, known.raw, unknown.status, unknown.header, unknown.raw)
		}
		if len(f.out.jobs) != 2 || f.out.jobs[1].ContactID != "" {
			t.Fatalf("mail jobs %+v, want the known address's and an unknown one's decoy (no contact)", f.out.jobs)
		}
		// The decoy's link and code open nothing.
		decoy := f.out.jobs[1]
		tok, _ := url.QueryUnescape(strings.TrimPrefix(decoy.Link, f.api.LinkBase))
		for _, body := range []string{`{"token":"` + tok + `"}`, `{"email":"nobody@example.com","code":"` + decoy.Code + `"}`} {
			if r := f.do(t, "POST", "/portal/api/session", "", body); r.status != 401 || reason(r) != "link_invalid" {
				t.Fatalf("the decoy's %s: %d %s", body, r.status, r.raw)
			}
		}
		job := f.out.jobs[0]
		if job.ToEmail != "cus1@example.com" || job.ContactID != "c1" || len(job.Code) != 6 || !strings.HasPrefix(job.Link, f.api.LinkBase) ||
			!job.ExpiresAt.Equal(t0.Add(portal.GrantTTL)) {
			t.Fatalf("mail job: %+v", job)
		}
		if r := f.do(t, "POST", "/portal/api/access", "", `{"email":"not an address"}`); r.status != 400 || reason(r) != "invalid_email" {
			t.Fatalf("malformed address: %d %s", r.status, r.raw)
		}
	})
}

// A link or a code opens a session once; a used, expired, tampered or
// foreign (another tenant's key) one, or a wrong code, is a 401; a
// revoked session is refused from the next request on.
func TestLinksAndCodesOpenASessionOnce(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newPortal(t, b)
		tok, code := f.access(t, "cus1@example.com")
		exchange := func(body string) response { return f.do(t, "POST", "/portal/api/session", "", body) }
		tampered := []byte(tok)
		i := strings.LastIndex(tok, ".") - 3
		tampered[i] ^= 1
		for _, c := range []struct{ name, body string }{
			{"tampered link", `{"token":"` + string(tampered) + `"}`},
			{"garbage link", `{"token":"v1.1.2.3"}`},
			{"wrong code", `{"email":"cus1@example.com","code":"` + wrongCode(code) + `"}`},
			{"code of another address", `{"email":"cus2@example.com","code":"` + code + `"}`},
		} {
			if r := exchange(c.body); r.status != 401 || reason(r) != "link_invalid" {
				t.Errorf("%s: %d %s, want 401 link_invalid", c.name, r.status, r.raw)
			}
		}
		r := exchange(`{"token":"` + tok + `"}`)
		if r.status != 201 || r.body["session"] == "" || !strings.Contains(r.header.Get("Set-Cookie"), "HttpOnly") {
			t.Fatalf("link: %d %s", r.status, r.raw)
		}
		s1 := r.body["session"].(string)
		if r := exchange(`{"token":"` + tok + `"}`); r.status != 401 || reason(r) != "link_invalid" {
			t.Fatalf("used link: %d %s", r.status, r.raw)
		}
		r = exchange(`{"email":"CUS1@example.com","code":"` + code + `"}`)
		if r.status != 201 {
			t.Fatalf("code: %d %s", r.status, r.raw)
		}
		s2 := r.body["session"].(string)
		if r := exchange(`{"email":"cus1@example.com","code":"` + code + `"}`); r.status != 401 {
			t.Fatalf("used code: %d %s", r.status, r.raw)
		}
		if s1 == s2 {
			t.Fatal("two sessions share an id")
		}

		// Expired: 15 minutes after it was asked for.
		tok, code = f.access(t, "cus1@example.com")
		f.clk.Add(portal.GrantTTL)
		for _, body := range []string{`{"token":"` + tok + `"}`, `{"email":"cus1@example.com","code":"` + code + `"}`} {
			if r := exchange(body); r.status != 401 || reason(r) != "link_invalid" {
				t.Errorf("expired %s: %d %s", body, r.status, r.raw)
			}
		}

		// Sessions: both work; one revoked is refused, the other not.
		for _, s := range []string{s1, s2} {
			if r := f.do(t, "GET", "/portal/api/tickets", s, ""); r.status != 200 {
				t.Fatalf("session: %d %s", r.status, r.raw)
			}
		}
		if r := f.do(t, "DELETE", "/portal/api/session", s1, ""); r.status != 204 {
			t.Fatalf("sign out: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "GET", "/portal/api/tickets", s1, ""); r.status != 401 || reason(r) != "session_invalid" {
			t.Fatalf("revoked session: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "GET", "/portal/api/tickets", s2, ""); r.status != 200 {
			t.Fatalf("the other session: %d %s", r.status, r.raw)
		}
		f.clk.Add(portal.SessionTTL)
		if r := f.do(t, "GET", "/portal/api/tickets", s2, ""); r.status != 401 {
			t.Fatalf("expired session: %d %s", r.status, r.raw)
		}
		for _, s := range []string{"", "forged"} {
			if r := f.do(t, "GET", "/portal/api/tickets", s, ""); r.status != 401 {
				t.Fatalf("session %q: %d %s", s, r.status, r.raw)
			}
		}
	})
}

// A link or code of another tenant (another stack: its own key and table)
// is refused.
func TestAnotherTenantsLinkIsRefused(t *testing.T) {
	f := newPortal(t, testbed.Mem)
	other := newPortal(t, testbed.Mem)
	other.api.Key = []byte("another-tenants-key-0123456789ab")
	tok, code := other.access(t, "cus1@example.com")
	if r := f.do(t, "POST", "/portal/api/session", "", `{"token":"`+tok+`"}`); r.status != 401 || reason(r) != "link_invalid" {
		t.Fatalf("another tenant's link: %d %s", r.status, r.raw)
	}
	if r := f.do(t, "POST", "/portal/api/session", "", `{"email":"cus1@example.com","code":"`+code+`"}`); r.status != 401 || reason(r) != "link_invalid" {
		t.Fatalf("another tenant's code: %d %s", r.status, r.raw)
	}
	// Both still work where they were issued.
	if r := other.do(t, "POST", "/portal/api/session", "", `{"email":"cus1@example.com","code":"`+code+`"}`); r.status != 201 {
		t.Fatalf("the code at its own tenant: %d %s", r.status, r.raw)
	}
}

// sameHeaders reports whether two answers' headers are the same but for
// the ones that differ by the clock or the body's length.
func sameHeaders(a, b http.Header) bool {
	a, b = a.Clone(), b.Clone()
	for _, h := range []string{"Date", "Content-Length"} {
		a.Del(h)
		b.Del(h)
	}
	return reflect.DeepEqual(a, b)
}

func wrongCode(code string) string {
	if code == "000000" {
		return "000001"
	}
	return "000000"
}

// Concurrent uses of one link: exactly one session.
func TestALinkOpensOneSessionUnderConcurrency(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newPortal(t, b)
		tok, _ := f.access(t, "cus1@example.com")
		var wg sync.WaitGroup
		statuses := make([]int, 8)
		for i := range statuses {
			wg.Add(1)
			go func() {
				defer wg.Done()
				statuses[i] = f.do(t, "POST", "/portal/api/session", "", `{"token":"`+tok+`"}`).status
			}()
		}
		wg.Wait()
		slices.Sort(statuses)
		if want := []int{201, 401, 401, 401, 401, 401, 401, 401}; !slices.Equal(statuses, want) {
			t.Fatalf("statuses %v, want one 201", statuses)
		}
	})
}

// A customer sees their own tickets; another customer's ticket is a 404
// on every route that takes an id, with the same body as a missing one.
func TestOwnTicketsOnly(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newPortal(t, b)
		s1 := f.signIn(t, "cus1@example.com")
		ids := func(r response) []string {
			var out []string
			for _, tk := range r.body["tickets"].([]any) {
				out = append(out, tk.(map[string]any)["id"].(string))
			}
			return out
		}
		for q, want := range map[string][]string{"": {"3", "1"}, "?status=all": {"3", "1"}, "?status=open": {"1"}, "?status=closed": {"3"}} {
			r := f.do(t, "GET", "/portal/api/tickets"+q, s1, "")
			if r.status != 200 || !slices.Equal(ids(r), want) {
				t.Errorf("list%s: %d %s, want %v", q, r.status, r.raw, want)
			}
		}
		for _, q := range []string{"?status=spam", "?status=", "?status=open&status=", "?q=", "?q=a&q=b"} { // "" is no value of the enum (schemathesis)
			if r := f.do(t, "GET", "/portal/api/tickets"+q, s1, ""); r.status != 400 {
				t.Errorf("%s: %d %s", q, r.status, r.raw)
			}
		}
		// A search finds their own tickets only ("question" is in every subject, "help" in every first message).
		for _, q := range []string{"question", "help", "2", "%232"} {
			r := f.do(t, "GET", "/portal/api/tickets?q="+q, s1, "")
			if r.status != 200 || slices.Contains(ids(r), "2") {
				t.Errorf("search %s: %d %s, want no ticket 2", q, r.status, r.raw)
			}
		}
		// Each route is asked with a body it would take (so a route that
		// read the body before the ticket would still be asked about the
		// ticket), and with none; the answer for another's ticket is the
		// missing one's, body and headers.
		bodies := map[string]string{
			"POST /portal/api/tickets/{id}/replies": `{"text":"Mine now?"}`,
			"POST /portal/api/tickets/{id}/rating":  `{"score":1,"comment":"x"}`,
		}
		var idRoutes int
		for _, rt := range (&portal.API{}).Routes() {
			method, path, _ := strings.Cut(rt.Pattern, " ")
			if !strings.Contains(path, "{id}") {
				continue
			}
			idRoutes++
			for _, body := range []string{bodies[rt.Pattern], ""} {
				missing := f.do(t, method, strings.ReplaceAll(path, "{id}", "999"), s1, body)
				theirs := f.do(t, method, strings.ReplaceAll(path, "{id}", "2"), s1, body)
				if theirs.status != 404 || theirs.raw != missing.raw || !sameHeaders(theirs.header, missing.header) {
					t.Errorf("%s %s with another customer's ticket: %d %v %s; a missing one: %d %v %s", rt.Pattern, body,
						theirs.status, theirs.header, theirs.raw, missing.status, missing.header, missing.raw)
				}
			}
			if own := f.do(t, method, strings.ReplaceAll(path, "{id}", "1"), s1, bodies[rt.Pattern]); own.status == 404 || own.status >= 500 {
				t.Errorf("%s with their own ticket: %d %s", rt.Pattern, own.status, own.raw)
			}
		}
		if n := len(f.queue.all()); n != 2 { // the own ticket's reply and close; nothing for ticket 2 or 999
			t.Errorf("%d actions queued, want the own ticket's 2", n)
		}
		if idRoutes == 0 {
			t.Fatal("no route takes a ticket id")
		}
		r := f.do(t, "GET", "/portal/api/tickets/1", s1, "")
		msgs := r.body["messages"].([]any)
		if len(msgs) != 2 || msgs[0].(map[string]any)["from"] != "customer" || msgs[1].(map[string]any)["from"] != "agent" ||
			msgs[1].(map[string]any)["agent_name"] != "Ann Agent" {
			t.Fatalf("ticket 1's conversation: %s", r.raw)
		}
	})
}

// Every body any portal route gave in a whole session walks clean: no note
// text, hidden field, activity, routing or internal field anywhere.
func TestNoInternalsInAnyResponse(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newPortal(t, b)
		s1 := f.signIn(t, "cus1@example.com")
		f.do(t, "GET", "/portal/api/openapi.yaml", "", "")
		for _, q := range []string{"", "?status=open", "?status=closed"} {
			f.do(t, "GET", "/portal/api/tickets"+q, s1, "")
		}
		for _, id := range []string{"1", "2", "3", "999"} {
			f.do(t, "GET", "/portal/api/tickets/"+id, s1, "")
		}
		// The read side's routes (reads_test.go): search (a note's words too), me, the visit, the tenant, ratings.
		for _, q := range []string{"question", "internal", "note", "show", "help+question", "%231"} {
			f.do(t, "GET", "/portal/api/tickets?q="+q, s1, "")
		}
		f.do(t, "GET", "/portal/api/me", s1, "")
		f.do(t, "POST", "/portal/api/me/visit", s1, "")
		f.do(t, "GET", "/portal/api/tenant", "", "")
		for _, id := range []string{"3", "3", "1", "2"} {
			f.do(t, "POST", "/portal/api/tickets/"+id+"/rating", s1, `{"score":4,"comment":"ok"}`)
		}
		f.do(t, "GET", "/portal/api/tickets/3", s1, "")
		walkActions(t, f, s1) // actions_test.go
		f.do(t, "POST", "/portal/api/access", "", `{"phone":"+15551234567"}`)
		f.do(t, "DELETE", "/portal/api/session", s1, "")
		// The walk answered every route with a 2xx at least once: a new
		// route is walked, or this fails.
		mux := http.NewServeMux()
		for _, rt := range f.api.Routes() {
			mux.Handle(rt.Pattern, http.NotFoundHandler())
		}
		walked := map[string]bool{}
		f.mu.Lock()
		for _, req := range f.ok {
			_, pattern := mux.Handler(req)
			walked[pattern] = true
		}
		f.mu.Unlock()
		for _, rt := range f.api.Routes() {
			if !walked[rt.Pattern] {
				t.Errorf("the walk has no 2xx answer of %s", rt.Pattern)
			}
		}
		conv, err := f.st.GetTicket(context.Background(), "1")
		if err != nil {
			t.Fatal(err)
		}
		var forbidden []string // values
		for _, a := range conv.Activities {
			forbidden = append(forbidden, a.ID)
		}
		for _, m := range conv.Messages {
			if m.Direction == helpdesk.Note {
				forbidden = append(forbidden, m.ID)
			}
		}
		if len(conv.Activities) == 0 || len(forbidden) == len(conv.Activities) {
			t.Fatalf("the fixture lacks activity or a note: %+v", conv)
		}
		forbidden = append(forbidden, noteText, hiddenField, "sub-ann", "ann@acme.example")
		forbiddenKeys := []string{"activities", "activity", "thread_reason", "thread_note", "owner_id", "team_id", "routing",
			"submission", "followers", "participants", "author_agent_id", "author_contact_id", "contact_id", "raw_key", "body_key", "status_reason",
			"last_agent_reply_by", "closed_at", "channel_id", "pipelines", "customer_notify", "key"}
		f.mu.Lock()
		bodies := slices.Clone(f.bodies)
		f.mu.Unlock()
		for _, raw := range bodies {
			if strings.HasPrefix(raw, "openapi:") || raw == "" {
				continue // the document names fields; it holds no data (and a 204 has no body)
			}
			var v any
			if err := json.Unmarshal([]byte(raw), &v); err != nil {
				t.Fatalf("a body is not JSON: %q", raw)
			}
			if m, ok := v.(map[string]any); ok && m["upload_id"] != nil {
				// An upload form must name the object's key for storage;
				// it is the customer's own new upload, under their prefix.
				fields, _ := m["fields"].(map[string]any)
				if k, _ := fields["key"].(string); !strings.HasPrefix(k, "attachments/portal/c1/") {
					t.Errorf("upload key %q is not under the customer's prefix", k)
				}
				delete(fields, "key")
			}
			walk(v, func(key string, s string) {
				if slices.Contains(forbiddenKeys, key) {
					t.Errorf("field %q in %s", key, raw)
				}
				for _, bad := range forbidden {
					if s != "" && strings.Contains(s, bad) {
						t.Errorf("%q (%s) in %s", bad, key, raw)
					}
				}
			})
		}
	})
}

// walk calls visit with every key and every string value (key "" for
// values in arrays).
func walk(v any, visit func(key, s string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			visit(k, "")
			if s, ok := e.(string); ok {
				visit(k, s)
			}
			walk(e, visit)
		}
	case []any:
		for _, e := range x {
			if s, ok := e.(string); ok {
				visit("", s)
			}
			walk(e, visit)
		}
	}
}

// The rate limits: per address (known or unknown, the same), per source,
// and code guesses per address; refused with 429 and Retry-After.
func TestRateLimitsHold(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newPortal(t, b)
		l := portal.DefaultLimits
		for _, addr := range []string{"cus1@example.com", "nobody@example.com"} {
			for i := range l.AccessPerAddress {
				f.from("198.51.100." + string(rune('1'+i)))
				if r := f.do(t, "POST", "/portal/api/access", "", `{"email":"`+addr+`"}`); r.status != 202 {
					t.Fatalf("%s request %d: %d %s", addr, i+1, r.status, r.raw)
				}
			}
			f.from("203.0.113.9")
			r := f.do(t, "POST", "/portal/api/access", "", `{"email":"`+addr+`"}`)
			if r.status != 429 || r.header.Get("Retry-After") == "" {
				t.Fatalf("%s over its limit: %d %s", addr, r.status, r.raw)
			}
		}
		// The window passes: asked again, answered again.
		f.clk.Add(l.Window)
		if r := f.do(t, "POST", "/portal/api/access", "", `{"email":"cus1@example.com"}`); r.status != 202 {
			t.Fatalf("the next window: %d %s", r.status, r.raw)
		}

		// Per source: many addresses from one IP.
		f.clk.Add(l.Window)
		f.from("192.0.2.77")
		var last response
		for i := range l.AccessPerSource + 1 {
			last = f.do(t, "POST", "/portal/api/access", "", `{"email":"x`+string(rune('a'+i%26))+string(rune('a'+i/26))+`@example.com"}`)
		}
		if last.status != 429 {
			t.Fatalf("source over its limit: %d %s", last.status, last.raw)
		}

		// Code guesses: after the limit, even the right code is refused.
		f.clk.Add(l.Window)
		f.from("192.0.2.5")
		_, code := f.access(t, "cus1@example.com")
		for i := range l.SessionPerAddress {
			f.from("198.18.0." + string(rune('1'+i%9)))
			if r := f.do(t, "POST", "/portal/api/session", "", `{"email":"cus1@example.com","code":"`+wrongCode(code)+`"}`); r.status != 401 {
				t.Fatalf("guess %d: %d %s", i+1, r.status, r.raw)
			}
		}
		r := f.do(t, "POST", "/portal/api/session", "", `{"email":"cus1@example.com","code":"`+code+`"}`)
		if r.status != 429 || r.header.Get("Retry-After") == "" {
			t.Fatalf("the right code after the guesses: %d %s", r.status, r.raw)
		}
	})
}

// countingStore counts the grants the API tries to consume.
type countingStore struct {
	testbed.Store
	mu       sync.Mutex
	consumed int
}

func (c *countingStore) ConsumePortalGrant(ctx context.Context, hash string, now time.Time) (helpdesk.PortalGrant, error) {
	c.mu.Lock()
	c.consumed++
	c.mu.Unlock()
	return c.Store.ConsumePortalGrant(ctx, hash, now)
}

// A tampered, foreign or expired link is refused by its signature and
// expiry alone: it costs no write to the table.
func TestBadLinksAreRefusedBeforeTheTable(t *testing.T) {
	f := newPortal(t, testbed.Mem)
	cs := &countingStore{Store: f.st}
	f.api.Store = cs
	tok, _ := f.access(t, "cus1@example.com")
	other := newPortal(t, testbed.Mem)
	other.api.Key = []byte("another-tenants-key-0123456789ab")
	foreign, _ := other.access(t, "cus1@example.com")
	tampered := []byte(tok)
	tampered[strings.LastIndex(tok, ".")-3] ^= 1
	for _, c := range []struct{ name, token string }{{"tampered", string(tampered)}, {"foreign", foreign}, {"expired", tok}} {
		name, bad := c.name, c.token
		if name == "expired" {
			f.clk.Add(portal.GrantTTL)
		}
		if r := f.do(t, "POST", "/portal/api/session", "", `{"token":"`+bad+`"}`); r.status != 401 || reason(r) != "link_invalid" {
			t.Errorf("%s link: %d %s", name, r.status, r.raw)
		}
	}
	if cs.consumed != 0 {
		t.Fatalf("%d grants read for links the signature or expiry refuses", cs.consumed)
	}
}

// tracingStore records the store calls of a request, by method.
type tracingStore struct {
	testbed.Store
	mu    sync.Mutex
	calls []string
}

func (c *tracingStore) record(m string) { c.mu.Lock(); c.calls = append(c.calls, m); c.mu.Unlock() }
func (c *tracingStore) FindContactID(ctx context.Context, key string) (string, error) {
	c.record("FindContactID")
	return c.Store.FindContactID(ctx, key)
}
func (c *tracingStore) GetContact(ctx context.Context, id string) (helpdesk.Contact, error) {
	c.record("GetContact")
	return c.Store.GetContact(ctx, id)
}
func (c *tracingStore) PutPortalGrant(ctx context.Context, h string, g helpdesk.PortalGrant) error {
	c.record("PutPortalGrant:" + g.Kind)
	return c.Store.PutPortalGrant(ctx, h, g)
}
func (c *tracingStore) CountRate(ctx context.Context, scope string, w, e time.Time) (int64, error) {
	c.record("CountRate")
	return c.Store.CountRate(ctx, scope, w, e)
}

// An unknown address costs the same reads, writes and queued job as a
// known one, so the answer takes as long (the "roughly in time",
// shown by the work done rather than by a clock).
func TestKnownAndUnknownAddressesDoTheSameWork(t *testing.T) {
	f := newPortal(t, testbed.Mem)
	ts := &tracingStore{Store: f.st}
	f.api.Store = ts
	trace := func(addr string) ([]string, int) {
		ts.mu.Lock()
		ts.calls = nil
		ts.mu.Unlock()
		jobsBefore := len(f.out.jobs)
		if r := f.do(t, "POST", "/portal/api/access", "", `{"email":"`+addr+`"}`); r.status != 202 {
			t.Fatalf("%s: %d %s", addr, r.status, r.raw)
		}
		return slices.Clone(ts.calls), len(f.out.jobs) - jobsBefore
	}
	known, kj := trace("cus1@example.com")
	unknown, uj := trace("nobody@example.com")
	if !slices.Equal(known, unknown) || kj != uj || kj != 1 {
		t.Fatalf("known: %v and %d jobs; unknown: %v and %d jobs", known, kj, unknown, uj)
	}
}
