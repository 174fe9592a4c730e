package retry

import (
	"context"
	"testing"
	"time"
)

func TestBackoffStopsWithTheContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := Backoff(ctx, 6, time.Hour); err != context.Canceled {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

func TestBackoffWaitsAtMostTheCeiling(t *testing.T) {
	// base 0: the ceiling is 0, so it returns at once whatever the attempt.
	for attempt := range 10 {
		if err := Backoff(context.Background(), attempt, 0); err != nil {
			t.Fatal(err)
		}
	}
}
