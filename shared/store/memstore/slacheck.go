package memstore

import (
	"context"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// DueSLAChecks lists up to limit tickets whose SLA check is due at or
// before now, the earliest due first, after the position `after` ("" from
// the start), and the position of its last ticket, like the store's
// (its sparse index GSI6 derived here from each ticket's SLA).
func (s *Store) DueSLAChecks(ctx context.Context, now time.Time, after string, limit int32) ([]string, string, error) {
	if limit < 1 {
		return nil, "", fmt.Errorf("due SLA checks: limit %d: must be at least 1", limit)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	bound := sortTime(now) + "$" // past every "<now>#<id>"
	ids, last := s.ticketIndexPage(after, limit, func(id string, t helpdesk.Ticket) (string, bool) {
		if t.SLA == nil || t.SLA.NextCheckAt.IsZero() {
			return "", false
		}
		k := sortKey(t.SLA.NextCheckAt, id)
		return k, k <= bound
	})
	return ids, last, nil
}
