package memstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/routing"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// This file holds the reads of tickets, their conversations, the views
// and the outbox.

// GetTicketHeader reads a ticket without its conversation.
func (s *Store) GetTicketHeader(ctx context.Context, id string) (helpdesk.Ticket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets[id]
	if !ok {
		return helpdesk.Ticket{}, fmt.Errorf("ticket %s: %w", id, store.ErrNotFound)
	}
	return copyOf(t)
}

// GetTicket reads a ticket and its whole conversation: its own and, for a
// ticket others were merged into, theirs (recursively), in time order.
func (s *Store) GetTicket(ctx context.Context, id string) (helpdesk.Conversation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var conv helpdesk.Conversation
	main, ok := s.tickets[id]
	if !ok {
		return conv, fmt.Errorf("ticket %s: %w", id, store.ErrNotFound)
	}
	_ = ticket.EachMerged(id, func(pid string) ([]string, error) {
		if c := s.conversations[pid]; c != nil {
			// In the table's order (by sort key) before sorting, so ties sort alike.
			for _, k := range slices.Sorted(maps.Keys(c.messages)) {
				conv.Messages = append(conv.Messages, c.messages[k])
			}
			for _, k := range slices.Sorted(maps.Keys(c.activities)) {
				conv.Activities = append(conv.Activities, c.activities[k])
			}
		}
		return s.tickets[pid].MergedFrom, nil
	})
	var err error
	if conv.Ticket, err = copyOf(main); err != nil {
		return conv, fmt.Errorf("get ticket %s: %w", id, err)
	}
	if conv.Messages, err = copyAll(conv.Messages); err != nil {
		return conv, fmt.Errorf("get ticket %s: %w", id, err)
	}
	if conv.Activities, err = copyAll(conv.Activities); err != nil {
		return conv, fmt.Errorf("get ticket %s: %w", id, err)
	}
	conv.Sort()
	return conv, nil
}

// ListTickets returns up to limit tickets in state, newest first (by
// creation, then id).
func (s *Store) ListTickets(ctx context.Context, state helpdesk.State, limit int32) ([]helpdesk.Ticket, error) {
	if limit < 1 {
		return nil, fmt.Errorf("list %s tickets: limit %d: must be at least 1", state, limit)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var in []helpdesk.Ticket
	for _, t := range s.tickets {
		if t.State == state {
			in = append(in, t)
		}
	}
	slices.SortFunc(in, func(a, b helpdesk.Ticket) int {
		return strings.Compare(sortKey(b.CreatedAt, b.ID), sortKey(a.CreatedAt, a.ID))
	})
	out, err := copyAll(in[:min(len(in), int(limit))])
	if err != nil {
		return nil, fmt.Errorf("list %s tickets: %w", state, err)
	}
	if out == nil {
		out = []helpdesk.Ticket{} // as the table's reads give it: a list, even empty
	}
	return out, nil
}

// FindThread returns the ticket that owns the first of keys that has one,
// and that key, or ErrNotFound.
func (s *Store) FindThread(ctx context.Context, keys []string) (ticketID, key string, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		if tk, ok := s.threads[k]; ok {
			return tk.ticketID, k, nil
		}
	}
	return "", "", store.ErrNotFound
}

// FindDedupe returns the record of an applied provider message, or
// ErrNotFound. Records are kept past store.DedupeTTL, as in the table,
// whose TTL deletes them lazily and whose reads do not filter them.
func (s *Store) FindDedupe(ctx context.Context, key string) (ticket.Dedupe, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.dedupes[key]
	if !ok {
		return ticket.Dedupe{}, store.ErrNotFound
	}
	return ticket.Dedupe{Key: key, TicketID: d.ticketID, MessageID: d.messageID, Fingerprint: d.fingerprint}, nil
}

// Notifications returns a recipient's newest in-app notifications.
func (s *Store) Notifications(ctx context.Context, recipient string, limit int32) ([]helpdesk.Notification, error) {
	if limit < 1 {
		return nil, fmt.Errorf("notifications of %s: limit %d: must be at least 1", recipient, limit)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	feed := s.notifications[recipient]
	keys := slices.Sorted(maps.Keys(feed))
	slices.Reverse(keys)
	var out []helpdesk.Notification
	for _, k := range keys[:min(len(keys), int(limit))] {
		out = append(out, feed[k])
	}
	out, err := copyAll(out)
	if err != nil {
		return nil, fmt.Errorf("notifications of %s: %w", recipient, err)
	}
	if out == nil {
		out = []helpdesk.Notification{} // as the table's reads give it: a list, even empty
	}
	return out, nil
}

// PendingOutbox returns the queue jobs a ticket committed but has not yet
// seen published.
func (s *Store) PendingOutbox(ctx context.Context, ticketID string) (map[string]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets[ticketID]
	if !ok {
		return nil, fmt.Errorf("ticket %s: %w", ticketID, store.ErrNotFound)
	}
	return maps.Clone(t.Outbox), nil
}

// ClearOutbox removes published jobs from a ticket's outbox; once it is
// empty the ticket leaves the outbox index. The version stays: the entries
// are gone whatever else changed. A missing ticket or outbox is no error.
func (s *Store) ClearOutbox(ctx context.Context, ticketID string, ids []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets[ticketID]
	if !ok || len(t.Outbox) == 0 {
		return nil
	}
	for _, id := range ids {
		delete(t.Outbox, id)
	}
	if len(t.Outbox) == 0 {
		t.Outbox = nil
	}
	s.tickets[ticketID] = t
	return nil
}

// PendingOutboxes lists up to limit tickets whose outbox has held jobs
// since before `before` (the change that committed them), oldest first,
// after the position `after` ("" from the start); it returns the position
// of its last ticket, to page on.
func (s *Store) PendingOutboxes(ctx context.Context, before time.Time, after string, limit int32) ([]string, string, error) {
	if limit < 1 {
		return nil, "", fmt.Errorf("pending outboxes: limit %d: must be at least 1", limit)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// The outbox index's sort key: "<outboxAt>#<id>", compared with "<before>".
	bound := sortTime(before)
	ids, last := s.ticketIndexPage(after, limit, func(id string, t helpdesk.Ticket) (string, bool) {
		k := sortKey(t.OutboxAt, id)
		return k, len(t.Outbox) > 0 && k < bound
	})
	return ids, last, nil
}

// LeaveOutboxIndex takes a ticket with an empty outbox out of the index;
// here the index is derived from the outbox, so there is nothing to do.
func (s *Store) LeaveOutboxIndex(ctx context.Context, ticketID string) error { return nil }

// Loads reads the loads of agents for one ticket type at now: the sum of
// the last helpdesk.LoadWindowDays UTC days, the version to condition a
// write on, and the buckets found past the window. Agents whose load was
// never written are absent.
func (s *Store) Loads(ctx context.Context, agentIDs []string, typ helpdesk.TicketType, now time.Time) (map[string]routing.Load, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	today := helpdesk.DayNumber(now)
	out := make(map[string]routing.Load, len(agentIDs))
	for _, id := range agentIDs {
		l := s.loads[loadKey{id, typ}]
		if l == nil {
			continue
		}
		r := routing.Load{Version: l.version}
		for _, day := range slices.Sorted(maps.Keys(l.days)) {
			if age := today - day; age >= 0 && age < helpdesk.LoadWindowDays {
				r.Count += l.days[day]
			} else if age >= helpdesk.LoadWindowDays {
				r.Expired = append(r.Expired, fmt.Sprintf("%s%d", bucketPrefix, day))
			}
		}
		out[id] = r
	}
	return out, nil
}
