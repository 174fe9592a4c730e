package webhook

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store/memstore"
)

// Issue 11: a client whose POST timed out and that retries without an
// idempotency key got a second ticket. An identical submission (same
// channel, sender and content) within 10 minutes of the first now carries
// the first one's id, so the queue and the router see one submission; the
// window slides from the first, so a resend across a clock boundary
// (09:59:50, then 10:00:10) is still the same.
func TestIdenticalSubmissionsWithoutAKeyWithinTenMinutesAreOne(t *testing.T) {
	now := time.Date(2026, 11, 21, 9, 59, 50, 0, time.UTC)
	n := 0
	chs := channels()
	q := &fakeQueue{}
	f := &Forms{
		Channels: fakeChannels{get: func(id string) (helpdesk.Channel, error) { return chs[id], nil }},
		Queue:    q, Settings: tenantSettings(helpdesk.DefaultSettings()),
		Now:         func() time.Time { return now },
		NewID:       func() string { n++; return fmt.Sprintf("gen-%d", n) },
		Log:         slog.New(slog.NewTextHandler(io.Discard, nil)),
		Submissions: memstore.New(),
	}
	mux := http.NewServeMux()
	f.Register(mux)
	post := func(body string, headers map[string]string) string {
		t.Helper()
		w := do(mux, req{path: "/forms/open", body: body, headers: headers})
		if w.Code != http.StatusAccepted {
			t.Fatalf("status %d: %s", w.Code, w.Body)
		}
		var a Accepted
		if err := json.Unmarshal(w.Body.Bytes(), &a); err != nil {
			t.Fatal(err)
		}
		if q.sent[len(q.sent)-1].ProviderMessageID != a.SubmissionID {
			t.Fatalf("queued id %q, answered %q", q.sent[len(q.sent)-1].ProviderMessageID, a.SubmissionID)
		}
		return a.SubmissionID
	}
	first := post(okBody, nil)
	now = now.Add(20 * time.Second) // 10:00:10: another minute, hour, 10-minute bucket
	if again := post(okBody, nil); again != first {
		t.Fatalf("resend across the boundary = %q, want the first id %q", again, first)
	}
	other := `{"email":"ann@example.com","subject":"Refund","description":"Order 8","plan":"pro"}`
	if id := post(other, nil); id == first {
		t.Fatal("a different description was taken for a resend")
	}
	otherSender := `{"email":"bob@example.com","subject":"Refund","description":"Order 7","plan":"pro"}`
	if id := post(otherSender, nil); id == first {
		t.Fatal("another sender's identical text was taken for a resend")
	}
	if id := post(okBody, map[string]string{HeaderIdempotency: "client-1"}); id != "client-1" {
		t.Fatalf("a sender's own key = %q, want it kept", id)
	}
	now = now.Add(9*time.Minute + 39*time.Second) // 9 min 59 s after the first
	if again := post(okBody, nil); again != first {
		t.Fatalf("resend at 9m59s = %q, want %q", again, first)
	}
	now = now.Add(2 * time.Second) // past 10 minutes: a new submission
	if id := post(okBody, nil); id == first {
		t.Fatal("the same text after 10 minutes is a new submission, not a resend")
	}
}
