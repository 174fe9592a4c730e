package webhook

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// fakeKept is the mail bucket: the webhooks keep deliveries in it
// (RawWriter), the redrive lists, reads and moves them.
type fakeKept struct {
	mu      sync.Mutex
	objects map[string][]byte
	moveErr error
}

func (f *fakeKept) Write(_ context.Context, key, _ string, data []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.objects[key] = append([]byte(nil), data...)
	return nil
}

func (f *fakeKept) Keys(_ context.Context, prefix string) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for k := range f.objects {
		if strings.HasPrefix(k, prefix) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out, nil
}

func (f *fakeKept) Read(_ context.Context, key string, _ int64) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	b, ok := f.objects[key]
	if !ok {
		return nil, helpdesk.ErrNotFound
	}
	return b, nil
}

func (f *fakeKept) Move(_ context.Context, from, to string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.moveErr != nil {
		return f.moveErr
	}
	f.objects[to] = f.objects[from]
	delete(f.objects, from)
	return nil
}

// redriveEnv is a stack's Messenger and WhatsApp webhooks over one queue,
// one channel table and one bucket.
type redriveEnv struct {
	q     *fakeMetaQueue
	chans *servedChannels
	kept  *fakeKept
	now   time.Time
}

func newRedriveEnv(known map[string]helpdesk.ChannelKind) *redriveEnv {
	return &redriveEnv{q: &fakeMetaQueue{}, chans: &servedChannels{known: known}, kept: &fakeKept{objects: map[string][]byte{}},
		now: time.Date(2026, 11, 29, 23, 59, 0, 0, time.UTC)}
}

// webhooks are fresh, as each run of the command (and each Lambda) builds
// them: nothing cached.
func (e *redriveEnv) webhooks() []*Meta {
	var out []*Meta
	for _, k := range metaKinds {
		out = append(out, &Meta{Kind: k, Secrets: goodSecrets, Queue: e.q, Channels: e.chans, Unknown: e.kept,
			Now: func() time.Time { return e.now }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	}
	return out
}

// receive is the webhook taking a signed delivery.
func (e *redriveEnv) receive(t *testing.T, kind helpdesk.ChannelKind, body []byte) {
	t.Helper()
	for _, h := range e.webhooks() {
		if h.Kind == kind {
			if _, err := h.Accept(context.Background(), body, ""); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func (e *redriveEnv) run(t *testing.T, day string, dry bool) map[string]KeptDelivery {
	t.Helper()
	r := &Redrive{Kept: e.kept, Webhooks: e.webhooks(), DryRun: dry, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	got, err := r.Run(context.Background(), day)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]KeptDelivery{}
	for _, k := range got {
		out[k.Key] = k
	}
	return out
}

const (
	page1, page2 = "messenger:106907411778215", "messenger:204907411778216"
	wa1, wa2     = "whatsapp:106540352242922", "whatsapp:206540352242923"
)

// Kept deliveries are listed with what they carry; a dry run queues and
// moves nothing; once their channels exist they go through the webhook's
// path (queued in the webhook's order) and are moved under redriven/, so
// the next run submits nothing. One still partly unserved queues its
// served part and stays; one that is no Meta delivery is left alone.
func TestRedriveKeptDeliveries(t *testing.T) {
	e := newRedriveEnv(map[string]helpdesk.ChannelKind{wa1: helpdesk.ChannelWhatsApp})
	text, batched, wa := readMetaFixture(t, "messenger_text.json"), readMetaFixture(t, "messenger_batched.json"), readMetaFixture(t, "whatsapp_batched.json")
	e.receive(t, helpdesk.ChannelMessenger, text)
	e.now = e.now.Add(2 * time.Minute) // the next UTC day
	e.receive(t, helpdesk.ChannelMessenger, batched)
	e.receive(t, helpdesk.ChannelWhatsApp, wa)
	e.kept.objects[UnknownChannelPrefix+"2026-11-30/odd.json"] = []byte(`{"object":"instagram","entry":[]}`)
	e.kept.objects[RedrivenPrefix+"2026-11-28/old.json"] = text
	queuedOnReceipt := slices.Clone(e.q.order) // the served WhatsApp number's events
	textKey, batchedKey, waKey := rawKey("2026-11-29", text), rawKey("2026-11-30", batched), rawKey("2026-11-30", wa)
	if got := slices.Sorted(maps.Keys(e.kept.objects)); len(got) != 5 {
		t.Fatalf("kept %v", got)
	}

	// Dry run, nothing served yet but the first number.
	before := maps.Clone(e.kept.objects)
	got := e.run(t, "", true)
	if len(got) != 4 {
		t.Fatalf("listed %v; want the 4 kept, not the redriven one", slices.Collect(maps.Keys(got)))
	}
	if k := got[textKey]; k.Outcome != Waiting || k.Product != helpdesk.ChannelMessenger || k.Day != "2026-11-29" ||
		k.Size != len(text) || !reflect.DeepEqual(k.Channels, []string{page1}) || k.Messages != 1 || k.Statuses != 0 || k.Queued != 0 {
		t.Errorf("text: %+v", k)
	}
	if k := got[batchedKey]; k.Outcome != Waiting || !reflect.DeepEqual(k.Channels, []string{page1, page2}) ||
		!reflect.DeepEqual(k.Unserved, []string{page1, page2}) || k.Messages != 5 || k.Statuses != 2 {
		t.Errorf("batched: %+v", k)
	}
	if k := got[waKey]; k.Outcome != WouldPartly || k.Product != helpdesk.ChannelWhatsApp || !reflect.DeepEqual(k.Unserved, []string{wa2}) {
		t.Errorf("whatsapp: %+v", k)
	}
	if k := got[UnknownChannelPrefix+"2026-11-30/odd.json"]; k.Outcome != Unreadable || k.Err == nil {
		t.Errorf("odd: %+v", k)
	}
	if !reflect.DeepEqual(e.q.order, queuedOnReceipt) || !maps.EqualFunc(before, e.kept.objects, bytes.Equal) {
		t.Fatalf("a dry run queued %v or moved something", e.q.order)
	}

	// The pages are created; one day at a time.
	e.chans.known[page1], e.chans.known[page2] = helpdesk.ChannelMessenger, helpdesk.ChannelMessenger
	got = e.run(t, "2026-11-29", false)
	if k := got[textKey]; len(got) != 1 || k.Outcome != Redriven || k.Queued != 1 || k.Err != nil {
		t.Fatalf("2026-11-29: %+v", got)
	}
	if _, ok := e.kept.objects[RedrivenPrefix+"2026-11-29/"+textKey[len(UnknownChannelPrefix+"2026-11-29/"):]]; !ok {
		t.Fatalf("not moved under redriven/: %v", slices.Sorted(maps.Keys(e.kept.objects)))
	}
	got = e.run(t, "", false)
	if k := got[batchedKey]; len(got) != 3 || k.Outcome != Redriven || k.Queued != 7 {
		t.Errorf("batched: %+v", k)
	}
	if k := got[waKey]; k.Outcome != Partly || k.Queued == 0 || !reflect.DeepEqual(k.Unserved, []string{wa2}) {
		t.Errorf("whatsapp: %+v", k)
	}
	textMID := "m:m_toDnmD9h3mKcFMZ6hyMXyVtXh_XHQHZLwWOFgVuFMDdk9VjmaTJq_2M4M_7xqWL1zdOPTz8dz6Bc6jFQbmS5lg"
	redriven := e.q.order[len(queuedOnReceipt):]
	// The text, then (in key order) the WhatsApp delivery's served part
	// and the whole Messenger batch, each in the webhook's payload order.
	wantBatch := "m:m_b1,m:m_b2,m:m_pb1,m:m_out1#react#1583173676000,m:m_b3,s:/delivered,s:/read"
	if !slices.Equal(e.q.order[:len(queuedOnReceipt)], queuedOnReceipt) || len(redriven) != 12 || redriven[0] != textMID ||
		!strings.HasSuffix(strings.Join(redriven, ","), wantBatch) || redriven[1] != "m:wamid.A1" {
		t.Fatalf("queued by the redrive %v", redriven)
	}
	if _, still := e.kept.objects[waKey]; !still {
		t.Fatal("a partly served delivery was moved")
	}

	// Everything served: the last one goes; then there is nothing to do.
	e.chans.known[wa2] = helpdesk.ChannelWhatsApp
	if k := e.run(t, "", false)[waKey]; k.Outcome != Redriven {
		t.Fatalf("whatsapp: %+v", k)
	}
	n := len(e.q.order)
	for key, k := range e.run(t, "", false) {
		if k.Outcome != Unreadable {
			t.Errorf("second run: %s %+v", key, k)
		}
	}
	if len(e.q.order) != n {
		t.Fatalf("a second run queued %v", e.q.order[n:])
	}
}

// A failed enqueue or move leaves the delivery where it is, said so; a bad
// day is refused.
func TestRedriveFailuresLeaveTheDeliveryKept(t *testing.T) {
	e := newRedriveEnv(map[string]helpdesk.ChannelKind{})
	text := readMetaFixture(t, "messenger_text.json")
	e.receive(t, helpdesk.ChannelMessenger, text)
	key := rawKey("2026-11-29", text)
	e.chans.known[page1] = helpdesk.ChannelMessenger

	e.q.failOn, e.q.err = 1, errors.New("sqs: throttled")
	if k := e.run(t, "", false)[key]; k.Outcome != RedriveFailed || k.Err == nil || !helpdesk.IsCode(k.Err, helpdesk.EUnavailable) {
		t.Fatalf("queue fails: %+v", k)
	}
	e.q.failOn, e.kept.moveErr = 0, errors.New("s3: access denied")
	if k := e.run(t, "", false)[key]; k.Outcome != RedriveFailed || k.Queued != 1 || !strings.Contains(k.Err.Error(), "not marked redriven") {
		t.Fatalf("move fails: %+v", k)
	}
	if _, ok := e.kept.objects[key]; !ok {
		t.Fatal("moved though the move failed")
	}
	e.kept.moveErr = nil
	if k := e.run(t, "", false)[key]; k.Outcome != Redriven {
		t.Fatalf("then: %+v", k)
	}
	r := &Redrive{Kept: e.kept, Webhooks: e.webhooks(), Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if _, err := r.Run(context.Background(), "30-11-2026"); !helpdesk.IsCode(err, helpdesk.EInvalid) {
		t.Fatalf("bad day: %v", err)
	}
}
