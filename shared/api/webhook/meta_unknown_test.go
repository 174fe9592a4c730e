package webhook

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

type fakeRaw struct {
	mu    sync.Mutex
	files map[string][]byte
	err   error
}

func (f *fakeRaw) Write(_ context.Context, key, contentType string, data []byte) error {
	if f.err != nil {
		return f.err
	}
	if contentType != "application/json" {
		return errors.New("content type " + contentType)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.files == nil {
		f.files = map[string][]byte{}
	}
	f.files[key] = append([]byte(nil), data...)
	return nil
}

// servedChannels serves the given channels and counts the reads.
type servedChannels struct {
	mu       sync.Mutex
	known    map[string]helpdesk.ChannelKind
	disabled map[string]bool
	reads    map[string]int
	err      error
}

func (s *servedChannels) GetChannel(_ context.Context, id string) (helpdesk.Channel, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.reads == nil {
		s.reads = map[string]int{}
	}
	s.reads[id]++
	if s.err != nil {
		return helpdesk.Channel{}, s.err
	}
	kind, ok := s.known[id]
	if !ok {
		return helpdesk.Channel{}, helpdesk.ErrNotFound
	}
	return helpdesk.Channel{ID: id, Kind: kind, Disabled: s.disabled[id]}, nil
}

type unknownEnv struct {
	*metaEnv
	chans *servedChannels
	raw   *fakeRaw
	now   time.Time
}

func newUnknownEnv(kind helpdesk.ChannelKind, known map[string]helpdesk.ChannelKind) *unknownEnv {
	e := &unknownEnv{metaEnv: &metaEnv{q: &fakeMetaQueue{}, logs: &bytes.Buffer{}, kind: kind},
		chans: &servedChannels{known: known}, raw: &fakeRaw{}, now: time.Date(2026, 11, 30, 5, 0, 0, 0, time.UTC)}
	h := &Meta{Kind: kind, Secrets: goodSecrets, Queue: e.q, Channels: e.chans, Unknown: e.raw,
		Now: func() time.Time { return e.now },
		Log: slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))}
	mux := http.NewServeMux()
	h.Register(mux)
	e.h = mux
	return e
}

func rawKey(day string, body []byte) string {
	sum := sha256.Sum256(body)
	return UnknownChannelPrefix + day + "/" + hex.EncodeToString(sum[:]) + ".json"
}

func TestMetaUnknownPageIsKeptNotQueued(t *testing.T) {
	// messenger_batched.json writes to two pages; this stack serves one.
	e := newUnknownEnv(helpdesk.ChannelMessenger, map[string]helpdesk.ChannelKind{"messenger:106907411778215": helpdesk.ChannelMessenger})
	body := readMetaFixture(t, "messenger_batched.json")
	assertReceived(t, e.postSigned(body))
	if got, want := e.q.order, []string{"m:m_b1", "m:m_b2", "m:m_pb1", "m:m_out1#react#1583173676000", "s:/delivered", "s:/read"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("queued %v; want %v (the second page's message set aside)", got, want)
	}
	if got := e.raw.files[rawKey("2026-11-30", body)]; !bytes.Equal(got, body) {
		t.Fatalf("raw kept = %d bytes under %v; want the delivery under %s", len(got), keys(e.raw.files), rawKey("2026-11-30", body))
	}
	logs := e.logs.String()
	for _, s := range []string{"channel not served here", "unknown_channels=[messenger:204907411778216]", "unknown_messages=1", "unknown_channel=1"} {
		if !strings.Contains(logs, s) {
			t.Errorf("log lacks %q:\n%s", s, logs)
		}
	}
}

func TestMetaUnknownNumberStatusesToo(t *testing.T) {
	// The second number's button reply and delivery report are set aside.
	e := newUnknownEnv(helpdesk.ChannelWhatsApp, map[string]helpdesk.ChannelKind{"whatsapp:106540352242922": helpdesk.ChannelWhatsApp})
	assertReceived(t, e.postSigned(readMetaFixture(t, "whatsapp_batched.json")))
	for _, o := range e.q.order {
		if o == "m:wamid.B1" || o == "s:wamid.OUT9/delivered" {
			t.Fatalf("queued %v; the unknown number's events must not be", e.q.order)
		}
	}
	if len(e.q.inbound) == 0 || len(e.raw.files) != 1 || !strings.Contains(e.logs.String(), "unknown_statuses=1") {
		t.Fatalf("queued %v, kept %d, logs:\n%s", e.q.order, len(e.raw.files), e.logs)
	}
}

func TestMetaChannelOfAnotherKindIsUnknown(t *testing.T) {
	e := newUnknownEnv(helpdesk.ChannelMessenger, map[string]helpdesk.ChannelKind{"messenger:106907411778215": helpdesk.ChannelForm})
	assertReceived(t, e.postSigned(readMetaFixture(t, "messenger_text.json")))
	if !e.q.empty() || len(e.raw.files) != 1 {
		t.Fatalf("queued %v, kept %d", e.q.order, len(e.raw.files))
	}
}

func TestMetaKnownChannelsAreCachedBriefly(t *testing.T) {
	e := newUnknownEnv(helpdesk.ChannelMessenger, map[string]helpdesk.ChannelKind{"messenger:106907411778215": helpdesk.ChannelMessenger})
	body := readMetaFixture(t, "messenger_text.json")
	assertReceived(t, e.postSigned(body))
	e.now = e.now.Add(DefaultChannelTTL - time.Second)
	assertReceived(t, e.postSigned(body))
	if n := e.chans.reads["messenger:106907411778215"]; n != 1 {
		t.Fatalf("channel read %d times within the TTL; want 1", n)
	}
	e.now = e.now.Add(2 * time.Second)
	assertReceived(t, e.postSigned(body))
	if n := e.chans.reads["messenger:106907411778215"]; n != 2 {
		t.Fatalf("channel read %d times after the TTL; want 2", n)
	}
	if len(e.q.inbound) != 3 || len(e.raw.files) != 0 {
		t.Fatalf("queued %d, kept %d", len(e.q.inbound), len(e.raw.files))
	}
}

func TestMetaUnknownChannelFailuresAreRetryable(t *testing.T) {
	t.Run("channel read fails", func(t *testing.T) {
		e := newUnknownEnv(helpdesk.ChannelMessenger, nil)
		e.chans.err = errors.New("dynamodb: timeout")
		assertError(t, e.postSigned(readMetaFixture(t, "messenger_text.json")), http.StatusServiceUnavailable, "channel_unavailable")
		if !e.q.empty() || len(e.raw.files) != 0 {
			t.Fatalf("queued %v, kept %d", e.q.order, len(e.raw.files))
		}
	})
	t.Run("raw cannot be kept", func(t *testing.T) {
		e := newUnknownEnv(helpdesk.ChannelMessenger, nil)
		e.raw.err = errors.New("s3: slow down")
		assertError(t, e.postSigned(readMetaFixture(t, "messenger_text.json")), http.StatusServiceUnavailable, "store_failed")
		if !e.q.empty() {
			t.Fatalf("queued %v", e.q.order)
		}
	})
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// A page an admin disabled takes no new messages: they are kept for redrive
// like an unknown page's, while the receipts of the replies it sent before
// still apply.
func TestMetaDisabledPageTakesNoNewMessages(t *testing.T) {
	e := newUnknownEnv(helpdesk.ChannelMessenger, map[string]helpdesk.ChannelKind{
		"messenger:106907411778215": helpdesk.ChannelMessenger, "messenger:204907411778216": helpdesk.ChannelMessenger})
	e.chans.disabled = map[string]bool{"messenger:106907411778215": true}
	body := readMetaFixture(t, "messenger_batched.json")
	assertReceived(t, e.postSigned(body))
	if got, want := e.q.order, []string{"m:m_b3", "s:/delivered", "s:/read"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("queued %v; want %v (the disabled page's messages set aside, its receipts kept)", got, want)
	}
	if got := e.raw.files[rawKey("2026-11-30", body)]; !bytes.Equal(got, body) {
		t.Fatalf("raw kept under %v; want the delivery under %s", keys(e.raw.files), rawKey("2026-11-30", body))
	}
}
