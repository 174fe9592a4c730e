package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"
)

// Pending lists the tickets whose outbox has held jobs since before a time.
type Pending interface {
	Store
	PendingOutboxes(ctx context.Context, before time.Time, limit int32) ([]string, error)
}

// Relay publishes the jobs a committer did not: a process that commits a
// change publishes its jobs at once (Flush, the fast path), but it may die
// between the commit and the publish. The relay, run on a schedule, finds
// every ticket whose outbox still holds jobs Grace after the ticket last
// changed and publishes them. Jobs carry ids and consumers are idempotent,
// so a job published by both acts once.
type Relay struct {
	Store     Pending
	Publisher Publisher
	Now       func() time.Time
	// Grace leaves the fast path time to publish before the relay does.
	Grace time.Duration
	Log   *slog.Logger
}

// relayBatch is how many tickets one query of the outbox index returns.
const relayBatch = 100

// Sweep publishes every outbox older than the grace period and reports how
// many tickets it flushed. A ticket that fails is logged and left for the
// next sweep; the others go on.
func (r *Relay) Sweep(ctx context.Context) (int, error) {
	before := r.Now().Add(-r.Grace)
	flushed := 0
	var errs []error
	failed := map[string]bool{}
	for ctx.Err() == nil {
		ids, err := r.Store.PendingOutboxes(ctx, before, relayBatch)
		if err != nil {
			return flushed, fmt.Errorf("relay: %w", err)
		}
		progress := false
		for _, id := range ids {
			if failed[id] {
				continue
			}
			if err := Flush(ctx, r.Store, r.Publisher, id, nil); err != nil {
				failed[id] = true
				errs = append(errs, err)
				r.Log.ErrorContext(ctx, "relay could not publish a ticket's jobs", "ticket_id", id, "error", err)
				continue
			}
			flushed, progress = flushed+1, true
			r.Log.InfoContext(ctx, "relay published jobs its committer did not", "ticket_id", id)
		}
		if len(ids) < relayBatch || !progress {
			break
		}
	}
	return flushed, errors.Join(errs...)
}
