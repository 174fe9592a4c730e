package purge

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// SpamStore finds spam tickets whose expiry has passed.
type SpamStore interface {
	// ExpiredSpam returns up to limit ids of spam tickets whose expiresAt
	// is at or before now.
	ExpiredSpam(ctx context.Context, now time.Time, limit int32) ([]string, error)
}

// Cleanup is the spam-cleanup function's service: the cascade for what
// DynamoDB's TTL removed (Purge, Message) and the sweep of what it has not
// removed yet (Sweep).
type Cleanup struct {
	*Service
	Spam SpamStore
	// Batch bounds the tickets one round of the sweep lists; 0: 25.
	Batch int32
}

// Sweep purges every spam ticket past its expiry, a batch at a time,
// until none is left or ctx ends (the next schedule goes on). TTL
// deletes expired items within days, not at once, and reads hide them
// already; the sweep makes the deletion happen on time. It returns how
// many tickets it purged.
func (c *Cleanup) Sweep(ctx context.Context) (int, error) {
	batch := c.Batch
	if batch <= 0 {
		batch = 25
	}
	done := 0
	tried := map[string]bool{} // purged, skipped or failed: each once a sweep
	var errs []error
	for ctx.Err() == nil {
		// Ask for more than were tried, so the ones left (failed, or
		// skipped because restored meanwhile) cannot fill every batch.
		ids, err := c.Spam.ExpiredSpam(ctx, c.now(), batch+int32(len(tried)))
		if err != nil {
			return done, errors.Join(append(errs, fmt.Errorf("sweep: %w", err))...)
		}
		progress := false
		for _, id := range ids {
			if tried[id] {
				continue
			}
			tried[id], progress = true, true
			purged, err := c.PurgeExpired(ctx, id)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if purged {
				done++
			}
		}
		if !progress {
			break
		}
	}
	return done, errors.Join(errs...)
}

// PurgeExpired purges ticket id if it is still a spam ticket past its
// expiry (read again: an agent may have restored it since it was listed;
// once expired, reads hide it, so no agent can restore it any more).
func (c *Cleanup) PurgeExpired(ctx context.Context, id string) (bool, error) {
	t, err := c.Store.GetTicketHeader(ctx, id)
	switch {
	case errors.Is(err, helpdesk.ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("sweep ticket %s: %w", id, err)
	case t.State != helpdesk.StateSpam || !t.Expired(c.now()):
		return false, nil
	}
	return true, c.Purge(ctx, id, nil)
}
