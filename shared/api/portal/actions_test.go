package portal_test

import (
	"context"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/threading"
)

// queued is the ingest queue: every message the portal published.
type queued struct {
	mu   sync.Mutex
	msgs []helpdesk.InboundMessage
}

func (q *queued) EnqueueInbound(_ context.Context, m *helpdesk.InboundMessage) error {
	if err := m.Validate(); err != nil {
		return err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	q.msgs = append(q.msgs, *m)
	return nil
}

func (q *queued) all() []helpdesk.InboundMessage {
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]helpdesk.InboundMessage(nil), q.msgs...)
}

// fakeFiles is the bucket: forms handed out, objects posted.
type fakeFiles struct {
	mu      sync.Mutex
	forms   []string // keys of the forms handed out
	objects map[string]helpdesk.Attachment
}

func newFakeFiles() *fakeFiles { return &fakeFiles{objects: map[string]helpdesk.Attachment{}} }

func (f *fakeFiles) UploadForm(_ context.Context, key, contentType string, maxSize int64, meta map[string]string, _ time.Duration) (string, map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forms = append(f.forms, key)
	return "https://bucket.example/", map[string]string{"key": key, "Content-Type": contentType, "x-amz-meta-name": meta["name"]}, nil
}

func (f *fakeFiles) Stat(_ context.Context, key string) (int64, string, map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.objects[key]
	if !ok {
		return 0, "", nil, helpdesk.ErrNotFound
	}
	return a.Size, a.ContentType, map[string]string{"name": a.Name}, nil
}

// post stores the file of the last form handed out, as the browser would.
func (f *fakeFiles) post(t *testing.T, name, ct string, size int64) string {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.forms) == 0 {
		t.Fatal("no upload form was handed out")
	}
	key := f.forms[len(f.forms)-1]
	f.objects[key] = helpdesk.Attachment{Name: name, ContentType: ct, Size: size, Key: key}
	return key
}

var messageID = regexp.MustCompile(`^portal-[0-9a-f]{32}$`)

// accepted checks a 202 and returns its message id.
func accepted(t *testing.T, r response) string {
	t.Helper()
	id, _ := r.body["message_id"].(string)
	if r.status != 202 || !messageID.MatchString(id) {
		t.Fatalf("want 202 with a message id: %d %s", r.status, r.raw)
	}
	return id
}

// Each action publishes exactly the inbound message the router needs, and
// what the contract refuses publishes nothing.
func TestActionsQueueTheirInboundMessage(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newPortal(t, b)
		s1 := f.signIn(t, "cus1@example.com")
		s2 := f.signIn(t, "cus2@example.com")

		r := f.do(t, "POST", "/portal/api/uploads", s1, `{"name":"photo.png","content_type":"image/png","size":1234}`)
		up, _ := r.body["upload_id"].(string)
		if r.status != 201 || len(up) != 32 {
			t.Fatalf("upload: %d %s", r.status, r.raw)
		}
		key := f.files.post(t, "photo.png", "image/png", 1234)
		if key != helpdesk.PortalUploadPrefix("c1")+up {
			t.Fatalf("upload key %q, want it under c1's portal prefix", key)
		}
		// cus2's upload, which cus1 cannot name.
		f.do(t, "POST", "/portal/api/uploads", s2, `{"name":"theirs.pdf","content_type":"application/pdf","size":99}`)
		theirKey := f.files.post(t, "theirs.pdf", "application/pdf", 99)
		theirs := strings.TrimPrefix(theirKey, helpdesk.PortalUploadPrefix("c2"))

		sender := helpdesk.Sender{Email: "cus1@example.com", Name: "Cus One"}
		want := func(id string, a helpdesk.PortalAction, subject, text string, atts []helpdesk.Attachment) helpdesk.InboundMessage {
			return helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelPortal, ChannelID: helpdesk.PortalChannelID,
				ProviderMessageID: id, ReceivedAt: t0, Sender: sender, Subject: subject, Text: text, Attachments: atts, Portal: &a}
		}
		var expect []helpdesk.InboundMessage
		id := accepted(t, f.do(t, "POST", "/portal/api/tickets/1/replies", s1, `{"text":"Here is a photo.","attachments":["`+up+`"],"close":true}`))
		expect = append(expect, want(id, helpdesk.PortalAction{TicketID: "1", ContactID: "c1", Close: true}, "", "Here is a photo.",
			[]helpdesk.Attachment{{Name: "photo.png", ContentType: "image/png", Size: 1234, Key: key}}))
		id = accepted(t, f.do(t, "POST", "/portal/api/tickets/1/close", s1, ""))
		expect = append(expect, want(id, helpdesk.PortalAction{TicketID: "1", ContactID: "c1", Close: true}, "", "", nil))
		id = accepted(t, f.do(t, "POST", "/portal/api/tickets/3/reopen", s1, ""))
		expect = append(expect, want(id, helpdesk.PortalAction{TicketID: "3", ContactID: "c1", Reopen: true}, "", "", nil))
		id = accepted(t, f.do(t, "POST", "/portal/api/tickets", s1, `{"subject":" Scanner ","text":"It jams."}`))
		expect = append(expect, want(id, helpdesk.PortalAction{ContactID: "c1"}, "Scanner", "It jams.", nil))

		for _, c := range []struct {
			method, path, body string
			status             int
			reason             string
		}{
			{"POST", "/portal/api/tickets/3/close", "", 409, "already_closed"},
			{"POST", "/portal/api/tickets/1/reopen", "", 409, "not_closed"},
			{"POST", "/portal/api/tickets/1/replies", `{"text":"  "}`, 400, "text_required"},
			{"POST", "/portal/api/tickets/1/replies", `{"text":"x","attachments":["not-an-id"]}`, 400, "upload_unknown"},
			{"POST", "/portal/api/tickets/1/replies", `{"text":"x","attachments":["` + theirs + `"]}`, 400, "upload_unknown"},
			{"POST", "/portal/api/tickets/1/replies", `{"text":"x","attachments":["` + up + `","` + up + `"]}`, 400, "duplicate_attachment"},
			{"POST", "/portal/api/tickets", `{"subject":"","text":"x"}`, 400, "invalid_subject"},
			{"POST", "/portal/api/tickets", `{"subject":"s","text":""}`, 400, "text_required"},
			{"POST", "/portal/api/uploads", `{"name":"x.html","content_type":"text/html","size":10}`, 400, "file_type_not_allowed"},
			{"POST", "/portal/api/tickets/2/replies", `{"text":"x"}`, 404, "ticket_not_found"},
			{"POST", "/portal/api/tickets/1/replies", "", 401, "session_invalid"},
		} {
			s := s1
			if c.status == 401 {
				s = ""
			}
			if r := f.do(t, c.method, c.path, s, c.body); r.status != c.status || reason(r) != c.reason {
				t.Errorf("%s %s %s: %d %s, want %d %s", c.method, c.path, c.body, r.status, r.raw, c.status, c.reason)
			}
		}
		if got := f.queue.all(); !reflect.DeepEqual(got, expect) {
			t.Fatalf("published:\n%+v\nwant:\n%+v", got, expect)
		}
	})
}

// A receipt names the ticket once the router applied the action, and only
// to the customer whose ticket it is: before that, and to anyone else, a
// 404 like an unknown id.
func TestReceiptsSayWhereAnActionLanded(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newPortal(t, b)
		s1 := f.signIn(t, "cus1@example.com")
		s2 := f.signIn(t, "cus2@example.com")
		router := &ingest.Service{Store: f.st, Threader: threading.Submission, Settings: settings.Fixed(helpdesk.DefaultSettings()),
			Now: f.clk.Now, Log: quiet}
		reply := accepted(t, f.do(t, "POST", "/portal/api/tickets/1/replies", s1, `{"text":"Any news?"}`))
		closing := accepted(t, f.do(t, "POST", "/portal/api/tickets/1/close", s1, ""))
		unknown := f.do(t, "GET", "/portal/api/receipts/portal-00000000000000000000000000000000", s1, "")
		if unknown.status != 404 {
			t.Fatalf("unknown receipt: %d %s", unknown.status, unknown.raw)
		}
		if r := f.do(t, "GET", "/portal/api/receipts/"+reply, s1, ""); r.status != 404 || r.raw != unknown.raw {
			t.Fatalf("receipt before it landed: %d %s", r.status, r.raw)
		}
		for _, m := range f.queue.all() {
			if _, err := router.Apply(context.Background(), &m); err != nil {
				t.Fatal(err)
			}
		}
		shown := map[string]any{}
		for _, id := range []string{reply, closing} {
			r := f.do(t, "GET", "/portal/api/receipts/"+id, s1, "")
			if r.status != 200 || r.body["ticket_id"] != "1" || r.body["message_id"] != id {
				t.Fatalf("receipt of %s: %d %s", id, r.status, r.raw)
			}
			shown[id] = r.body["shown_as"]
			if r := f.do(t, "GET", "/portal/api/receipts/"+id, s2, ""); r.status != 404 || r.raw != unknown.raw {
				t.Fatalf("another customer's receipt: %d %s", r.status, r.raw)
			}
		}
		for _, bad := range []string{"nonsense", "portal-XYZ", reply + "0"} {
			if r := f.do(t, "GET", "/portal/api/receipts/"+bad, s1, ""); r.status != 404 || r.raw != unknown.raw {
				t.Errorf("receipt %q: %d %s", bad, r.status, r.raw)
			}
		}
		conv, err := f.st.GetTicket(context.Background(), "1")
		if err != nil {
			t.Fatal(err)
		}
		var landed bool
		for _, m := range conv.Messages {
			landed = landed || (m.Text == "Any news?" && m.ProviderMessageID == reply && m.AuthorContactID == "c1")
		}
		if conv.Ticket.State != helpdesk.StateClosed || !landed {
			t.Fatalf("ticket 1 after the router: %+v", conv)
		}
		// The page waits for the reply by the id its conversation shows.
		page := f.do(t, "GET", "/portal/api/tickets/1", s1, "")
		var ids []any
		for _, m := range page.body["messages"].([]any) {
			ids = append(ids, m.(map[string]any)["id"])
		}
		if shown[reply] == nil || !slices.Contains(ids, shown[reply]) {
			t.Errorf("the reply's receipt says shown_as %v, the page's messages are %v", shown[reply], ids)
		}
		if shown[closing] != nil {
			t.Errorf("a close's receipt names a message: %v", shown[closing])
		}
	})
}

// Writes are limited per customer: past the limit, 429 with Retry-After,
// and nothing is queued; the next window takes them again.
func TestActionsAreRateLimited(t *testing.T) {
	f := newPortal(t, testbed.Mem)
	f.api.ActionLimit = 3
	s1 := f.signIn(t, "cus1@example.com")
	for range 3 {
		accepted(t, f.do(t, "POST", "/portal/api/tickets/1/replies", s1, `{"text":"ping"}`))
	}
	r := f.do(t, "POST", "/portal/api/tickets/1/replies", s1, `{"text":"ping"}`)
	if r.status != 429 || r.header.Get("Retry-After") == "" {
		t.Fatalf("over the limit: %d %s", r.status, r.raw)
	}
	if r := f.do(t, "POST", "/portal/api/uploads", s1, `{"name":"a.pdf","content_type":"application/pdf","size":1}`); r.status != 429 {
		t.Fatalf("an upload over the limit: %d %s", r.status, r.raw)
	}
	if n := len(f.queue.all()); n != 3 {
		t.Fatalf("%d queued, want 3", n)
	}
	// Another customer has their own count.
	s2 := f.signIn(t, "cus2@example.com")
	accepted(t, f.do(t, "POST", "/portal/api/tickets/2/close", s2, ""))
	f.clk.Add(15 * time.Minute)
	accepted(t, f.do(t, "POST", "/portal/api/tickets/1/replies", s1, `{"text":"ping"}`))
}

// A queue that cannot take the action is a 503 (retry), not a lost action.
func TestActionsAnswer503WhenTheQueueFails(t *testing.T) {
	f := newPortal(t, testbed.Mem)
	f.api.Ingest = failingQueue{}
	s1 := f.signIn(t, "cus1@example.com")
	if r := f.do(t, "POST", "/portal/api/tickets/1/close", s1, ""); r.status != 503 {
		t.Fatalf("queue down: %d %s", r.status, r.raw)
	}
}

type failingQueue struct{}

func (failingQueue) EnqueueInbound(context.Context, *helpdesk.InboundMessage) error {
	return &helpdesk.Error{Code: helpdesk.EUnavailable, Reason: "queue_unavailable", Message: "retry later"}
}

// walkActions takes every action once, for TestNoInternalsInAnyResponse's
// walk of every response body.
func walkActions(t *testing.T, f *fixture, s string) {
	t.Helper()
	f.do(t, "POST", "/portal/api/uploads", s, `{"name":"a.pdf","content_type":"application/pdf","size":10}`)
	reply := f.do(t, "POST", "/portal/api/tickets/1/replies", s, `{"text":"More."}`)
	f.do(t, "POST", "/portal/api/tickets/1/close", s, "")
	f.do(t, "POST", "/portal/api/tickets/3/reopen", s, "")
	f.do(t, "POST", "/portal/api/tickets/3/close", s, "")
	f.do(t, "POST", "/portal/api/tickets", s, `{"subject":"New","text":"Hello"}`)
	router := &ingest.Service{Store: f.st, Threader: threading.Submission, Settings: settings.Fixed(helpdesk.DefaultSettings()),
		Now: f.clk.Now, Log: quiet}
	for _, m := range f.queue.all() {
		if _, err := router.Apply(context.Background(), &m); err != nil {
			t.Fatal(err)
		}
	}
	if id, ok := reply.body["message_id"].(string); ok {
		f.do(t, "GET", "/portal/api/receipts/"+id, s, "")
	}
}

// The units an action and a receipt cost on DynamoDB, the session check
// and the rate count included. Run with -v to see the figures:
//
//	STACKDESK_REQUIRE_EMULATORS=1 go test -count=1 -v -run TestActionUnits ./shared/api/portal/
func TestActionUnits(t *testing.T) {
	var meter *testbed.CapacityMeter
	metered := testbed.Backend{Name: "dynamodb-metered", Open: func(t testing.TB, now func() time.Time) testbed.Store {
		db, table := testbed.Table(t)
		meter = &testbed.CapacityMeter{DB: db, Table: table}
		return &testbed.DynamoDBStore{Store: store.New(meter, table, store.WithClock(now)), DB: db, Table: table}
	}}
	f := newPortal(t, metered)
	s := f.signIn(t, "cus1@example.com")
	router := &ingest.Service{Store: f.st, Threader: threading.Submission, Settings: settings.Fixed(helpdesk.DefaultSettings()),
		Now: f.clk.Now, Log: quiet}
	meter.Reset()
	id := accepted(t, f.do(t, "POST", "/portal/api/tickets/1/replies", s, `{"text":"Any news?"}`))
	t.Logf("a reply accepted: %.1f RCU, %.1f WCU", meter.Read, meter.Write)
	if meter.Read > 4 || meter.Write > 1 {
		t.Errorf("a reply: %.1f RCU %.1f WCU, want at most 4 and 1 (session, rate, ticket header, contact)", meter.Read, meter.Write)
	}
	for _, m := range f.queue.all() {
		if _, err := router.Apply(context.Background(), &m); err != nil {
			t.Fatal(err)
		}
	}
	meter.Reset()
	if r := f.do(t, "GET", "/portal/api/receipts/"+id, s, ""); r.status != 200 {
		t.Fatalf("receipt: %d %s", r.status, r.raw)
	}
	t.Logf("a receipt: %.1f RCU", meter.Read)
	if meter.Read > 3 {
		t.Errorf("a receipt: %.1f RCU, want at most 3 (session, dedupe record, ticket header)", meter.Read)
	}
}
