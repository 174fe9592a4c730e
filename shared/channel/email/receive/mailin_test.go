package receive

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// fakeFiles is an in-memory mail bucket.
type fakeFiles struct {
	objects map[string][]byte
	types   map[string]string
}

func newFiles(objects map[string][]byte) *fakeFiles {
	return &fakeFiles{objects: objects, types: map[string]string{}}
}

func (f *fakeFiles) Read(_ context.Context, key string, limit int64) ([]byte, error) {
	b, ok := f.objects[key]
	if !ok {
		return nil, fmt.Errorf("%w: %s", helpdesk.ErrNotFound, key)
	}
	if int64(len(b)) > limit {
		return nil, helpdesk.Errorf(helpdesk.ETooLarge, "file_too_large", "%s is over %d bytes", key, limit)
	}
	return b, nil
}

func (f *fakeFiles) Write(_ context.Context, key, contentType string, data []byte) error {
	f.objects[key], f.types[key] = data, contentType
	return nil
}

func (f *fakeFiles) Location(key string) string { return "s3://mail/" + key }

type fakeChannels map[string]helpdesk.Channel

func (f fakeChannels) GetChannel(_ context.Context, id string) (helpdesk.Channel, error) {
	if c, ok := f[id]; ok {
		return c, nil
	}
	return helpdesk.Channel{}, helpdesk.Errorf(helpdesk.ENotFound, "not_found", "no channel %s", id)
}

type fakeQueue struct{ sent []*helpdesk.InboundMessage }

func (q *fakeQueue) EnqueueInbound(_ context.Context, m *helpdesk.InboundMessage) error {
	q.sent = append(q.sent, m)
	return nil
}

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func supportChannel() fakeChannels {
	return fakeChannels{ChannelID("support@acme.example"): {ID: ChannelID("support@acme.example"), Kind: helpdesk.ChannelEmail,
		Email: &helpdesk.EmailSettings{Address: "support@acme.example"}}}
}

// The sample mail from events/ (the SES event itself goes through lambdax's
// handler in its tests) becomes one inbound message, twice alike.
func TestSampleMailBecomesOneInboundMessage(t *testing.T) {
	raw, err := os.ReadFile("../../../../events/email-inbound/message.eml")
	if err != nil {
		t.Fatal(err)
	}
	const sesID = "o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1"
	q := &fakeQueue{}
	h := &Handler{Files: newFiles(map[string][]byte{"inbound/" + sesID: raw}), Queue: q, Tenant: "acme", Prefix: "inbound/",
		Log: quiet, Channels: supportChannel()}
	d := Delivery{ID: sesID, Recipients: []string{"Support@acme.example"}, Timestamp: time.Date(2026, 11, 21, 9, 59, 58, 0, time.FixedZone("CET", 3600)),
		Verdicts: helpdesk.Verdicts{Spam: "GRAY", Virus: "PASS"}}
	for range 2 { // SES retries: the same message id again
		if err := h.Receive(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	if len(q.sent) != 2 {
		t.Fatalf("%d messages queued", len(q.sent))
	}
	m := q.sent[0]
	if m.ProviderMessageID != "m1@example.com" || m.ChannelID != "email:support@acme.example" || m.Sender.Email != "ann@example.com" ||
		m.Sender.Name != "Ann Lee" || m.Subject != "Where is my order?" || m.Text != "My order 1042 has not arrived." ||
		m.ReceivedAt != time.Date(2026, 11, 21, 8, 59, 58, 0, time.UTC) || m.RawLocation != "s3://mail/inbound/"+sesID ||
		m.Verdicts != d.Verdicts || len(m.Email.Recipients) != 1 || m.Email.Recipients[0] != "support@acme.example" {
		t.Fatalf("queued %+v", m)
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	// Both deliveries carry the same provider id: the router dedupes them.
	if q.sent[1].ProviderMessageID != m.ProviderMessageID {
		t.Fatal("a redelivery changed the provider message id")
	}
}

func TestMailForNoChannelAndMissingObjects(t *testing.T) {
	h := &Handler{Files: newFiles(map[string][]byte{}), Queue: &fakeQueue{}, Prefix: "inbound/", Log: quiet, Channels: supportChannel()}
	to := func(rcpt string) Delivery { return Delivery{ID: "x1", Recipients: []string{rcpt}} }
	if err := h.Receive(context.Background(), to("nobody@other.example")); err != nil {
		t.Fatalf("mail for no channel must be dropped, not retried: %v", err)
	}
	// A reply-token address maps to its team address; the object is missing,
	// which is worth a retry (SES may still be writing it).
	if err := h.Receive(context.Background(), to("support+t12.abc@acme.example")); err == nil {
		t.Fatal("a missing raw object must fail the event so it is retried")
	}
}

// Mail over what SES takes cannot get better by retrying: it is left in
// the bucket, logged, and not queued.
func TestOversizedMailIsNotRetried(t *testing.T) {
	q := &fakeQueue{}
	h := &Handler{Files: newFiles(map[string][]byte{"inbound/big": make([]byte, maxRawSize+1)}), Queue: q, Prefix: "inbound/",
		Log: quiet, Channels: supportChannel()}
	if err := h.Receive(context.Background(), Delivery{ID: "big", Recipients: []string{"support@acme.example"}}); err != nil || len(q.sent) != 0 {
		t.Fatalf("oversized mail: %v, %d queued", err, len(q.sent))
	}
}

// Attachments are kept under the SES message id, with safe names, so a
// redelivery overwrites them rather than adding copies.
func TestAttachmentsAreKeptInTheBucket(t *testing.T) {
	raw := "From: Ann <ann@example.com>\r\nTo: support@acme.example\r\nSubject: invoice\r\nMessage-ID: <a1@example.com>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n" +
		"--b\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"../in voice.pdf\"\r\n\r\n%PDF-1.4\r\n--b--\r\n"
	files := newFiles(map[string][]byte{"inbound/s1": []byte(raw)})
	q := &fakeQueue{}
	h := &Handler{Files: files, Queue: q, Tenant: "acme", Prefix: "inbound/", Log: quiet, Channels: supportChannel()}
	if err := h.Receive(context.Background(), Delivery{ID: "s1", Recipients: []string{"support@acme.example"}}); err != nil {
		t.Fatal(err)
	}
	if len(q.sent) != 1 || len(q.sent[0].Attachments) != 1 {
		t.Fatalf("queued %+v", q.sent)
	}
	a := q.sent[0].Attachments[0]
	if a.Key != "attachments/s1/00-in_voice.pdf" || a.Name != "in voice.pdf" || a.ContentType != "application/pdf" ||
		string(files.objects[a.Key]) != "%PDF-1.4" || files.types[a.Key] != "application/pdf" {
		t.Fatalf("attachment %+v stored as %q (%s)", a, files.objects[a.Key], files.types[a.Key])
	}
}
