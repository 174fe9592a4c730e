package ingest_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/channel/meta"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// memBucket is the bucket in memory (s3files.Bucket's Write).
type memBucket struct {
	mu      sync.Mutex
	objects map[string][]byte
	writes  int
}

func (b *memBucket) Write(_ context.Context, key, _ string, data []byte) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.objects == nil {
		b.objects = map[string][]byte{}
	}
	b.objects[key] = append([]byte(nil), data...)
	b.writes++
	return nil
}

// failingCommits is the store with its next `fail` commits refused by
// something other than a lost race (a timeout, a throttle, an item too
// large): the router returns the error and SQS delivers the message again.
type failingCommits struct {
	testbed.Store
	mu   sync.Mutex
	fail int
}

var errForced = errors.New("forced failure: the connection was reset")

func (s *failingCommits) Commit(ctx context.Context, c ticket.Change) error {
	s.mu.Lock()
	fail := s.fail > 0
	s.fail--
	s.mu.Unlock()
	if fail {
		return errForced
	}
	return s.Store.Commit(ctx, c)
}

// bigMessenger is a signed Messenger delivery just under the webhook's
// 1 MiB cap, through Meta's decoder: one text of about 900 KB.
func bigMessenger(t *testing.T, mid string) *helpdesk.InboundMessage {
	t.Helper()
	line := "Order 1042 arrived broken; here is the whole log of what the courier said. "
	text := strings.Repeat(line, 900<<10/len(line))
	body, err := json.Marshal(map[string]any{"object": "page", "entry": []any{map[string]any{
		"id": fixturePage, "time": 1583173667623,
		"messaging": []any{map[string]any{
			"sender": map[string]string{"id": fixturePSID}, "recipient": map[string]string{"id": fixturePage},
			"timestamp": 1583173666767, "message": map[string]string{"mid": mid, "text": text},
		}},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(body) >= meta.MaxBodySize || len(body) < 900<<10 {
		t.Fatalf("delivery of %d bytes, want just under %d", len(body), meta.MaxBodySize)
	}
	b, err := meta.DecodeMessenger(body)
	if err != nil {
		t.Fatal(err)
	}
	if len(b.Messages) != 1 || b.Messages[0].Text != text {
		t.Fatalf("decoded %d messages, want the one whole text", len(b.Messages))
	}
	return &b.Messages[0]
}

// A message too large for its item is stored: the item keeps a snippet,
// marked truncated, and the whole body is in the bucket under a key of the
// message's own. A first delivery that fails after taking a ticket number
// leaves no gap: its retry opens the ticket under that number.
func TestBigMessageIsStoredWholeAndItsRetryTakesNoNumber(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		d := newChatDesk(t, b, helpdesk.MessengerSettings{})
		bucket := &memBucket{}
		st := &failingCommits{Store: d.st, fail: 1}
		d.svc.Store, d.svc.Bodies = st, bucket

		m := bigMessenger(t, "m_big_1")
		full := m.Text
		if _, err := d.svc.Apply(context.Background(), m); !errors.Is(err, errForced) {
			t.Fatalf("first delivery: %v, want the forced failure", err)
		}
		m = bigMessenger(t, "m_big_1") // SQS delivers the same body again
		r := d.apply(t, m)
		if !r.Created || r.TicketID != "1" {
			t.Fatalf("retry: %+v, want ticket 1 created (the number the first delivery took)", r)
		}
		next := d.apply(t, chatText("m_small_2", "and another thing", t0))
		if next.TicketID != "1" {
			// Same sender, same conversation: it appends; take a number for a new one.
			t.Fatalf("follow-up went to ticket %s, want 1", next.TicketID)
		}
		n, err := d.st.NextTicketNumber(context.Background())
		if err != nil || n != "2" {
			t.Fatalf("next ticket number %q (%v), want 2: no number burnt by the retry", n, err)
		}

		conv := d.conv(t, r.TicketID)
		got := conv.Messages[0]
		key := helpdesk.BodyKey("messenger:"+fixturePage, "m_big_1")
		if !got.Truncated || got.BodyKey != key || len(got.Text) > helpdesk.BodySnippetMax || !strings.HasPrefix(full, strings.TrimSuffix(got.Text, helpdesk.Ellipsis)) {
			t.Fatalf("message: truncated=%v body_key=%q text %d bytes, want a snippet of at most %d under %q",
				got.Truncated, got.BodyKey, len(got.Text), helpdesk.BodySnippetMax, key)
		}
		var kept helpdesk.Body
		if err := json.Unmarshal(bucket.objects[key], &kept); err != nil || kept.Text != full {
			t.Fatalf("bucket %q: %d bytes of text (%v), want the whole %d", key, len(kept.Text), err, len(full))
		}
		if bucket.writes != 2 || len(bucket.objects) != 1 {
			t.Fatalf("%d writes into %d objects, want each delivery to write the one key", bucket.writes, len(bucket.objects))
		}
		if conv.Ticket.Description == "" || len(conv.Ticket.Description) > 4*helpdesk.DescriptionMax {
			t.Fatalf("description %d bytes, want a preview", len(conv.Ticket.Description))
		}
	})
}

// A message within the bound is stored as it came, with no bucket at all.
func TestSmallMessageStaysInItsItem(t *testing.T) {
	d := newChatDesk(t, testbed.Mem, helpdesk.MessengerSettings{})
	text := strings.Repeat("x", helpdesk.BodyMax-1)
	r := d.apply(t, chatText("m_small", text, t0))
	got := d.conv(t, r.TicketID).Messages[0]
	if got.Truncated || got.BodyKey != "" || got.Text != text {
		t.Fatalf("message: truncated=%v body_key=%q, %d bytes, want the text whole", got.Truncated, got.BodyKey, len(got.Text))
	}
}

// Without a bucket a body too large is an error (the message is retried,
// then kept in the DLQ), never silently cut.
func TestBigMessageWithoutBucketIsAnError(t *testing.T) {
	d := newChatDesk(t, testbed.Mem, helpdesk.MessengerSettings{})
	m := bigMessenger(t, "m_big_nobucket")
	size := m.BodySize()
	if _, err := d.svc.Apply(context.Background(), m); err == nil || !strings.Contains(err.Error(), "no bucket") {
		t.Fatalf("apply: %v, want an error naming the missing bucket", err)
	}
	if m.BodySize() != size || m.BodyLocation != "" {
		t.Fatalf("the message was changed (%d bytes, location %q), want it as delivered", m.BodySize(), m.BodyLocation)
	}
}
