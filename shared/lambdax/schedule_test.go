package lambdax

import (
	"context"
	"errors"
	"os"
	"testing"
)

type sweeper struct {
	runs int
	err  error
}

func (s *sweeper) Sweep(context.Context) (int, error) { s.runs++; return 3, s.err }

// The sample event is the input template.yaml gives the schedule.
func TestScheduledHandlerRunsTheSweepOnTheScheduleEvent(t *testing.T) {
	ev, err := os.ReadFile("../../events/outbox-relay/schedule.json")
	if err != nil {
		t.Fatal(err)
	}
	s := &sweeper{}
	if err := ScheduledHandler(s, quiet)(context.Background(), ev); err != nil || s.runs != 1 {
		t.Fatalf("err %v, %d sweeps; want one sweep", err, s.runs)
	}
	s.err = errors.New("table unavailable")
	if err := ScheduledHandler(s, quiet)(context.Background(), []byte(`"not an object"`)); !errors.Is(err, s.err) || s.runs != 2 {
		t.Fatalf("err %v after %d sweeps; a failed sweep must fail the invocation, whatever the input", err, s.runs)
	}
}
