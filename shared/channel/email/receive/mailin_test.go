package receive

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// fakeS3 serves one object and records puts.
type fakeS3 struct {
	objects map[string][]byte
}

func (f *fakeS3) GetObject(_ context.Context, in *s3.GetObjectInput, _ ...func(*s3.Options)) (*s3.GetObjectOutput, error) {
	b, ok := f.objects[*in.Key]
	if !ok {
		return nil, helpdesk.Errorf(helpdesk.ENotFound, "no_such_key", "no object %s", *in.Key)
	}
	return &s3.GetObjectOutput{Body: io.NopCloser(bytes.NewReader(b))}, nil
}

func (f *fakeS3) PutObject(_ context.Context, in *s3.PutObjectInput, _ ...func(*s3.Options)) (*s3.PutObjectOutput, error) {
	b, _ := io.ReadAll(in.Body)
	f.objects[*in.Key] = b
	return &s3.PutObjectOutput{}, nil
}

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

// The sample SES event from events/ through the real handler.
func TestSampleSESEventBecomesOneInboundMessage(t *testing.T) {
	raw, err := os.ReadFile("../../../../events/email-inbound/message.eml")
	if err != nil {
		t.Fatal(err)
	}
	evJSON, err := os.ReadFile("../../../../events/email-inbound/ses-receipt.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.SimpleEmailEvent
	if err := json.Unmarshal(evJSON, &ev); err != nil {
		t.Fatal(err)
	}
	s3c := &fakeS3{objects: map[string][]byte{"inbound/o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1": raw}}
	q := &fakeQueue{}
	h := &Handler{S3: s3c, Queue: q, Tenant: "acme", Bucket: "mail", Prefix: "inbound/",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Channels: fakeChannels{ChannelID("support@acme.example"): {ID: ChannelID("support@acme.example"), Kind: helpdesk.ChannelEmail,
			Email: &helpdesk.EmailSettings{Address: "support@acme.example"}}}}
	for range 2 { // SES retries: the same message id again
		if err := h.Handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	if len(q.sent) != 2 {
		t.Fatalf("%d messages queued", len(q.sent))
	}
	m := q.sent[0]
	if m.ProviderMessageID != "m1@example.com" || m.ChannelID != "email:support@acme.example" || m.Sender.Email != "ann@example.com" ||
		m.Sender.Name != "Ann Lee" || m.Subject != "Where is my order?" || m.Text != "My order 1042 has not arrived." ||
		!m.ReceivedAt.Equal(time.Date(2026, 11, 21, 8, 59, 58, 0, time.UTC)) || m.RawLocation != "s3://mail/inbound/o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1" {
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
	h := &Handler{S3: &fakeS3{objects: map[string][]byte{}}, Queue: &fakeQueue{}, Bucket: "mail", Prefix: "inbound/",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Channels: fakeChannels{
			ChannelID("support@acme.example"): {ID: "email:support@acme.example", Kind: helpdesk.ChannelEmail, Email: &helpdesk.EmailSettings{Address: "support@acme.example"}},
		}}
	rec := func(to string) events.SimpleEmailEvent {
		return events.SimpleEmailEvent{Records: []events.SimpleEmailRecord{{SES: events.SimpleEmailService{
			Mail: events.SimpleEmailMessage{MessageID: "x1"}, Receipt: events.SimpleEmailReceipt{Recipients: []string{to}}}}}}
	}
	if err := h.Handle(context.Background(), rec("nobody@other.example")); err != nil {
		t.Fatalf("mail for no channel must be dropped, not retried: %v", err)
	}
	// A reply-token address maps to its team address; the object is missing,
	// which is worth a retry (SES may still be writing it).
	if err := h.Handle(context.Background(), rec("support+t12.abc@acme.example")); err == nil {
		t.Fatal("a missing raw object must fail the event so it is retried")
	}
}
