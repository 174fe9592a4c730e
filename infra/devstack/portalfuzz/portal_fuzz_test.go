// Package portalfuzz_test fuzzes the customer portal's API (shared/api/portal)
// from its OpenAPI document with schemathesis (infra/devstack/fuzzapi), on
// an httptest server over memstore: `make test` runs it with a few
// examples, `make fuzz-portal` with STACKDESK_FUZZ_EXAMPLES.
package portalfuzz_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/fuzzapi"
	"github.com/stackdesk/stackdesk/shared/api/portal"
	appcsat "github.com/stackdesk/stackdesk/shared/app/csat"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/store/memstore"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

var mail = helpdesk.Channel{ID: "email:support@acme.example", Kind: helpdesk.ChannelEmail, Name: "Support",
	Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"},
	Email:    &helpdesk.EmailSettings{Address: "support@acme.example", CompanyName: "Acme"}}

// codes keeps the sign-in codes the API queues for mail.
type codes struct {
	mu   sync.Mutex
	last map[string]string // email -> code
}

func (c *codes) Publish(_ context.Context, body string) error {
	env, err := jobs.DecodeEnvelope(body)
	if err != nil || env.Kind != jobs.KindPortalAccess {
		return err
	}
	var job jobs.PortalAccess
	if err := env.Decode(&job); err != nil {
		return err
	}
	c.mu.Lock()
	c.last[job.ToEmail] = job.Code
	c.mu.Unlock()
	return nil
}

// links signs download links (s3files.Links's shape).
type links struct{}

func (links) DownloadURL(_ context.Context, key, name string, _ bool, ttl time.Duration) (string, error) {
	return "https://files.test/" + key + "?ttl=" + ttl.String(), nil
}

// bucket hands out upload forms; every form's object is "posted" at once,
// so an upload id the fuzzer echoes back from a 201 names a real file.
type bucket struct {
	mu      sync.Mutex
	objects map[string]bool
}

func (b *bucket) UploadForm(_ context.Context, key, contentType string, _ int64, _ map[string]string, _ time.Duration) (string, map[string]string, error) {
	b.mu.Lock()
	b.objects[key] = true
	b.mu.Unlock()
	return "https://bucket.test/", map[string]string{"key": key, "Content-Type": contentType}, nil
}

func (b *bucket) Stat(_ context.Context, key string) (int64, string, map[string]string, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.objects[key] {
		return 0, "", nil, helpdesk.ErrNotFound
	}
	return 10, "application/pdf", map[string]string{"name": "a.pdf"}, nil
}

// discard is the ingest queue: it checks what it is given, as SQS's
// publisher would not accept an invalid message.
type discard struct{}

func (discard) EnqueueInbound(_ context.Context, m *helpdesk.InboundMessage) error {
	return m.Validate()
}

// Every operation of the portal's OpenAPI document the API serves, fuzzed
// by schemathesis from the document it serves: signed in as a customer
// with two tickets (another customer's ticket id mixed into the ids), and
// signed out. No input may get a 5xx, and every response must be one the
// document describes. Operations the router does not serve yet are left
// out and logged.
func TestPortalAPIFuzzedFromItsOpenAPIDocument(t *testing.T) {
	bin := fuzzapi.Bin(t)
	ctx := context.Background()
	now := time.Now().UTC()
	st := memstore.New()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.PutChannel(ctx, mail))
	for _, c := range []helpdesk.Contact{{ID: "c1", Name: "Cus One", Email: "cus1@example.com", CreatedAt: now}, {ID: "c2", Name: "Cus Two", Email: "cus2@example.com", CreatedAt: now}} {
		must(st.CreateContact(ctx, c, helpdesk.Sender{Email: c.Email}.Key(helpdesk.ChannelEmail)))
	}
	for i, owner := range []string{"c1", "c2", "c1", "c1"} {
		id, email := strconv.Itoa(i+1), "cus"+owner[1:]+"@example.com"
		m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: mail.ID,
			ProviderMessageID: "m" + id + "@example.com", ReceivedAt: now, Sender: helpdesk.Sender{Email: email}, Subject: "Question " + id, Text: "Help with " + id}
		c, _ := ticket.Open(ticket.Arrival{ID: id, Inbound: m, Channel: mail, ContactID: owner, SenderKey: m.Sender.Key(m.Channel),
			Message: helpdesk.Message{ID: "msg-" + id, Direction: helpdesk.Inbound, ChannelID: mail.ID, ChannelKind: helpdesk.ChannelEmail,
				AuthorContactID: owner, Text: m.Text, CreatedAt: now}}, helpdesk.DefaultSettings(), now)
		must(st.Commit(ctx, c))
	}
	// Ticket 4 is closed: rating and reopen have a ticket to act on.
	t4, err := st.GetTicketHeader(ctx, "4")
	must(err)
	c, err := ticket.CustomerClose(t4, "c1", ticket.Audience{}, helpdesk.DefaultSettings(), now)
	must(err)
	must(st.Commit(ctx, c))
	out := &codes{last: map[string]string{}}
	api := &portal.API{Store: st, Outbound: out, Key: []byte(strings.Repeat("k", 48)),
		LinkBase: "http://127.0.0.1/portal/#/signin?token=", Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		// Generous limits: the run is one source and a few addresses; the
		// 429s themselves are held by shared/api/portal's tests.
		Limits:      portal.Limits{Window: 15 * time.Minute, AccessPerAddress: 1 << 20, AccessPerSource: 1 << 20, SessionPerAddress: 1 << 20, SessionPerSource: 1 << 20},
		ActionLimit: 1 << 20,
		// Every port a deployed portal-api has (shared/wire/portal.go),
		// as fakes: a missing one would answer 503, which is no finding.
		Ratings: &appcsat.Service{Store: st, Tenant: "acme", Secret: []byte("csat-key")},
		Files:   links{}, Uploads: &bucket{objects: map[string]bool{}}, Ingest: discard{},
		Settings: &settings.Cache{Source: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}}
	mux := http.NewServeMux()
	api.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// Sign in as cus1 by the mailed code.
	post := func(path, body string) (int, []byte) {
		resp, err := http.Post(srv.URL+path, "application/json", strings.NewReader(body))
		must(err)
		defer resp.Body.Close()
		raw, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, raw
	}
	if code, raw := post("/portal/api/access", `{"email":"cus1@example.com"}`); code != 202 {
		t.Fatalf("access: %d %s", code, raw)
	}
	out.mu.Lock()
	code := out.last["cus1@example.com"]
	out.mu.Unlock()
	status, raw := post("/portal/api/session", fmt.Sprintf(`{"email":"cus1@example.com","code":%q}`, code))
	var sess struct{ Session string }
	if status != 201 || json.Unmarshal(raw, &sess) != nil || sess.Session == "" {
		t.Fatalf("session: %d %s", status, raw)
	}

	// The document as the API serves it, less what it does not serve yet.
	resp, err := http.Get(srv.URL + "/portal/api/openapi.yaml")
	must(err)
	doc, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	must(err)
	served := map[string]bool{}
	for _, r := range api.Routes() {
		served[r.Pattern] = true
	}
	dir := t.TempDir()
	write := func(name string, keep func(string) bool) string {
		b, dropped, err := fuzzapi.Only(doc, keep)
		must(err)
		if len(dropped) > 0 {
			t.Logf("%s: not fuzzed: %v", name, dropped)
		}
		p := filepath.Join(dir, name)
		must(os.WriteFile(p, b, 0o644))
		return p
	}
	var unserved []string
	all := write("portal.yaml", func(op string) bool {
		if !served[op] {
			unserved = append(unserved, op)
		}
		return served[op]
	})
	// While the router lags its contract (routes documented, not served
	// yet: shared/api/portal's TestOpenAPIDocumentsEveryRoute fails too),
	// the served ones do not meet it either; make test waits for the
	// contract to be served whole, make fuzz-portal runs what is served.
	if len(unserved) > 0 && os.Getenv("STACKDESK_FUZZ_PARTIAL") == "" {
		t.Skipf("the portal serves %d of its documented operations (not %v): fuzzed once it serves them all, or with STACKDESK_FUZZ_PARTIAL=1 (make fuzz-portal)",
			len(served), unserved)
	}
	config := filepath.Join(dir, "schemathesis.toml")
	must(os.WriteFile(config, []byte(`[dictionaries.tickets]
values = ["1", "2", "3", "4"]

[dictionaries.emails]
values = ["cus1@example.com", "cus2@example.com", "nobody@example.com"]

[parameters]
"path.id" = { dictionary = "tickets", probability = 0.6 }
`), 0o644))

	runCtx, cancel := context.WithTimeout(ctx, time.Duration(max(1, fuzzapi.Examples()/fuzzapi.DefaultExamples))*6*time.Minute)
	defer cancel()
	for _, r := range []fuzzapi.Run{
		// Signed in, the session is not revoked mid-run: DELETE (only
		// DELETE /portal/api/session) is left to the signed-out run; it
		// stays in the document, so no check sends it as undeclared.
		{Name: "cus1", Doc: all, URL: srv.URL, Headers: []string{"Authorization: Bearer " + sess.Session}, Config: config,
			Secrets: []string{sess.Session}, Args: []string{"--exclude-method", "DELETE"}},
		{Name: "signed out", Doc: all, URL: srv.URL, Config: config},
	} {
		summary, output, err := r.Do(runCtx, t, bin)
		t.Logf("schemathesis as %s: %s", r.Name, summary)
		if err != nil {
			t.Errorf("schemathesis as %s failed: %v\n%s", r.Name, err, output)
		}
	}
}
