// Package retry spaces out the re-reads of writers that lost a race.
package retry

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff waits a random delay in [0, base·2^attempt) (capped at 2^6), so
// writers that collided spread out instead of colliding again, or returns
// early with the context's error.
func Backoff(ctx context.Context, attempt int, base time.Duration) error {
	ceiling := base << min(max(attempt, 0), 6)
	t := time.NewTimer(time.Duration(rand.Int64N(int64(ceiling) + 1)))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// While runs attempt until it succeeds, fails with an error again does not
// accept, or has run rounds times, backing off between tries. It returns
// attempt's last error.
func While(ctx context.Context, rounds int, base time.Duration, again func(error) bool, attempt func() error) error {
	for round := 0; ; round++ {
		err := attempt()
		if err == nil || !again(err) || round+1 >= rounds {
			return err
		}
		if err := Backoff(ctx, round, base); err != nil {
			return err
		}
	}
}
