package memstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// TicketHeaders reads tickets by id; ids with no ticket are left out.
func (s *Store) TicketHeaders(ctx context.Context, ids []string) (map[string]helpdesk.Ticket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]helpdesk.Ticket, len(ids))
	for _, id := range ids {
		if t, ok := s.tickets[id]; ok {
			c, err := copyOf(t)
			if err != nil {
				return nil, fmt.Errorf("read tickets: %w", err)
			}
			out[id] = c
		}
	}
	return out, nil
}

// ListNotifications pages recipient's feed newest first, as the table's
// Query does: limit items are examined, those read left out when
// unreadOnly, and the last one examined is where the next page starts.
func (s *Store) ListNotifications(ctx context.Context, recipient string, unreadOnly bool, after string, limit int32) ([]helpdesk.Notification, string, error) {
	if limit < 1 {
		return nil, "", fmt.Errorf("notifications of %s: limit %d: must be at least 1", recipient, limit)
	}
	if after != "" && !store.ValidPosition(after) {
		return nil, "", store.ErrInvalidCursor
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	feed := s.notifications[recipient]
	keys := slices.Sorted(maps.Keys(feed))
	slices.Reverse(keys)
	if after != "" {
		keys = slices.DeleteFunc(keys, func(k string) bool { return k >= after })
	}
	keys = keys[:min(len(keys), int(limit))]
	out := []helpdesk.Notification{}
	for _, k := range keys {
		if n := feed[k]; !unreadOnly || n.ReadAt == nil {
			out = append(out, n)
		}
	}
	out, err := copyAll(out)
	if err != nil {
		return nil, "", fmt.Errorf("notifications of %s: %w", recipient, err)
	}
	next := ""
	if len(keys) == int(limit) {
		next = keys[len(keys)-1]
	}
	return out, next, nil
}

// MarkNotificationRead marks one notification read (the first time only).
func (s *Store) MarkNotificationRead(ctx context.Context, recipient string, at time.Time, id string, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := sortKey(at, id)
	n, ok := s.notifications[recipient][k]
	if !ok {
		return fmt.Errorf("notification %s of %s: %w", id, recipient, store.ErrNotFound)
	}
	if n.ReadAt == nil {
		n.ReadAt = &now
		s.notifications[recipient][k] = n
	}
	return nil
}

// MarkNotificationsRead marks read the unread notifications from before
// upTo, newest first, at most max (store.MaxMarkRead); it says whether
// unread ones remain.
func (s *Store) MarkNotificationsRead(ctx context.Context, recipient string, upTo, now time.Time, max int) (int, bool, error) {
	max = min(max, store.MaxMarkRead)
	s.mu.Lock()
	defer s.mu.Unlock()
	feed := s.notifications[recipient]
	keys := slices.Sorted(maps.Keys(feed))
	slices.Reverse(keys)
	marked := 0
	for _, k := range keys {
		n := feed[k]
		if k >= sortTime(upTo) || n.ReadAt != nil {
			continue
		}
		if marked == max {
			return marked, true, nil
		}
		n.ReadAt = &now
		feed[k] = n
		marked++
	}
	return marked, false, nil
}
