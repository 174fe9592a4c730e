package storetest

import (
	"sync"
	"testing"
	"time"
)

// The desk clock: zero on a new desk; every tick moves the version by
// one, concurrent ticks included (none is lost); its time only goes
// forward, so a late batch moves the version but not the time.
func testDeskClockMovesForward(t *testing.T, f *fixture) {
	c, err := f.st.Clock(f.ctx)
	if err != nil || c.Version != 0 || !c.At.IsZero() {
		t.Fatalf("a new desk's clock: %+v, %v", c, err)
	}
	const ticks = 20
	var wg sync.WaitGroup
	for i := range ticks {
		wg.Go(func() {
			if err := f.st.Tick(f.ctx, T0.Add(time.Duration(i)*time.Second)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	latest := T0.Add((ticks - 1) * time.Second)
	if c, err = f.st.Clock(f.ctx); err != nil || c.Version != ticks || !c.At.Equal(latest) {
		t.Fatalf("after %d ticks: %+v, %v; want version %d at %v", ticks, c, err, ticks, latest)
	}
	if err := f.st.Tick(f.ctx, T0); err != nil {
		t.Fatal(err)
	}
	if c, err = f.st.Clock(f.ctx); err != nil || c.Version != ticks+1 || !c.At.Equal(latest) {
		t.Fatalf("a late tick: %+v, %v; want version %d still at %v", c, err, ticks+1, latest)
	}
}
