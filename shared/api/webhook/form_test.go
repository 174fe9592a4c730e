package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Function-field fakes: each test sets only the behaviour it needs.
type fakeChannels struct {
	get func(id string) (helpdesk.Channel, error)
}

func (f fakeChannels) GetChannel(_ context.Context, id string) (helpdesk.Channel, error) {
	return f.get(id)
}

type fakeSettings struct {
	get func() (helpdesk.Settings, error)
}

func (f fakeSettings) Get(context.Context) (helpdesk.Settings, error) { return f.get() }

// tenantSettings serves s as the tenant's settings.
func tenantSettings(s helpdesk.Settings) fakeSettings {
	return fakeSettings{get: func() (helpdesk.Settings, error) { return s, nil }}
}

type fakeQueue struct {
	sent []*helpdesk.InboundMessage
	err  error
}

func (q *fakeQueue) EnqueueInbound(_ context.Context, m *helpdesk.InboundMessage) error {
	if q.err != nil {
		return q.err
	}
	q.sent = append(q.sent, m)
	return nil
}

var t0 = time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)

func channels() map[string]helpdesk.Channel {
	def := helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}
	return map[string]helpdesk.Channel{
		"open":     {ID: "open", Kind: helpdesk.ChannelForm, Defaults: def, Form: &helpdesk.FormSettings{Auth: helpdesk.FormAuthNone}},
		"signed":   {ID: "signed", Kind: helpdesk.ChannelForm, Defaults: def, Form: &helpdesk.FormSettings{Auth: helpdesk.FormAuthHMAC, Secret: "s3cret"}},
		"token":    {ID: "token", Kind: helpdesk.ChannelForm, Defaults: def, Form: &helpdesk.FormSettings{Auth: helpdesk.FormAuthToken, Secret: "tok-123"}},
		"disabled": {ID: "disabled", Kind: helpdesk.ChannelForm, Disabled: true, Defaults: def, Form: &helpdesk.FormSettings{Auth: helpdesk.FormAuthNone}},
		"email":    {ID: "email", Kind: helpdesk.ChannelEmail, Defaults: def},
		"noauth":   {ID: "noauth", Kind: helpdesk.ChannelForm, Defaults: def, Form: &helpdesk.FormSettings{}},
		"bare":     {ID: "bare", Kind: helpdesk.ChannelForm, Form: &helpdesk.FormSettings{Auth: helpdesk.FormAuthNone}}, // no defaults of its own
		// An unsigned form whose owner lets it choose the sales pipeline.
		"sales": {ID: "sales", Kind: helpdesk.ChannelForm, Defaults: def, Form: &helpdesk.FormSettings{Auth: helpdesk.FormAuthNone,
			AllowedHidden: &helpdesk.FormHidden{Pipelines: []string{"sales"}, Statuses: []string{"lead", "won", "gone"}}}},
	}
}

func newForms(q *fakeQueue, getErr error) http.Handler {
	return newFormsWith(q, getErr, tenantSettings(helpdesk.DefaultSettings()))
}

func newFormsWith(q *fakeQueue, getErr error, settings SettingsReader) http.Handler {
	chs := channels()
	f := &Forms{
		Channels: fakeChannels{get: func(id string) (helpdesk.Channel, error) {
			if getErr != nil {
				return helpdesk.Channel{}, getErr
			}
			if c, ok := chs[id]; ok {
				return c, nil
			}
			return helpdesk.Channel{}, helpdesk.Errorf(helpdesk.ENotFound, "not_found", "no channel")
		}},
		Queue:    q,
		Settings: settings,
		Now:      func() time.Time { return t0 },
		NewID:    func() string { return "generated-id" },
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	mux := http.NewServeMux()
	f.Register(mux)
	return mux
}

const okBody = `{"email":"ann@example.com","subject":"Refund","description":"Order 7","plan":"pro"}`

type req struct {
	method, path, contentType, body string
	headers                         map[string]string
}

func do(h http.Handler, r req) *httptest.ResponseRecorder {
	if r.method == "" {
		r.method = http.MethodPost
	}
	if r.contentType == "" {
		r.contentType = "application/json"
	}
	hr := httptest.NewRequest(r.method, r.path, strings.NewReader(r.body))
	hr.Header.Set("Content-Type", r.contentType)
	for k, v := range r.headers {
		hr.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, hr)
	return w
}

func TestFormAcceptsAndEnqueues(t *testing.T) {
	cases := []struct {
		name   string
		r      req
		wantID string
	}{
		{"unsigned channel", req{path: "/forms/open", body: okBody}, "generated-id"},
		{"hmac", req{path: "/forms/signed", body: okBody, headers: map[string]string{HeaderFormSignature: SignSHA256("s3cret", []byte(okBody))}}, "generated-id"},
		{"token header", req{path: "/forms/token", body: okBody, headers: map[string]string{HeaderFormToken: "tok-123"}}, "generated-id"},
		{"token query", req{path: "/forms/token?token=tok-123", body: okBody}, "generated-id"},
		{"idempotency key", req{path: "/forms/open", body: okBody, headers: map[string]string{HeaderIdempotency: "client-42"}}, "client-42"},
		{"urlencoded", req{path: "/forms/open", contentType: "application/x-www-form-urlencoded", body: "email=ann%40example.com&subject=Hi"}, "generated-id"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := &fakeQueue{}
			w := do(newForms(q, nil), tc.r)
			if w.Code != http.StatusAccepted {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			var body Accepted
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body.SubmissionID != tc.wantID || body.Status != "queued" {
				t.Fatalf("body = %s (%v)", w.Body, err)
			}
			if len(q.sent) != 1 || q.sent[0].ProviderMessageID != tc.wantID || q.sent[0].Sender.Email != "ann@example.com" {
				t.Fatalf("enqueued = %+v", q.sent)
			}
		})
	}
}

func TestFormRejectsBadRequests(t *testing.T) {
	signed := func(body, sig string) req {
		return req{path: "/forms/signed", body: body, headers: map[string]string{HeaderFormSignature: sig}}
	}
	tampered := strings.Replace(okBody, "Order 7", "Order 8", 1)
	cases := []struct {
		name   string
		r      req
		getErr error
		status int
		reason string
	}{
		{"unknown channel", req{path: "/forms/nope", body: okBody}, nil, 404, "unknown_channel"},
		{"not a form channel", req{path: "/forms/email", body: okBody}, nil, 404, "unknown_channel"},
		{"disabled channel", req{path: "/forms/disabled", body: okBody}, nil, 404, "unknown_channel"},
		{"channel store down", req{path: "/forms/open", body: okBody}, errors.New("dial tcp: refused"), 503, "channel_unavailable"},
		{"body over the limit", req{path: "/forms/open", body: `{"email":"a@example.com","description":"` + strings.Repeat("x", MaxFormBody) + `"}`}, nil, 413, "body_too_large"},
		{"hmac missing", req{path: "/forms/signed", body: okBody}, nil, 401, "signature_missing"},
		{"hmac wrong secret", signed(okBody, SignSHA256("other", []byte(okBody))), nil, 401, "signature_invalid"},
		{"hmac over another body", signed(tampered, SignSHA256("s3cret", []byte(okBody))), nil, 401, "signature_invalid"},
		{"hmac not hex", signed(okBody, "sha256=zz"), nil, 401, "signature_invalid"},
		{"sha1 signature only", signed(okBody, "sha1=abc"), nil, 401, "signature_missing"},
		{"token missing", req{path: "/forms/token", body: okBody}, nil, 401, "bad_token"},
		{"token wrong", req{path: "/forms/token?token=guess", body: okBody}, nil, 401, "bad_token"},
		{"channel without auth mode", req{path: "/forms/noauth", body: okBody}, nil, 401, "auth_not_configured"},
		{"unsupported media type", req{path: "/forms/open", contentType: "text/plain", body: "hello"}, nil, 415, "unsupported_media_type"},
		{"invalid json", req{path: "/forms/open", body: `{"email":`}, nil, 400, "bad_json"},
		{"missing email", req{path: "/forms/open", body: `{"subject":"hi"}`}, nil, 400, "email_required"},
		{"bad email", req{path: "/forms/open", body: `{"email":"nope","subject":"hi"}`}, nil, 400, "email_invalid"},
		{"wrong field type", req{path: "/forms/open", body: `{"email":"a@example.com","subject":["hi"]}`}, nil, 400, "field_type"},
		{"unknown status", req{path: "/forms/sales", body: `{"email":"a@example.com","subject":"hi","status":"gone"}`}, nil, 400, "unknown_status"},
		{"pipeline not in the settings", req{path: "/forms/sales", body: `{"email":"a@example.com","subject":"hi","pipeline":"sales"}`}, nil, 400, "unknown_pipeline"},
		{"signed, unknown status", signed(`{"email":"a@example.com","subject":"hi","status":"gone"}`,
			SignSHA256("s3cret", []byte(`{"email":"a@example.com","subject":"hi","status":"gone"}`))), nil, 400, "unknown_status"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := &fakeQueue{}
			w := do(newForms(q, tc.getErr), tc.r)
			if w.Code != tc.status {
				t.Fatalf("status = %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			var body httpjson.ErrorBody
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q: %v", w.Body, err)
			}
			if body.Error.Reason != tc.reason || body.Error.Message == "" {
				t.Fatalf("error = %+v, want reason %s", body.Error, tc.reason)
			}
			if strings.HasPrefix(tc.reason, "signature_") && !strings.Contains(body.Error.Message, HeaderFormSignature) {
				t.Fatalf("signature error %q does not name %s", body.Error.Message, HeaderFormSignature)
			}
			if strings.Contains(w.Body.String(), "dial tcp") {
				t.Fatalf("internal detail leaked: %s", w.Body)
			}
			if len(q.sent) != 0 {
				t.Fatalf("rejected request was enqueued: %+v", q.sent)
			}
		})
	}
}

// The tenant's settings, not a built-in list, decide which pipelines and
// statuses a submission may name, and give a channel without a pipeline the
// tenant's. Priority and category stay the router's to default.
func TestFormUsesTenantSettings(t *testing.T) {
	set := helpdesk.DefaultSettings()
	set.Pipelines["sales"] = helpdesk.Pipeline{ID: "sales", Name: "Sales", Stages: []helpdesk.Stage{
		{ID: "lead", Name: "Lead"}, {ID: "won", Name: "Won", Closed: true}}}
	set.Categories = []helpdesk.Category{{ID: "web", Name: "Web"}}
	set.Defaults.Category = "web"
	cases := []struct {
		name string
		r    req
		want helpdesk.TicketDefaults
	}{
		{"channel defaults", req{path: "/forms/open", body: okBody},
			helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}},
		{"channel without defaults", req{path: "/forms/bare", body: okBody},
			helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}},
		{"a pipeline only the settings have", req{path: "/forms/sales", body: `{"email":"a@example.com","subject":"hi","pipeline":"sales"}`},
			helpdesk.TicketDefaults{Pipeline: "sales", Status: "lead"}},
		{"and its closing status (the router opens it at the first open stage)", req{path: "/forms/sales", body: `{"email":"a@example.com","subject":"hi","pipeline":"sales","status":"won"}`},
			helpdesk.TicketDefaults{Pipeline: "sales", Status: "won"}},
		{"an unsigned form without the allow-list", req{path: "/forms/open", body: `{"email":"a@example.com","subject":"hi","pipeline":"sales","status":"won"}`},
			helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			q := &fakeQueue{}
			w := do(newFormsWith(q, nil, tenantSettings(set)), tc.r)
			if w.Code != http.StatusAccepted {
				t.Fatalf("status %d: %s", w.Code, w.Body)
			}
			if len(q.sent) != 1 || q.sent[0].Ticket != tc.want {
				t.Fatalf("enqueued ticket properties %+v, want %+v", q.sent[0].Ticket, tc.want)
			}
		})
	}
}

func TestFormAnswers503WhenSettingsCannotBeRead(t *testing.T) {
	q := &fakeQueue{}
	down := fakeSettings{get: func() (helpdesk.Settings, error) { return helpdesk.Settings{}, errors.New("dial tcp: refused") }}
	w := do(newFormsWith(q, nil, down), req{path: "/forms/open", body: okBody})
	if w.Code != http.StatusServiceUnavailable || !strings.Contains(w.Body.String(), "settings_unavailable") {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if strings.Contains(w.Body.String(), "dial tcp") || len(q.sent) != 0 {
		t.Fatalf("leaked the cause or enqueued: %s, %+v", w.Body, q.sent)
	}
}

func TestFormAnswers503WhenTheQueueIsDown(t *testing.T) {
	q := &fakeQueue{err: &helpdesk.Error{Code: helpdesk.EUnavailable, Reason: "queue_unavailable", Message: "retry"}}
	w := do(newForms(q, nil), req{path: "/forms/open", body: okBody})
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") == "" {
		t.Fatalf("status %d, Retry-After %q", w.Code, w.Header().Get("Retry-After"))
	}
}

func TestFormRejectsOtherMethods(t *testing.T) {
	w := do(newForms(&fakeQueue{}, nil), req{method: http.MethodGet, path: "/forms/open"})
	if w.Code != http.StatusMethodNotAllowed {
		t.Fatalf("status = %d, want 405", w.Code)
	}
}

// Issue 11: an unsigned public form took status=closed from the submitter.
// Its hidden status (and pipeline, priority, category) are now refused
// unless the channel allows the value; the submission still queues, with
// the value kept on it for the agent, and the ticket takes the channel's
// defaults. An HMAC-signed submission is the form owner's and is taken.
func TestUnsignedFormCannotChooseItsTicketsStatus(t *testing.T) {
	body := `{"email":"eve@example.com","subject":"hi","status":"closed","priority":"urgent"}`
	q := &fakeQueue{}
	if w := do(newForms(q, nil), req{path: "/forms/open", body: body}); w.Code != http.StatusAccepted {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	m := q.sent[0]
	if m.Ticket.Status != "new" || m.Ticket.Priority != "" || m.Submission["status"] != "closed" || m.Submission["priority"] != "urgent" {
		t.Fatalf("unsigned: ticket %+v, submission %v; want the defaults, the asked values kept aside", m.Ticket, m.Submission)
	}
	q = &fakeQueue{}
	w := do(newForms(q, nil), req{path: "/forms/signed", body: body, headers: map[string]string{HeaderFormSignature: SignSHA256("s3cret", []byte(body))}})
	if w.Code != http.StatusAccepted {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	if m := q.sent[0]; m.Ticket.Status != "closed" || m.Ticket.Priority != helpdesk.PriorityUrgent {
		t.Fatalf("signed: ticket %+v, want the owner's status and priority (the model still opens it)", m.Ticket)
	}
}

// Invalid UTF-8 and NULs are treated alike in JSON and URL-encoded bodies:
// replaced (U+FFFD) and dropped, never a 400 for one and not the other.
func TestFormCleansTextTheSameWayInBothEncodings(t *testing.T) {
	var got []*helpdesk.InboundMessage
	for _, r := range []req{
		{path: "/forms/open", body: "{\"email\":\"ann@example.com\",\"subject\":\"Caf\xe9\",\"description\":\"a\\u0000b\"}"},
		{path: "/forms/open", contentType: "application/x-www-form-urlencoded", body: "email=ann%40example.com&subject=Caf%E9&description=a%00b"},
	} {
		q := &fakeQueue{}
		if w := do(newForms(q, nil), r); w.Code != http.StatusAccepted {
			t.Fatalf("%s: status %d: %s", r.contentType, w.Code, w.Body)
		}
		got = append(got, q.sent[0])
	}
	for _, m := range got {
		if m.Subject != "Caf\uFFFD" || m.Text != "ab" {
			t.Errorf("subject %q text %q, want %q and %q", m.Subject, m.Text, "Caf\uFFFD", "ab")
		}
	}
}
