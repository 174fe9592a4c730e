package jobs_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/channel/email/receive"
	"github.com/stackdesk/stackdesk/shared/channel/form"
	"github.com/stackdesk/stackdesk/shared/channel/meta"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// Every channel's message goes through the queue's encoding; what the router
// reads back has no NUL and no invalid UTF-8, whichever channel it came from
// (helpdesk.CleanText: U+FFFD per bad byte, NUL dropped).

// queued is what the router reads of m once it has been queued.
func queued(t *testing.T, m *helpdesk.InboundMessage) *helpdesk.InboundMessage {
	t.Helper()
	body, err := jobs.EncodeInbound(m)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jobs.DecodeInbound(string(body))
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func wantClean(t *testing.T, what, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", what, got, want)
	}
	if strings.ContainsRune(got, 0) {
		t.Errorf("%s keeps a NUL: %q", what, got)
	}
}

func TestFormTextIsCleanedTheSameInJSONAndURLEncodedBodies(t *testing.T) {
	ch := helpdesk.Channel{ID: "f", Kind: helpdesk.ChannelForm, Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}}
	build := func(ctype, body string) *helpdesk.InboundMessage {
		t.Helper()
		sub, err := form.Decode(ctype, []byte(body))
		if err != nil {
			t.Fatalf("%s: %v", ctype, err)
		}
		m, err := form.Build(sub, form.Input{Channel: ch, Pipelines: helpdesk.DefaultSettings().Pipelines, SubmissionID: "s1", ReceivedAt: time.Unix(1, 0)})
		if err != nil {
			t.Fatalf("%s: %v", ctype, err)
		}
		return queued(t, m)
	}
	// Latin-1 "é" (0xE9) sent raw, and a NUL, in both encodings.
	js := build("application/json", "{\"email\":\"ann@example.com\",\"name\":\"Ren\xe9e\",\"description\":\"caf\xe9\\u0000 bar\",\"note\":\"x\\u0000y\"}")
	ue := build("application/x-www-form-urlencoded", "email=ann%40example.com&name=Ren%E9e&description=caf%E9%00+bar&note=x%00y")
	for _, m := range []*helpdesk.InboundMessage{js, ue} {
		wantClean(t, "name", m.Sender.Name, "Ren\uFFFDe")
		wantClean(t, "text", m.Text, "caf\uFFFD bar")
		wantClean(t, "hidden field", m.Submission["note"], "xy")
	}
}

func TestMetaTextIsCleaned(t *testing.T) {
	messenger := `{"object":"page","entry":[{"id":"1","time":1583173667623,"messaging":[{"sender":{"id":"2"},"recipient":{"id":"1"},` +
		`"timestamp":1583173666767,"message":{"mid":"m_1","text":"hel\u0000lo ` + "\xff" + `"}}]}]}`
	b, err := meta.DecodeMessenger([]byte(messenger))
	if err != nil || len(b.Messages) != 1 {
		t.Fatalf("messenger: %v %+v", err, b)
	}
	wantClean(t, "messenger text", queued(t, &b.Messages[0]).Text, "hello \uFFFD")

	whatsapp := `{"object":"whatsapp_business_account","entry":[{"id":"9","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",` +
		`"metadata":{"display_phone_number":"1555","phone_number_id":"106"},"contacts":[{"profile":{"name":"Sh\u0000eena"},"wa_id":"165"}],` +
		`"messages":[{"from":"165","id":"wamid.1","timestamp":"1749416383","type":"text","text":{"body":"col\u0000or` + "\xc3" + `"}}]}}]}]}`
	b, err = meta.DecodeWhatsApp([]byte(whatsapp))
	if err != nil || len(b.Messages) != 1 {
		t.Fatalf("whatsapp: %v %+v", err, b)
	}
	m := queued(t, &b.Messages[0])
	wantClean(t, "whatsapp text", m.Text, "color\uFFFD")
	wantClean(t, "whatsapp name", m.Sender.Name, "Sheena")
}

type mailFiles map[string][]byte

func (f mailFiles) Read(_ context.Context, key string, _ int64) ([]byte, error) {
	if b, ok := f[key]; ok {
		return b, nil
	}
	return nil, fmt.Errorf("%w: %s", helpdesk.ErrNotFound, key)
}
func (f mailFiles) Write(_ context.Context, key, _ string, data []byte) error {
	f[key] = data
	return nil
}
func (f mailFiles) Location(key string) string { return "s3://mail/" + key }

type mailChannels struct{}

func (mailChannels) GetChannel(_ context.Context, id string) (helpdesk.Channel, error) {
	return helpdesk.Channel{ID: id, Kind: helpdesk.ChannelEmail, Email: &helpdesk.EmailSettings{Address: "support@acme.example"}}, nil
}

type mailQueue struct{ got []*helpdesk.InboundMessage }

func (q *mailQueue) EnqueueInbound(_ context.Context, m *helpdesk.InboundMessage) error {
	q.got = append(q.got, m)
	return nil
}

func TestEmailTextIsCleaned(t *testing.T) {
	// A mail declaring UTF-8 whose body carries a NUL and a stray Latin-1 byte.
	raw := "From: Ann Lee <ann@example.com>\r\nTo: support@acme.example\r\nSubject: Printer\r\n" +
		"Message-ID: <nul-1@example.com>\r\nDate: Sat, 21 Nov 2026 09:00:00 +0000\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=utf-8\r\n\r\nIt is on fire\x00 \xe9 help\r\n"
	q := &mailQueue{}
	h := &receive.Handler{Files: mailFiles{"inbound/x1": []byte(raw)}, Channels: mailChannels{}, Queue: q, Prefix: "inbound/", Tenant: "acme",
		Log: quiet()}
	if err := h.Receive(context.Background(), receive.Delivery{ID: "x1", Recipients: []string{"support@acme.example"}, Timestamp: time.Unix(1, 0)}); err != nil {
		t.Fatal(err)
	}
	if len(q.got) != 1 {
		t.Fatalf("%d messages queued", len(q.got))
	}
	m := queued(t, q.got[0])
	if strings.ContainsRune(m.Text, 0) || strings.ContainsRune(m.Email.FullText, 0) || !strings.Contains(m.Text, "It is on fire") {
		t.Fatalf("email text = %q (full %q)", m.Text, m.Email.FullText)
	}
	if !strings.Contains(m.Text, "\uFFFD") && !strings.Contains(m.Text, "é") {
		t.Fatalf("the stray byte is lost: %q", m.Text)
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
