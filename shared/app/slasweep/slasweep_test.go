package slasweep_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/slasweep"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/store/memstore"
)

// stores runs a case on the in-memory store and on DynamoDB Local (the
// real index, GSI6, created from template.yaml).
func stores(t *testing.T, run func(t *testing.T, st tickets)) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) { run(t, b.Open(t, nil)) })
}

func service(st tickets, m *model, clk *clock) *slasweep.Service {
	return &slasweep.Service{Store: st, Checker: m, Now: clk.Now, Log: quiet}
}

func sweep(t *testing.T, s *slasweep.Service) int {
	t.Helper()
	n, err := s.Sweep(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// Each warning and each breach is recorded once, by the first run at or
// after it is due; runs in between, and a second run in the same minute,
// record nothing and check nothing.
func TestSweepWarnsThenBreachesEachOnceOnTime(t *testing.T) {
	stores(t, func(t *testing.T, st tickets) {
		m, clk := newModel(st), &clock{now: t0.Add(10 * time.Minute)}
		s := service(st, m, clk)
		open(t, st, "1", t0.Add(10*time.Minute), t0.Add(20*time.Minute)) // warned now, breached at 20
		open(t, st, "2", time.Time{}, t0.Add(10*time.Minute))            // due exactly now
		open(t, st, "3", time.Time{}, t0.Add(10*time.Minute+time.Millisecond))
		open(t, st, "4", t0.Add(15*time.Minute), t0.Add(30*time.Minute))
		var backlog []string // more than one page of the index
		for i := range 150 {
			id := fmt.Sprintf("b%03d", i)
			open(t, st, id, time.Time{}, t0.Add(time.Duration(i)*time.Second))
			backlog = append(backlog, id)
		}

		if n := sweep(t, s); n != 152 {
			t.Fatalf("first run checked %d tickets, want 152 (1, 2 and the backlog)", n)
		}
		if m.warned["1"] != 1 || m.breached["1"] != 0 || m.breached["2"] != 1 || m.calls["3"] != 0 || m.calls["4"] != 0 {
			t.Fatalf("after the first run: calls %v warned %v breached 2: %d", m.calls, m.warned, m.breached["2"])
		}
		for _, id := range backlog {
			if m.breached[id] != 1 {
				t.Fatalf("backlog ticket %s breached %d times, want 1", id, m.breached[id])
			}
		}
		if n := sweep(t, s); n != 0 || len(m.calls) != 152 {
			t.Fatalf("a second run in the same minute checked %d (calls %d); want none", n, len(m.calls))
		}
		clk.Set(t0.Add(11 * time.Minute))
		if n := sweep(t, s); n != 1 || m.breached["3"] != 1 {
			t.Fatalf("at 11: checked %d, 3 breached %d times; want 3 breached once (1 ms late is the next minute)", n, m.breached["3"])
		}
		clk.Set(t0.Add(20 * time.Minute))
		if n := sweep(t, s); n != 2 || m.breached["1"] != 1 || m.warned["4"] != 1 || m.breached["4"] != 0 {
			t.Fatalf("at 20: checked %d; 1 breached %d, 4 warned %d breached %d", n, m.breached["1"], m.warned["4"], m.breached["4"])
		}
		clk.Set(t0.Add(time.Hour))
		if n := sweep(t, s); n != 1 || m.breached["4"] != 1 {
			t.Fatalf("at 60: checked %d, 4 breached %d", n, m.breached["4"])
		}
		clk.Set(t0.Add(2 * time.Hour))
		if n := sweep(t, s); n != 0 {
			t.Fatalf("with every target recorded a run checked %d", n)
		}
		for id, n := range m.warned {
			if n != 1 {
				t.Errorf("%s warned %d times", id, n)
			}
		}
		for id, n := range m.breached {
			if n != 1 {
				t.Errorf("%s breached %d times", id, n)
			}
		}
	})
}

// Two runs at once (a slow run overlapping the next minute's) may both
// check a ticket; the version-conditioned change records it once.
func TestTwoSweepsAtOnceRecordEachBreachOnce(t *testing.T) {
	stores(t, func(t *testing.T, st tickets) {
		m, clk := newModel(st), &clock{now: t0.Add(time.Hour)}
		const n = 120
		for i := range n {
			open(t, st, fmt.Sprintf("%d", i+1), t0.Add(time.Duration(i)*time.Second), t0.Add(time.Minute+time.Duration(i)*time.Second))
		}
		a, b := service(st, m, clk), service(st, m, clk)
		var wg sync.WaitGroup
		var checked [2]int
		var errs [2]error
		for i, s := range []*slasweep.Service{a, b} {
			wg.Add(1)
			go func() { defer wg.Done(); checked[i], errs[i] = s.Sweep(context.Background()) }()
		}
		wg.Wait()
		if err := errors.Join(errs[:]...); err != nil {
			t.Fatal(err)
		}
		if checked[0]+checked[1] < n {
			t.Fatalf("the two runs checked %d + %d, fewer than the %d due", checked[0], checked[1], n)
		}
		for i := range n {
			id := fmt.Sprintf("%d", i+1)
			if m.warned[id] != 1 || m.breached[id] != 1 {
				t.Fatalf("ticket %s: warned %d, breached %d; want each once", id, m.warned[id], m.breached[id])
			}
		}
		t.Logf("checks made: %d by one run, %d by the other, for %d tickets", checked[0], checked[1], n)
	})
}

// A check that fails is logged and counted, the others go on, the run
// fails (the function's error metric), and the next run tries it again.
// A ticket deleted since it was listed is no failure.
func TestAFailedCheckIsTriedAgainByTheNextRun(t *testing.T) {
	st := memstore.New()
	m, clk := newModel(st), &clock{now: t0.Add(time.Hour)}
	for _, id := range []string{"1", "2", "3"} {
		open(t, st, id, time.Time{}, t0)
	}
	m.fail = func(id string, call int) error {
		switch {
		case id == "2" && call == 1:
			return helpdesk.Errorf(helpdesk.EUnavailable, "throttled", "the table is busy")
		case id == "3":
			return fmt.Errorf("ticket 3: %w", helpdesk.ErrNotFound)
		}
		return nil
	}
	s := service(st, m, clk)
	n, err := s.Sweep(context.Background())
	if n != 1 || err == nil || !strings.Contains(err.Error(), "1 SLA checks failed") || !strings.Contains(err.Error(), "ticket 2") {
		t.Fatalf("first run: %d checked, err %v; want 1 checked and ticket 2's failure", n, err)
	}
	if m.breached["2"] != 0 || m.breached["1"] != 1 {
		t.Fatalf("breached %v", m.breached)
	}
	clk.Set(t0.Add(time.Hour + time.Minute))
	m.fail = func(id string, _ int) error { return nil }
	if n := sweep(t, s); n != 2 || m.breached["2"] != 1 {
		t.Fatalf("next run: %d checked, 2 breached %d; want 2 and 3 checked, 2 breached once", n, m.breached["2"])
	}
}

type failingIndex struct{ tickets }

func (failingIndex) DueSLAChecks(context.Context, time.Time, string, int32) ([]string, string, error) {
	return nil, "", errors.New("index unavailable")
}

func TestAnUnreadableIndexFailsTheRun(t *testing.T) {
	st := memstore.New()
	s := &slasweep.Service{Store: failingIndex{st}, Checker: newModel(st), Now: time.Now, Log: quiet}
	if _, err := s.Sweep(context.Background()); err == nil || !strings.Contains(err.Error(), "index unavailable") {
		t.Fatalf("err = %v", err)
	}
}

// gated holds every check until released, counting those in flight.
type gated struct {
	inFlight, max atomic.Int32
	release       chan struct{}
	started       chan struct{}
}

func (g *gated) CheckSLA(ctx context.Context, id string, now time.Time) error {
	n := g.inFlight.Add(1)
	for {
		m := g.max.Load()
		if n <= m || g.max.CompareAndSwap(m, n) {
			break
		}
	}
	g.started <- struct{}{}
	<-g.release
	g.inFlight.Add(-1)
	return nil
}

func TestChecksInFlightAreBounded(t *testing.T) {
	st := memstore.New()
	for i := range 20 {
		open(t, st, fmt.Sprintf("%d", i+1), time.Time{}, t0)
	}
	g := &gated{release: make(chan struct{}), started: make(chan struct{}, 20)}
	s := &slasweep.Service{Store: st, Checker: g, Now: func() time.Time { return t0.Add(time.Hour) }, Log: quiet, Concurrency: 3}
	done := make(chan int)
	go func() { n, _ := s.Sweep(context.Background()); done <- n }()
	for range 20 {
		<-g.started // a check started; with 3 in flight the sweep waits for one to end
		if got := g.inFlight.Load(); got > 3 {
			t.Errorf("%d checks in flight, want at most 3", got)
		}
		g.release <- struct{}{}
	}
	if n := <-done; n != 20 || g.max.Load() > 3 {
		t.Fatalf("checked %d, at most %d in flight; want 20, at most 3", n, g.max.Load())
	}
}

// stepping advances the clock by each check it makes.
type stepping struct {
	clk   *clock
	calls int
}

func (s *stepping) CheckSLA(ctx context.Context, id string, now time.Time) error {
	s.calls++
	s.clk.Set(now.Add(10 * time.Second))
	return nil
}

// A run with a backlog stops starting checks at its budget, so it ends
// before the next minute's run; what it left is still due.
func TestARunStopsAtItsBudget(t *testing.T) {
	st := memstore.New()
	for i := range 20 {
		open(t, st, fmt.Sprintf("%d", i+1), time.Time{}, t0)
	}
	clk := &clock{now: t0.Add(time.Hour)}
	c := &stepping{clk: clk}
	s := &slasweep.Service{Store: st, Checker: c, Now: clk.Now, Log: quiet, Concurrency: 1, Budget: 45 * time.Second}
	if n := sweep(t, s); n != 5 || c.calls != 5 {
		t.Fatalf("checked %d (%d calls) in a 45 s budget of 10 s checks; want 5 (at 0, 10, 20, 30, 40 s)", n, c.calls)
	}
}

// The schedule's input (template.yaml's, as in events/) runs one sweep
// through lambdax's scheduled handler, and a failed run fails the
// invocation.
func TestTheScheduleEventRunsASweep(t *testing.T) {
	ev, err := os.ReadFile("../../../events/sla-sweep/schedule.json")
	if err != nil {
		t.Fatal(err)
	}
	st := memstore.New()
	open(t, st, "1", time.Time{}, t0)
	m := newModel(st)
	s := &slasweep.Service{Store: st, Checker: m, Now: func() time.Time { return t0.Add(time.Minute) }, Log: quiet}
	if err := lambdax.ScheduledHandler(s, quiet)(context.Background(), ev); err != nil || m.breached["1"] != 1 {
		t.Fatalf("err %v, breached %v", err, m.breached)
	}
	s.Store = failingIndex{st}
	if err := lambdax.ScheduledHandler(s, quiet)(context.Background(), ev); err == nil {
		t.Fatal("a failed run did not fail the invocation")
	}
}
