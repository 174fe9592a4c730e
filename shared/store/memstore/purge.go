package memstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/search"
	"github.com/stackdesk/stackdesk/shared/store"
)

// The purge cascade's store methods (store/purge.go): a ticket's
// partition read and deleted by sort key, its thread keys, its terms.

const (
	msgPrefix = "MSG#"
	actPrefix = "ACT#"
)

// TicketRemains reads up to limit items of ticket id's partition after
// the sort key after, leaving out the ticket item.
func (s *Store) TicketRemains(ctx context.Context, id, after string, limit int32) (store.RemainsPage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var p store.RemainsPage
	c := s.conversations[id]
	if c == nil {
		return p, nil
	}
	var sks []string
	for k := range c.messages {
		sks = append(sks, msgPrefix+k)
	}
	for k := range c.activities {
		sks = append(sks, actPrefix+k)
	}
	slices.Sort(sks)
	for _, sk := range sks {
		if sk <= after && after != "" {
			continue
		}
		if len(p.SKs) == int(limit) {
			p.Next = p.SKs[len(p.SKs)-1]
			break
		}
		p.SKs = append(p.SKs, sk)
		if k, ok := strings.CutPrefix(sk, msgPrefix); ok {
			m, err := copyOf(c.messages[k])
			if err != nil {
				return store.RemainsPage{}, err
			}
			p.Messages = append(p.Messages, m)
		} else {
			a, err := copyOf(c.activities[strings.TrimPrefix(sk, actPrefix)])
			if err != nil {
				return store.RemainsPage{}, err
			}
			p.Activities = append(p.Activities, a)
		}
	}
	return p, nil
}

// DeleteTicketRemains deletes items of ticket id's partition by sort key,
// never the ticket item.
func (s *Store) DeleteTicketRemains(ctx context.Context, id string, sks []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sk := range sks {
		if sk == "TICKET" {
			return fmt.Errorf("delete remains of ticket %s: the ticket item is deleted by Commit", id)
		}
	}
	c := s.conversations[id]
	if c == nil {
		return nil
	}
	for _, sk := range sks {
		if k, ok := strings.CutPrefix(sk, msgPrefix); ok {
			delete(c.messages, k)
		} else if k, ok := strings.CutPrefix(sk, actPrefix); ok {
			delete(c.activities, k)
		}
	}
	if len(c.messages)+len(c.activities) == 0 {
		delete(s.conversations, id)
	}
	return nil
}

// RemoveThreadKeys deletes each thread key that still leads to ticket id.
func (s *Store) RemoveThreadKeys(ctx context.Context, id string, keys []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, k := range keys {
		if t, ok := s.threads[k]; ok && t.ticketID == id {
			delete(s.threads, k)
		}
	}
	return nil
}

// UnindexTicket deletes ticket id's term items for terms: those its
// record holds while it exists, every given one once it is gone.
func (s *Store) UnindexTicket(ctx context.Context, id string, terms []search.Term) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.index.init()
	have, recorded := s.index.records[id]
	seen := map[search.Term]bool{}
	n := 0
	for _, t := range terms {
		if seen[t] {
			continue
		}
		seen[t] = true
		if recorded {
			if _, ok := slices.BinarySearch(have, store.TermHash(t)); !ok {
				continue
			}
		}
		n++
		delete(s.index.tickets[t.Text], store.TicketHit{TicketID: id, Field: t.Field})
		if len(s.index.tickets[t.Text]) == 0 {
			delete(s.index.tickets, t.Text)
		}
	}
	return n, nil
}

// DeleteTermsRecord deletes ticket id's record of indexed terms.
func (s *Store) DeleteTermsRecord(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.index.init()
	delete(s.index.records, id)
	return nil
}

// TicketIndexed reports whether any term item or the terms record of
// ticket id is left (tests: nothing of a purged ticket remains).
func (s *Store) TicketIndexed(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.index.records[id]; ok {
		return true
	}
	for _, hits := range s.index.tickets {
		for h := range hits {
			if h.TicketID == id {
				return true
			}
		}
	}
	return false
}

// RemoveNotifications deletes recipient's notifications about ticket id
// from since on.
func (s *Store) RemoveNotifications(ctx context.Context, recipient, id string, since time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for k, v := range s.notifications[recipient] {
		if v.TicketID == id && !v.At.Before(since) {
			delete(s.notifications[recipient], k)
			n++
		}
	}
	return n, nil
}

// ExpiredSpam returns up to limit ids of spam tickets whose expiresAt is
// at or before now, oldest first.
func (s *Store) ExpiredSpam(ctx context.Context, now time.Time, limit int32) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var ts []helpdesk.Ticket
	for _, t := range s.tickets {
		if t.State == helpdesk.StateSpam && t.Expired(now) {
			ts = append(ts, t)
		}
	}
	slices.SortFunc(ts, func(a, b helpdesk.Ticket) int {
		return strings.Compare(sortKey(a.CreatedAt, a.ID), sortKey(b.CreatedAt, b.ID))
	})
	var ids []string
	for _, t := range ts {
		if int32(len(ids)) == limit {
			break
		}
		ids = append(ids, t.ID)
	}
	return ids, nil
}

// SetSpamExpiry sets or removes spam ticket id's expiry. The in-memory
// store keeps it on the ticket only (what reads and the sweep look at);
// the TTL of the items hanging off it is the table's.
func (s *Store) SetSpamExpiry(ctx context.Context, id string, at *time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets[id]
	switch {
	case !ok:
		return fmt.Errorf("spam expiry of ticket %s: %w", id, store.ErrNotFound)
	case at != nil && t.State != helpdesk.StateSpam:
		return fmt.Errorf("spam expiry of ticket %s: %w", id, helpdesk.Errorf(helpdesk.EConflict, "not_spam", "ticket %s is not spam", id))
	case at != nil:
		t.ExpiresAt = at.Unix()
	default:
		t.ExpiresAt = 0
	}
	s.tickets[id] = t
	return nil
}
