package settings_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// memSource is the table in memory: one settings value (or none), with call
// counts and an injectable failure.
type memSource struct {
	mu      sync.Mutex
	stored  *helpdesk.Settings
	gets    int
	creates int
	err     error // returned by every call while set
}

var errDown = errors.New("table unreachable")

func (m *memSource) GetSettings(context.Context) (helpdesk.Settings, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gets++
	switch {
	case m.err != nil:
		return helpdesk.Settings{}, m.err
	case m.stored == nil:
		return helpdesk.Settings{}, helpdesk.Errorf(helpdesk.ENotFound, "not_found", "not found")
	}
	return *m.stored, nil
}

func (m *memSource) CreateSettingsIfMissing(_ context.Context, s helpdesk.Settings) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.creates++
	if m.err != nil {
		return m.err
	}
	if m.stored == nil {
		s.Version = 1
		m.stored = &s
	}
	return nil
}

// put is an admin's edit.
func (m *memSource) put(s helpdesk.Settings) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s.Version = 1
	if m.stored != nil {
		s.Version = m.stored.Version + 1
	}
	m.stored = &s
}

func (m *memSource) fail(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.err = err
}

func (m *memSource) calls() (gets, creates int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.gets, m.creates
}

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newCache(src settings.Source) (*settings.Cache, *clock) {
	clk := &clock{t: time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)}
	return &settings.Cache{Source: src, TTL: time.Minute, Now: clk.now, Log: quiet}, clk
}

func withCategory(name string) helpdesk.Settings {
	s := helpdesk.DefaultSettings()
	s.Categories = []helpdesk.Category{{ID: name, Name: name}}
	return s
}

func mustGet(t *testing.T, c *settings.Cache) helpdesk.Settings {
	t.Helper()
	s, err := c.Get(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCacheServesUntilTTLThenReadsAgain(t *testing.T) {
	first := withCategory("first")
	first.Version = 1
	src := &memSource{stored: &first}
	c, clk := newCache(src)

	if got := mustGet(t, c); got.Version != 1 {
		t.Fatalf("Get = %+v", got)
	}
	src.put(withCategory("second"))
	clk.advance(59 * time.Second)
	if got := mustGet(t, c); got.Version != 1 {
		t.Errorf("Get within the TTL = version %d, want the cached 1", got.Version)
	}
	if gets, _ := src.calls(); gets != 1 {
		t.Errorf("%d reads within the TTL, want 1", gets)
	}
	clk.advance(time.Second)
	if got := mustGet(t, c); got.Version != 2 || got.Categories[0].ID != "second" {
		t.Errorf("Get after the TTL = %+v, want the admin's edit", got)
	}
	if gets, _ := src.calls(); gets != 2 {
		t.Errorf("%d reads, want 2", gets)
	}
}

func TestCacheDefaultTTLIsAMinute(t *testing.T) {
	if settings.DefaultTTL != time.Minute {
		t.Errorf("DefaultTTL = %v; the documented staleness is a minute", settings.DefaultTTL)
	}
	src := &memSource{}
	clk := &clock{t: time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)}
	c := &settings.Cache{Source: src, Now: clk.now, Log: quiet} // TTL zero: DefaultTTL
	mustGet(t, c)
	clk.advance(settings.DefaultTTL - time.Nanosecond)
	mustGet(t, c)
	clk.advance(time.Nanosecond)
	mustGet(t, c)
	if gets, _ := src.calls(); gets != 3 { // bootstrap read + read back, then one refresh
		t.Errorf("%d reads, want 3", gets)
	}
}

func TestCacheBootstrapsDefaults(t *testing.T) {
	src := &memSource{}
	c, _ := newCache(src)
	got := mustGet(t, c)
	if _, creates := src.calls(); creates != 1 {
		t.Errorf("%d creates, want 1", creates)
	}
	if src.stored == nil || got.Version != 1 || got.Defaults != helpdesk.DefaultSettings().Defaults {
		t.Errorf("Get on an empty table = %+v; stored %+v", got, src.stored)
	}
	mustGet(t, c)
	if _, creates := src.calls(); creates != 1 {
		t.Errorf("%d creates after the settings exist, want 1", creates)
	}
}

// Another function created (and an admin changed) the settings between our
// read and our create: we serve what the table holds, not our defaults.
func TestCacheBootstrapServesWhatTheTableHolds(t *testing.T) {
	theirs := withCategory("theirs")
	theirs.Version = 2
	src := &racingSource{memSource: &memSource{}, before: func(m *memSource) { m.stored = &theirs }}
	c, _ := newCache(src)
	if got := mustGet(t, c); got.Version != 2 || got.Categories[0].ID != "theirs" {
		t.Errorf("Get = %+v, want the settings the other function wrote", got)
	}
}

// racingSource runs before ahead of the first create.
type racingSource struct {
	*memSource
	before func(*memSource)
	once   sync.Once
}

func (r *racingSource) CreateSettingsIfMissing(ctx context.Context, s helpdesk.Settings) error {
	r.once.Do(func() { r.before(r.memSource) })
	return r.memSource.CreateSettingsIfMissing(ctx, s)
}

func TestCacheKeepsLastGoodOnError(t *testing.T) {
	first := withCategory("first")
	first.Version = 1
	src := &memSource{stored: &first}
	c, clk := newCache(src)
	mustGet(t, c)

	src.fail(errDown)
	clk.advance(2 * time.Minute)
	if got := mustGet(t, c); got.Version != 1 {
		t.Errorf("Get while the table is down = %+v, want the last good", got)
	}
	// Every Get retries while the table is down; the first after recovery
	// serves the fresh settings.
	clk.advance(time.Second)
	mustGet(t, c)
	if gets, _ := src.calls(); gets != 3 {
		t.Errorf("%d reads, want 3 (one retry per Get while failing)", gets)
	}
	src.fail(nil)
	src.put(withCategory("second"))
	if got := mustGet(t, c); got.Version != 2 {
		t.Errorf("Get after recovery = %+v, want version 2", got)
	}
}

func TestCacheErrorWithoutPreviousValue(t *testing.T) {
	tests := []struct {
		name string
		src  *memSource
	}{
		{"read fails", &memSource{stored: &helpdesk.Settings{}, err: errDown}},
		{"bootstrap create fails", &memSource{err: errDown}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newCache(tc.src)
			if _, err := c.Get(context.Background()); !errors.Is(err, errDown) {
				t.Fatalf("Get = %v, want %v", err, errDown)
			}
			// Nothing was cached: the next Get reads again and succeeds.
			tc.src.fail(nil)
			tc.src.stored = nil
			if _, err := c.Get(context.Background()); err != nil {
				t.Fatalf("Get after recovery = %v", err)
			}
		})
	}
}

func TestCacheConcurrentGet(t *testing.T) {
	src := &memSource{}
	c, clk := newCache(src)
	var wg sync.WaitGroup
	for i := range 64 {
		wg.Go(func() {
			if i%8 == 0 {
				clk.advance(10 * time.Second)
			}
			if i%16 == 0 {
				src.put(withCategory("edit"))
			}
			s, err := c.Get(context.Background())
			if err != nil {
				t.Error(err)
				return
			}
			// Read what the caller may read: the shared value must be stable.
			_ = len(s.Pipelines[helpdesk.DefaultPipeline.ID].Stages) + len(s.Categories)
		})
	}
	wg.Wait()
	// One create at most (a racing admin edit may make it unnecessary).
	if _, creates := src.calls(); creates > 1 {
		t.Errorf("%d creates from concurrent first readers, want at most 1", creates)
	}
}
