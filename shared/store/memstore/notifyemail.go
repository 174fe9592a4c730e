package memstore

import (
	"context"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/store"
)

// SetNotificationEmail records what became of the email about a
// notification (store.Store.SetNotificationEmail).
func (s *Store) SetNotificationEmail(ctx context.Context, recipient string, at time.Time, id, status, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := sortKey(at, id)
	n, ok := s.notifications[recipient][k]
	if !ok {
		return fmt.Errorf("notification %s of %s: %w", id, recipient, store.ErrNotFound)
	}
	n.EmailStatus, n.EmailReason = status, reason
	s.notifications[recipient][k] = n
	return nil
}
