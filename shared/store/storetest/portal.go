package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// PortalStore is what the customer portal keeps (shared/api/portal).
type PortalStore interface {
	PutPortalGrant(ctx context.Context, hash string, g helpdesk.PortalGrant) error
	ConsumePortalGrant(ctx context.Context, hash string, now time.Time) (helpdesk.PortalGrant, error)
	PutPortalSession(ctx context.Context, hash string, s helpdesk.PortalSession) error
	GetPortalSession(ctx context.Context, hash string, now time.Time) (helpdesk.PortalSession, error)
	DeletePortalSession(ctx context.Context, hash string) error
	CountRate(ctx context.Context, scope string, window, expires time.Time) (int64, error)
}

// A grant is good once, only before it expires, and of many concurrent
// uses exactly one wins; a session reads back until it expires or is
// revoked; a rate counter counts per scope and window.
func testPortalGrantsSessionsAndRates(t *testing.T, f *fixture) {
	g := helpdesk.PortalGrant{ContactID: "c1", Kind: "link", CreatedAt: T0, ExpiresAt: T0.Add(15 * time.Minute)}
	if err := f.st.PutPortalGrant(f.ctx, "h1", g); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.ConsumePortalGrant(f.ctx, "h1", T0.Add(15*time.Minute)); !errors.Is(err, helpdesk.ErrNotFound) {
		t.Fatalf("consume at expiry: %v, want not found", err)
	}
	got, err := f.st.ConsumePortalGrant(f.ctx, "h1", T0.Add(time.Minute))
	if err != nil || got.ContactID != "c1" || got.Kind != "link" || !got.ExpiresAt.Equal(g.ExpiresAt) {
		t.Fatalf("consume: %+v %v", got, err)
	}
	if _, err := f.st.ConsumePortalGrant(f.ctx, "h1", T0.Add(time.Minute)); !errors.Is(err, helpdesk.ErrNotFound) {
		t.Fatalf("second use: %v, want not found", err)
	}
	if _, err := f.st.ConsumePortalGrant(f.ctx, "nope", T0); !errors.Is(err, helpdesk.ErrNotFound) {
		t.Fatalf("unknown grant: %v, want not found", err)
	}

	// Concurrent uses of one grant: one winner.
	if err := f.st.PutPortalGrant(f.ctx, "h2", g); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, losses := 0, 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := f.st.ConsumePortalGrant(f.ctx, "h2", T0)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				wins++
			case errors.Is(err, helpdesk.ErrNotFound):
				losses++
			default:
				t.Errorf("concurrent consume: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || losses != 7 {
		t.Fatalf("concurrent uses: %d won, %d lost; want 1 and 7", wins, losses)
	}

	s := helpdesk.PortalSession{ContactID: "c1", CreatedAt: T0, ExpiresAt: T0.Add(12 * time.Hour)}
	if err := f.st.PutPortalSession(f.ctx, "s1", s); err != nil {
		t.Fatal(err)
	}
	if err := f.st.PutPortalSession(f.ctx, "s1", s); err == nil {
		t.Fatal("a second session with the same id was stored")
	}
	if got, err := f.st.GetPortalSession(f.ctx, "s1", T0.Add(time.Hour)); err != nil || got.ContactID != "c1" {
		t.Fatalf("get session: %+v %v", got, err)
	}
	if _, err := f.st.GetPortalSession(f.ctx, "s1", T0.Add(12*time.Hour)); !errors.Is(err, helpdesk.ErrNotFound) {
		t.Fatalf("expired session: %v, want not found", err)
	}
	if err := f.st.DeletePortalSession(f.ctx, "s1"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.GetPortalSession(f.ctx, "s1", T0.Add(time.Hour)); !errors.Is(err, helpdesk.ErrNotFound) {
		t.Fatalf("revoked session: %v, want not found", err)
	}
	if err := f.st.DeletePortalSession(f.ctx, "never"); err != nil {
		t.Fatalf("revoking an unknown session: %v", err)
	}

	w1, w2 := T0, T0.Add(15*time.Minute)
	for i, c := range []struct {
		scope  string
		window time.Time
		want   int64
	}{{"addr#a", w1, 1}, {"addr#a", w1, 2}, {"addr#b", w1, 1}, {"addr#a", w2, 1}, {"addr#a", w1, 3}} {
		n, err := f.st.CountRate(f.ctx, c.scope, c.window, c.window.Add(time.Hour))
		if err != nil || n != c.want {
			t.Fatalf("count %d (%s): %d %v, want %d", i, c.scope, n, err, c.want)
		}
	}
}
