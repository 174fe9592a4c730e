// Package outbox publishes the queue jobs a ticket change committed in the
// ticket item (a transactional outbox) and clears them once published.
package outbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/stackdesk/stackdesk/shared/store"
)

// Store holds the pending jobs.
type Store interface {
	PendingOutbox(ctx context.Context, ticketID string) (map[string]string, error)
	ClearOutbox(ctx context.Context, ticketID string, ids []string) error
}

// Publisher sends a job to its queue.
type Publisher interface {
	Publish(ctx context.Context, body string) error
}

// Flush publishes box (or, when box is nil, whatever the ticket still has
// pending) and clears what was published. A failure leaves the rest pending
// for the next flush; jobs carry ids so a job published twice is done once.
func Flush(ctx context.Context, st Store, pub Publisher, ticketID string, box map[string]string) error {
	if box == nil {
		var err error
		if box, err = st.PendingOutbox(ctx, ticketID); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil // the ticket was deleted since
			}
			return err
		}
	}
	if len(box) == 0 {
		return nil
	}
	if pub == nil {
		return fmt.Errorf("ticket %s has %d outbound jobs and no outbound queue", ticketID, len(box))
	}
	ids := make([]string, 0, len(box))
	for id, body := range box {
		if err := pub.Publish(ctx, body); err != nil {
			if len(ids) > 0 {
				_ = st.ClearOutbox(ctx, ticketID, ids)
			}
			return fmt.Errorf("flush outbox of ticket %s: %w", ticketID, err)
		}
		ids = append(ids, id)
	}
	return st.ClearOutbox(ctx, ticketID, ids)
}
