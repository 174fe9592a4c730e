package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Pending lists the tickets whose outbox has held jobs since before a time.
type Pending interface {
	Store
	// PendingOutboxes pages through the outbox index, oldest first, after
	// the position a previous page returned ("" from the start).
	PendingOutboxes(ctx context.Context, before time.Time, after string, limit int32) (ids []string, last string, err error)
	// LeaveOutboxIndex takes a ticket whose outbox is empty out of the index.
	LeaveOutboxIndex(ctx context.Context, ticketID string) error
}

// Relay publishes the jobs a committer did not: a process that commits a
// change publishes its jobs at once (Flush, the fast path), but it may die
// between the commit and the publish. The relay, run on a schedule, finds
// every ticket whose outbox still holds jobs Grace after the change that
// committed them and publishes them. Jobs carry ids and consumers are
// idempotent, so a job published by both acts once.
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

// Sweep makes one pass over the outboxes older than the grace period and
// publishes them; it reports how many tickets it flushed. A ticket that
// fails is logged and left for the next sweep while the pass goes on, so
// one bad ticket delays nobody else; the failures are returned together.
func (r *Relay) Sweep(ctx context.Context) (int, error) {
	before := r.Now().Add(-r.Grace)
	flushed := 0
	var errs []error
	for after := ""; ctx.Err() == nil; {
		ids, last, err := r.Store.PendingOutboxes(ctx, before, after, relayBatch)
		if err != nil {
			return flushed, fmt.Errorf("relay: %w", errors.Join(append(errs, err)...))
		}
		for _, id := range ids {
			published, err := r.flush(ctx, id)
			switch {
			case err != nil:
				errs = append(errs, err)
				r.Log.ErrorContext(ctx, "relay could not publish a ticket's jobs", "ticket_id", id, "error", err)
			case published:
				flushed++
				r.Log.InfoContext(ctx, "relay published jobs its committer did not", "ticket_id", id)
			}
		}
		if len(ids) < relayBatch || last == "" {
			break
		}
		after = last
	}
	return flushed, errors.Join(errs...)
}

// flush publishes one ticket's pending jobs. A ticket in the index with
// nothing pending (its clearer died between clearing and leaving the
// index) only leaves the index.
func (r *Relay) flush(ctx context.Context, id string) (bool, error) {
	box, err := r.Store.PendingOutbox(ctx, id)
	switch {
	case errors.Is(err, helpdesk.ErrNotFound):
		return false, nil // deleted since
	case err != nil:
		return false, fmt.Errorf("relay ticket %s: %w", id, err)
	case len(box) == 0:
		return false, r.Store.LeaveOutboxIndex(ctx, id)
	}
	return true, Flush(ctx, r.Store, r.Publisher, id, box)
}
