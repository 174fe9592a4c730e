package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/aws/sqsqueue"
	"github.com/stackdesk/stackdesk/shared/channel/meta"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

const (
	metaAppSecret   = "app-s3cret"
	metaVerifyToken = "verify-t0ken"
)

var metaKinds = []helpdesk.ChannelKind{helpdesk.ChannelMessenger, helpdesk.ChannelWhatsApp}

// fakeMetaSecrets returns fixed secrets, or err.
type fakeMetaSecrets struct {
	app, verify string
	err         error
}

func (s fakeMetaSecrets) MetaSecrets(context.Context) (string, string, error) {
	return s.app, s.verify, s.err
}

var goodSecrets = fakeMetaSecrets{app: metaAppSecret, verify: metaVerifyToken}

// fakeMetaQueue records what is enqueued, in order. When failOn is n > 0 the
// n-th call (messages and statuses counted together) returns err.
type fakeMetaQueue struct {
	inbound  []*helpdesk.InboundMessage
	statuses []*jobs.StatusUpdate
	order    []string // "m:<id>" and "s:<id>/<status>" in call order
	calls    int
	failOn   int
	err      error
}

func (q *fakeMetaQueue) fail() error {
	q.calls++
	if q.failOn > 0 && q.calls == q.failOn {
		return q.err
	}
	return nil
}

func (q *fakeMetaQueue) EnqueueInbound(_ context.Context, m *helpdesk.InboundMessage) error {
	if err := q.fail(); err != nil {
		return err
	}
	q.inbound = append(q.inbound, m)
	q.order = append(q.order, "m:"+m.ProviderMessageID)
	return nil
}

func (q *fakeMetaQueue) EnqueueStatus(_ context.Context, u *jobs.StatusUpdate) error {
	if err := q.fail(); err != nil {
		return err
	}
	q.statuses = append(q.statuses, u)
	q.order = append(q.order, "s:"+u.ProviderMessageID+"/"+string(u.Status))
	return nil
}

// EnqueueAll enqueues one at a time, messages then statuses, stopping at
// the first failure (what the fake checks is what is queued, in order).
func (q *fakeMetaQueue) EnqueueAll(ctx context.Context, msgs []helpdesk.InboundMessage, statuses []jobs.StatusUpdate) (int, error) {
	n := 0
	for i := range msgs {
		if err := q.EnqueueInbound(ctx, &msgs[i]); err != nil {
			return n, err
		}
		n++
	}
	for i := range statuses {
		if err := q.EnqueueStatus(ctx, &statuses[i]); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (q *fakeMetaQueue) empty() bool { return len(q.inbound) == 0 && len(q.statuses) == 0 }

// newMetaHandler is the mux a webhook Lambda serves, logging to logOut.
func newMetaHandler(kind helpdesk.ChannelKind, s MetaSecrets, q MetaQueue, logOut io.Writer) http.Handler {
	h := &Meta{Kind: kind, Secrets: s, Queue: q,
		Log: slog.New(slog.NewTextHandler(logOut, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	mux := http.NewServeMux()
	h.Register(mux)
	return mux
}

// metaEnv is a handler over fakes, with its log.
type metaEnv struct {
	h    http.Handler
	q    *fakeMetaQueue
	logs *bytes.Buffer
	kind helpdesk.ChannelKind
}

func newMetaEnv(kind helpdesk.ChannelKind, s MetaSecrets) *metaEnv {
	e := &metaEnv{q: &fakeMetaQueue{}, logs: &bytes.Buffer{}, kind: kind}
	e.h = newMetaHandler(kind, s, e.q, e.logs)
	return e
}

// post sends body to the env's path with the given signature header (none when "").
func (e *metaEnv) post(body []byte, header, value string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodPost, "/"+string(e.kind), bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	if header != "" {
		r.Header.Set(header, value)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

// postSigned sends body signed with the app secret, as Meta does.
func (e *metaEnv) postSigned(body []byte) *httptest.ResponseRecorder {
	return e.post(body, meta.SignatureHeader, SignSHA256(metaAppSecret, body))
}

func (e *metaEnv) get(query url.Values) *httptest.ResponseRecorder {
	r := httptest.NewRequest(http.MethodGet, "/"+string(e.kind)+"?"+query.Encode(), nil)
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

func readMetaFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "channel", "meta", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// textFixture is the text-message fixture of kind.
func textFixture(kind helpdesk.ChannelKind) string { return string(kind) + "_text.json" }

func assertReceived(t *testing.T, w *httptest.ResponseRecorder) {
	t.Helper()
	if w.Code != http.StatusOK || w.Body.String() != EventReceived {
		t.Fatalf("status %d, body %q; want 200 %q", w.Code, w.Body, EventReceived)
	}
	if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
		t.Fatalf("Content-Type = %q, want text/plain", ct)
	}
}

// assertError checks an error response: status, and a JSON body with reason.
func assertError(t *testing.T, w *httptest.ResponseRecorder, status int, reason string) {
	t.Helper()
	if w.Code != status {
		t.Fatalf("status = %d, want %d: %s", w.Code, status, w.Body)
	}
	var body httpjson.ErrorBody
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("body %q: %v", w.Body, err)
	}
	if body.Error.Reason != reason || body.Error.Message == "" {
		t.Fatalf("error = %+v, want reason %s", body.Error, reason)
	}
}

func TestMetaVerifySubscription(t *testing.T) {
	q := func(mode, token, challenge string) url.Values {
		v := url.Values{}
		for k, s := range map[string]string{"hub.mode": mode, "hub.verify_token": token, "hub.challenge": challenge} {
			if s != "" {
				v.Set(k, s)
			}
		}
		return v
	}
	cases := []struct {
		name    string
		query   url.Values
		secrets MetaSecrets
		status  int
		reason  string // for errors
	}{
		{"right token", q("subscribe", metaVerifyToken, "1158201444"), goodSecrets, 200, ""},
		{"wrong token", q("subscribe", "guess", "1158201444"), goodSecrets, 403, "verification_failed"},
		{"token prefix", q("subscribe", metaVerifyToken[:4], "1158201444"), goodSecrets, 403, "verification_failed"},
		{"wrong mode", q("unsubscribe", metaVerifyToken, "1158201444"), goodSecrets, 403, "verification_failed"},
		{"missing mode", q("", metaVerifyToken, "1158201444"), goodSecrets, 403, "verification_failed"},
		{"missing token", q("subscribe", "", "1158201444"), goodSecrets, 403, "verification_failed"},
		{"missing challenge", q("subscribe", metaVerifyToken, ""), goodSecrets, 403, "verification_failed"},
		{"no verify token configured", q("subscribe", "", "1158201444"), fakeMetaSecrets{app: metaAppSecret}, 403, "verification_failed"},
		{"secrets failing", q("subscribe", metaVerifyToken, "1158201444"), fakeMetaSecrets{err: errors.New("secretsmanager: throttled")}, 503, "secrets_unavailable"},
	}
	for _, kind := range metaKinds {
		for _, tc := range cases {
			t.Run(string(kind)+"/"+tc.name, func(t *testing.T) {
				e := newMetaEnv(kind, tc.secrets)
				w := e.get(tc.query)
				if tc.status == 200 {
					if w.Code != 200 || w.Body.String() != "1158201444" {
						t.Fatalf("status %d, body %q; want 200 and exactly the challenge", w.Code, w.Body)
					}
					if ct := w.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
						t.Fatalf("Content-Type = %q", ct)
					}
					return
				}
				assertError(t, w, tc.status, tc.reason)
				if strings.Contains(w.Body.String(), "1158201444") || strings.Contains(w.Body.String(), "throttled") {
					t.Fatalf("body leaks the challenge or the cause: %s", w.Body)
				}
			})
		}
	}
}

func TestMetaSignature(t *testing.T) {
	sha1Sig := func(secret string, body []byte) string {
		m := hmac.New(sha1.New, []byte(secret))
		m.Write(body)
		return "sha1=" + hex.EncodeToString(m.Sum(nil))
	}
	for _, kind := range metaKinds {
		body := readMetaFixture(t, textFixture(kind))
		altered := bytes.Clone(body)
		i := bytes.LastIndexByte(altered, '?')
		if kind == helpdesk.ChannelMessenger {
			i = bytes.LastIndexByte(altered, '!')
		}
		altered[i] = '.' // one byte of the customer's text
		valid := SignSHA256(metaAppSecret, body)
		cases := []struct {
			name          string
			body          []byte
			header, value string
			status        int
			reason        string
		}{
			{"valid", body, meta.SignatureHeader, valid, 200, ""},
			{"missing header", body, "", "", 401, "signature_missing"},
			{"empty header", body, meta.SignatureHeader, "", 401, "signature_missing"},
			{"wrong secret", body, meta.SignatureHeader, SignSHA256("other-secret", body), 401, "signature_invalid"},
			{"body altered by one byte", altered, meta.SignatureHeader, valid, 401, "signature_invalid"},
			{"sha1 header only", body, "X-Hub-Signature", sha1Sig(metaAppSecret, body), 401, "signature_missing"},
			{"sha1 value in the sha256 header", body, meta.SignatureHeader, sha1Sig(metaAppSecret, body), 401, "signature_missing"},
			{"not hex", body, meta.SignatureHeader, "sha256=" + strings.Repeat("zz", 32), 401, "signature_invalid"},
		}
		for _, tc := range cases {
			t.Run(string(kind)+"/"+tc.name, func(t *testing.T) {
				e := newMetaEnv(kind, goodSecrets)
				w := e.post(tc.body, tc.header, tc.value)
				if tc.status == 200 {
					assertReceived(t, w)
					if len(e.q.inbound) != 1 {
						t.Fatalf("enqueued %d messages, want 1", len(e.q.inbound))
					}
					return
				}
				assertError(t, w, tc.status, tc.reason)
				if !e.q.empty() {
					t.Fatalf("unauthenticated delivery was enqueued: %v", e.q.order)
				}
				logs := e.logs.String()
				if !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "reason="+tc.reason) {
					t.Fatalf("want a warning with the reason, got logs:\n%s", logs)
				}
				for _, secret := range []string{"hello, world", "another color", "hello, world.", "another color."} {
					if strings.Contains(logs, secret) {
						t.Fatalf("the log carries the body: %s", logs)
					}
				}
			})
		}
	}
}

func TestMetaSecretsFailures(t *testing.T) {
	for _, kind := range metaKinds {
		body := readMetaFixture(t, textFixture(kind))
		t.Run(string(kind)+"/secrets unavailable", func(t *testing.T) {
			e := newMetaEnv(kind, fakeMetaSecrets{err: errors.New("secretsmanager: throttled")})
			w := e.postSigned(body)
			assertError(t, w, 503, "secrets_unavailable")
			if w.Header().Get("Retry-After") == "" || strings.Contains(w.Body.String(), "throttled") || !e.q.empty() {
				t.Fatalf("Retry-After %q, body %s, enqueued %v", w.Header().Get("Retry-After"), w.Body, e.q.order)
			}
		})
		t.Run(string(kind)+"/no app secret configured", func(t *testing.T) {
			e := newMetaEnv(kind, fakeMetaSecrets{verify: metaVerifyToken})
			w := e.postSigned(body)
			assertError(t, w, 500, "secret_missing")
			if !e.q.empty() {
				t.Fatalf("enqueued %v", e.q.order)
			}
		})
	}
}

// wantMsg is what a test checks of an enqueued message.
type wantMsg struct {
	id, channelID string
	sender        helpdesk.Sender
	text          string
}

func TestMetaFixtures(t *testing.T) {
	const (
		page, psid   = "106907411778215", "3163874143641178"
		page2, psid2 = "204907411778216", "5550001112223334"
		phone        = "106540352242922"
		phone2       = "206540352242923"
		sheena       = "16505551234"
	)
	fb := func(id, text string) wantMsg {
		return wantMsg{id, "messenger:" + page, helpdesk.Sender{PageID: page, PSID: psid}, text}
	}
	wa := func(id, text string) wantMsg {
		return wantMsg{id, "whatsapp:" + phone, helpdesk.Sender{WhatsAppID: sheena, Name: "Sheena Nelson"}, text}
	}
	waStatus := func(channelID, id string, st helpdesk.MessageStatus, at int64) jobs.StatusUpdate {
		return jobs.StatusUpdate{Channel: helpdesk.ChannelWhatsApp, ChannelID: channelID, ProviderMessageID: id, Status: st, At: time.Unix(at, 0).UTC()}
	}
	failed := waStatus("whatsapp:"+phone, "wamid.OUT2", helpdesk.StatusFailed, 1750263790)
	failed.ErrorCode, failed.ErrorTitle = 131047, "Re-engagement message"
	failed.ErrorDetail = "Message failed to send because more than 24 hours have passed since the customer last replied to this number."
	fbWatermark := func(st helpdesk.MessageStatus, ms int64) jobs.StatusUpdate {
		return jobs.StatusUpdate{Channel: helpdesk.ChannelMessenger, ChannelID: "messenger:" + page, Recipient: psid,
			Status: st, At: time.UnixMilli(ms).UTC()}
	}

	cases := []struct {
		kind     helpdesk.ChannelKind
		file     string
		msgs     []wantMsg
		statuses []jobs.StatusUpdate
		order    []string // call order, when it matters
		log      []string // in the delivery's info line
		check    func(t *testing.T, got []*helpdesk.InboundMessage)
	}{
		{kind: helpdesk.ChannelMessenger, file: "messenger_text.json",
			msgs: []wantMsg{fb("m_toDnmD9h3mKcFMZ6hyMXyVtXh_XHQHZLwWOFgVuFMDdk9VjmaTJq_2M4M_7xqWL1zdOPTz8dz6Bc6jFQbmS5lg", "hello, world!")},
			log:  []string{"messages=1 statuses=0 echoes=0 skipped=0"}},
		{kind: helpdesk.ChannelMessenger, file: "messenger_batched.json",
			msgs: []wantMsg{
				fb("m_b1", "first"), fb("m_b2", "second"), fb("m_pb1", "Talk to a human"),
				fb("m_out1#react#1583173676000", ""),
				{"m_b3", "messenger:" + page2, helpdesk.Sender{PageID: page2, PSID: psid2}, "hello second page"},
			},
			statuses: []jobs.StatusUpdate{fbWatermark(helpdesk.StatusDelivered, 1583173673500), fbWatermark(helpdesk.StatusRead, 1583173674500)},
			order:    []string{"m:m_b1", "m:m_b2", "m:m_pb1", "m:m_out1#react#1583173676000", "m:m_b3", "s:/delivered", "s:/read"},
			log: []string{"messages=5 statuses=2 echoes=1 skipped=1",
				"skipped_by.message/malformed=1"},
			check: func(t *testing.T, got []*helpdesk.InboundMessage) {
				if got[2].Submission["postback"] != "HUMAN" {
					t.Errorf("postback submission = %v", got[2].Submission)
				}
			}},
		{kind: helpdesk.ChannelMessenger, file: "messenger_echo.json",
			log: []string{"messages=0 statuses=0 echoes=1 skipped=0"}},
		{kind: helpdesk.ChannelMessenger, file: "messenger_quick_reply.json",
			msgs: []wantMsg{fb("m_qr1", "Red")},
			check: func(t *testing.T, got []*helpdesk.InboundMessage) {
				if got[0].Submission["quick_reply"] != "DEVELOPER_DEFINED_PAYLOAD_FOR_PICKING_RED" {
					t.Errorf("submission = %v", got[0].Submission)
				}
			}},
		{kind: helpdesk.ChannelMessenger, file: "messenger_attachments.json",
			msgs: []wantMsg{fb("m_attach1", "📎 Shared a message template (no preview available)")},
			check: func(t *testing.T, got []*helpdesk.InboundMessage) {
				want := []helpdesk.Attachment{
					{Name: "87342_n.jpg", ContentType: "image/*", URL: "https://scontent.xx.fbcdn.net/v/t1.15752-9/87342_n.jpg?_nc_cat=1&oh=abc"},
					{Name: "invoice may.pdf", ContentType: "application/octet-stream", URL: "https://cdn.fbsbx.com/v/t59.2708-21/invoice%20may.pdf?_nc_cat=2"},
				}
				if !reflect.DeepEqual(got[0].Attachments, want) {
					t.Errorf("attachments = %+v", got[0].Attachments)
				}
			}},
		{kind: helpdesk.ChannelWhatsApp, file: "whatsapp_text.json",
			msgs: []wantMsg{wa("wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", "Does it come in another color?")},
			log:  []string{"messages=1 statuses=0 echoes=0 skipped=0"}},
		{kind: helpdesk.ChannelWhatsApp, file: "whatsapp_media.json",
			msgs: []wantMsg{wa("wamid.IMG1", "Black jacket"), wa("wamid.DOC1", ""), wa("wamid.AUD1", ""), wa("wamid.VID1", "")},
			check: func(t *testing.T, got []*helpdesk.InboundMessage) {
				want := []helpdesk.Attachment{
					{Name: "image", ContentType: "image/jpeg", Key: "wa-media:1003383421387256"},
					{Name: "receipt.pdf", ContentType: "application/pdf", Key: "wa-media:1003383421387257"},
					{Name: "audio", ContentType: "audio/ogg; codecs=opus", Key: "wa-media:1003383421387258"},
					{Name: "video", ContentType: "video/mp4", Key: "wa-media:1003383421387259"},
				}
				for i, m := range got {
					if len(m.Attachments) != 1 || m.Attachments[0] != want[i] {
						t.Errorf("message %d attachments = %+v, want %+v", i, m.Attachments, want[i])
					}
				}
			}},
		{kind: helpdesk.ChannelWhatsApp, file: "whatsapp_location_contacts.json",
			msgs: []wantMsg{
				wa("wamid.LOC1", "📍 Philz Coffee, 101 Forest Ave, Palo Alto, CA 94301 (37.44216251868683, -122.16153582049394) https://www.philzcoffee.com"),
				wa("wamid.CON1", "👤 Barbara J. Johnson: +1 (940) 555-1234, +1 (650) 555-1234, bjohnson@example.com\n👤 Ana Diaz: +34600111222"),
				wa("wamid.BTN1", "Yes please"),
			},
			check: func(t *testing.T, got []*helpdesk.InboundMessage) {
				if got[2].Submission["quick_reply"] != "yes-please" {
					t.Errorf("submission = %v", got[2].Submission)
				}
			}},
		{kind: helpdesk.ChannelWhatsApp, file: "whatsapp_statuses.json",
			statuses: []jobs.StatusUpdate{
				waStatus("whatsapp:"+phone, "wamid.OUT1", helpdesk.StatusSent, 1750263773),
				waStatus("whatsapp:"+phone, "wamid.OUT1", helpdesk.StatusDelivered, 1750263774),
				waStatus("whatsapp:"+phone, "wamid.OUT1", helpdesk.StatusRead, 1750263780),
				failed,
			},
			log: []string{"messages=0 statuses=4 echoes=0 skipped=0"}},
		{kind: helpdesk.ChannelWhatsApp, file: "whatsapp_batched.json",
			msgs: []wantMsg{
				wa("wamid.A1", "one"),
				{"wamid.A2", "whatsapp:" + phone, helpdesk.Sender{WhatsAppID: "447700900123", Name: "Kai"}, "two"},
				wa("wamid.A3", "Reacted 👍"),
				wa("wamid.A4", "unsupported message (unsupported)"),
				{"wamid.B1", "whatsapp:" + phone2, helpdesk.Sender{WhatsAppID: "5215512345678", Name: "Luis"}, "Stop promotions"},
			},
			statuses: []jobs.StatusUpdate{waStatus("whatsapp:"+phone2, "wamid.OUT9", helpdesk.StatusDelivered, 1749416501)},
			order:    []string{"m:wamid.A1", "m:wamid.A2", "m:wamid.A3", "m:wamid.A4", "m:wamid.B1", "s:wamid.OUT9/delivered"},
			log:      []string{"messages=5 statuses=1 echoes=0 skipped=1", "skipped_by.change:account_update/unsupported_field=1"}},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			e := newMetaEnv(tc.kind, goodSecrets)
			assertReceived(t, e.postSigned(readMetaFixture(t, tc.file)))
			if len(e.q.inbound) != len(tc.msgs) {
				t.Fatalf("enqueued %d messages, want %d: %v", len(e.q.inbound), len(tc.msgs), e.q.order)
			}
			for i, w := range tc.msgs {
				m := e.q.inbound[i]
				got := wantMsg{m.ProviderMessageID, m.ChannelID, m.Sender, m.Text}
				if got != w || m.Channel != tc.kind {
					t.Errorf("message %d = %+v (channel %s), want %+v", i, got, m.Channel, w)
				}
				if err := m.Validate(); err != nil {
					t.Errorf("message %d invalid: %v", i, err)
				}
			}
			var statuses []jobs.StatusUpdate
			for _, u := range e.q.statuses {
				statuses = append(statuses, *u)
			}
			if !reflect.DeepEqual(statuses, tc.statuses) {
				t.Errorf("statuses:\n got %+v\nwant %+v", statuses, tc.statuses)
			}
			if tc.order != nil && !reflect.DeepEqual(e.q.order, tc.order) {
				t.Errorf("enqueue order = %v, want %v", e.q.order, tc.order)
			}
			if tc.check != nil && len(e.q.inbound) > 0 {
				tc.check(t, e.q.inbound)
			}
			logs := e.logs.String()
			if n := strings.Count(logs, "meta delivery queued"); n != 1 {
				t.Errorf("want one info line per delivery, got %d:\n%s", n, logs)
			}
			for _, s := range tc.log {
				if !strings.Contains(logs, s) {
					t.Errorf("log lacks %q:\n%s", s, logs)
				}
			}
		})
	}
}

func TestMetaUnknownEventsAreAcknowledged(t *testing.T) {
	cases := []struct {
		kind helpdesk.ChannelKind
		body string
		log  string
	}{
		{helpdesk.ChannelMessenger, `{"object":"page","entry":[{"id":"1","time":1583173667623,
			"messaging":[{"sender":{"id":"2"},"recipient":{"id":"1"},"timestamp":1583173666767,"brand_new_event":{"x":1}},
			             {"sender":{"id":"2"},"recipient":{"id":"1"},"timestamp":1583173666768,"optin":{"ref":"r"}}],
			"standby":[{"sender":{"id":"2"}}],"some_future_field":[1,2]}],"also_new":true}`,
			"skipped_by.brand_new_event/unsupported_event=1 skipped_by.optin/unsupported_event=1 skipped_by.standby/unsupported_event=1"},
		{helpdesk.ChannelWhatsApp, `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[
			{"field":"message_template_status_update","value":{"event":"APPROVED"}},
			{"field":"messages","value":{"metadata":{"phone_number_id":"106540352242922"},"brand_new":{},
			  "messages":[{"from":"16505551234","id":"","timestamp":"1749416400","type":"sticker","sticker":{"id":"9"}}],
			  "statuses":[{"id":"wamid.OUT1","status":"deleted","timestamp":"1750263773"}]}}]}]}`,
			"skipped_by.change:message_template_status_update/unsupported_field=1 skipped_by.message:sticker/missing_id=1 skipped_by.status:deleted/unsupported_status=1"},
	}
	for _, tc := range cases {
		t.Run(string(tc.kind), func(t *testing.T) {
			e := newMetaEnv(tc.kind, goodSecrets)
			assertReceived(t, e.postSigned([]byte(tc.body)))
			if !e.q.empty() {
				t.Fatalf("enqueued %v", e.q.order)
			}
			if logs := e.logs.String(); !strings.Contains(logs, "skipped=3") || !strings.Contains(logs, tc.log) {
				t.Fatalf("log lacks the skipped events (%s):\n%s", tc.log, logs)
			}
		})
	}
}

func TestMetaQueueFailures(t *testing.T) {
	unavailable := fmt.Errorf("%w: send m_b2: dial tcp: connection refused", sqsqueue.ErrUnavailable)
	cases := []struct {
		name     string
		kind     helpdesk.ChannelKind
		file     string
		failOn   int
		err      error
		reason   string
		enqueued []string
	}{
		{"messenger queue unavailable", helpdesk.ChannelMessenger, "messenger_text.json", 1, unavailable, "queue_unavailable", nil},
		{"whatsapp queue unavailable", helpdesk.ChannelWhatsApp, "whatsapp_text.json", 1, unavailable, "queue_unavailable", nil},
		{"2nd message of a batch", helpdesk.ChannelMessenger, "messenger_batched.json", 2, unavailable, "queue_unavailable", []string{"m:m_b1"}},
		{"2nd message of a whatsapp batch", helpdesk.ChannelWhatsApp, "whatsapp_batched.json", 2, unavailable, "queue_unavailable", []string{"m:wamid.A1"}},
		{"a status", helpdesk.ChannelWhatsApp, "whatsapp_statuses.json", 4, unavailable, "queue_unavailable",
			[]string{"s:wamid.OUT1/sent", "s:wamid.OUT1/delivered", "s:wamid.OUT1/read"}},
		{"an error that is not unavailable", helpdesk.ChannelMessenger, "messenger_text.json", 1, errors.New("dial tcp: connection refused"), "enqueue_failed", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newMetaEnv(tc.kind, goodSecrets)
			e.q.failOn, e.q.err = tc.failOn, tc.err
			w := e.postSigned(readMetaFixture(t, tc.file))
			assertError(t, w, 503, tc.reason)
			if w.Header().Get("Retry-After") == "" {
				t.Errorf("no Retry-After")
			}
			if strings.Contains(w.Body.String(), "dial tcp") {
				t.Errorf("internal detail leaked: %s", w.Body)
			}
			if !reflect.DeepEqual(e.q.order, tc.enqueued) {
				t.Errorf("enqueued %v, want %v (the delivery stops at the failure)", e.q.order, tc.enqueued)
			}
			if logs := e.logs.String(); !strings.Contains(logs, "level=ERROR") || strings.Contains(logs, "meta delivery queued") {
				t.Errorf("want an error and no success line:\n%s", logs)
			}
		})
	}
}

func TestMetaBodySize(t *testing.T) {
	for _, kind := range metaKinds {
		object := map[helpdesk.ChannelKind]string{helpdesk.ChannelMessenger: "page", helpdesk.ChannelWhatsApp: "whatsapp_business_account"}[kind]
		padded := func(size int) []byte {
			head := `{"object":"` + object + `","entry":[],"pad":"`
			return []byte(head + strings.Repeat("x", size-len(head)-2) + `"}`)
		}
		t.Run(string(kind)+"/over the limit", func(t *testing.T) {
			e := newMetaEnv(kind, goodSecrets)
			assertError(t, e.postSigned(padded(meta.MaxBodySize+1)), 413, "body_too_large")
			if !e.q.empty() {
				t.Fatalf("enqueued %v", e.q.order)
			}
		})
		t.Run(string(kind)+"/at the limit", func(t *testing.T) {
			e := newMetaEnv(kind, goodSecrets)
			assertReceived(t, e.postSigned(padded(meta.MaxBodySize)))
		})
	}
}

func TestMetaWrongPayload(t *testing.T) {
	cases := []struct {
		name string
		kind helpdesk.ChannelKind
		body []byte
	}{
		{"messenger payload to whatsapp", helpdesk.ChannelWhatsApp, readMetaFixture(t, "messenger_text.json")},
		{"whatsapp payload to messenger", helpdesk.ChannelMessenger, readMetaFixture(t, "whatsapp_text.json")},
		{"instagram payload", helpdesk.ChannelMessenger, []byte(`{"object":"instagram","entry":[]}`)},
		{"not json", helpdesk.ChannelWhatsApp, []byte(`object=whatsapp_business_account`)},
		{"truncated json", helpdesk.ChannelMessenger, []byte(`{"object":"page","entry":[`)},
		{"empty body", helpdesk.ChannelWhatsApp, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := newMetaEnv(tc.kind, goodSecrets)
			assertError(t, e.postSigned(tc.body), 400, "bad_payload")
			if !e.q.empty() {
				t.Fatalf("enqueued %v", e.q.order)
			}
			if logs := e.logs.String(); !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "reason=bad_payload") {
				t.Fatalf("want a warning:\n%s", logs)
			}
		})
	}
}

func TestMetaRoutes(t *testing.T) {
	e := newMetaEnv(helpdesk.ChannelMessenger, goodSecrets)
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{http.MethodPost, "/whatsapp", 404},
		{http.MethodGet, "/whatsapp", 404},
		{http.MethodPut, "/messenger", 405},
		{http.MethodDelete, "/messenger", 405},
	} {
		w := httptest.NewRecorder()
		e.h.ServeHTTP(w, httptest.NewRequest(tc.method, tc.path, nil))
		if w.Code != tc.status {
			t.Errorf("%s %s = %d, want %d", tc.method, tc.path, w.Code, tc.status)
		}
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Register accepted a non-Meta channel kind")
		}
	}()
	(&Meta{Kind: helpdesk.ChannelEmail, Secrets: goodSecrets, Queue: &fakeMetaQueue{}, Log: slog.Default()}).Register(http.NewServeMux())
}
