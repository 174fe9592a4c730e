package memstore

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// Timeline returns one page of ticket t's timeline and of the tickets
// merged into it, in one time order, and the position to continue from,
// as store.Store.Timeline does.
func (s *Store) Timeline(ctx context.Context, t helpdesk.Ticket, q helpdesk.TimelineQuery) ([]helpdesk.TimelineEntry, string, error) {
	if q.Limit < 1 || q.Limit > 500 {
		return nil, "", fmt.Errorf("timeline of %s: limit %d: must be 1 to 500", t.ID, q.Limit)
	}
	if q.After != "" && !store.ValidTimelineCursor(q.After) {
		return nil, "", store.ErrInvalidCursor
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	type positioned struct {
		pos string
		e   helpdesk.TimelineEntry
	}
	var all []positioned
	after := func(pos string) bool {
		switch {
		case q.After == "":
			return true
		case q.Oldest:
			return pos > q.After
		}
		return pos < q.After
	}
	_ = ticket.EachMerged(t.ID, func(pid string) ([]string, error) {
		if c := s.conversations[pid]; c != nil {
			for k, m := range c.messages {
				e := helpdesk.TimelineEntry{Message: &m}
				if after(k) && (q.Kind == "" || q.Kind == e.Kind()) {
					all = append(all, positioned{k, e})
				}
			}
			if q.Kind == "" || q.Kind == helpdesk.TimelineActivity {
				for k, a := range c.activities {
					if after(k) {
						all = append(all, positioned{k, helpdesk.TimelineEntry{Activity: &a}})
					}
				}
			}
		}
		if pid == t.ID {
			return t.MergedFrom, nil
		}
		return s.tickets[pid].MergedFrom, nil
	})
	slices.SortFunc(all, func(a, b positioned) int {
		if q.Oldest {
			return strings.Compare(a.pos, b.pos)
		}
		return strings.Compare(b.pos, a.pos)
	})
	next := ""
	if len(all) > q.Limit {
		all = all[:q.Limit]
		next = all[len(all)-1].pos
	}
	out := make([]helpdesk.TimelineEntry, len(all))
	for i, p := range all {
		e, err := copyOf(p.e)
		if err != nil {
			return nil, "", fmt.Errorf("timeline of %s: %w", t.ID, err)
		}
		out[i] = e
	}
	return out, next, nil
}

// ContactTickets returns up to limit of a contact's tickets, newest first.
func (s *Store) ContactTickets(ctx context.Context, contactID string, limit int32) ([]helpdesk.Ticket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var in []helpdesk.Ticket
	for _, t := range s.tickets {
		if t.ContactID == contactID {
			in = append(in, t)
		}
	}
	slices.SortFunc(in, func(a, b helpdesk.Ticket) int {
		return strings.Compare(sortKey(b.CreatedAt, b.ID), sortKey(a.CreatedAt, a.ID))
	})
	out, err := copyAll(in[:min(len(in), int(limit))])
	if err != nil {
		return nil, fmt.Errorf("tickets of contact %s: %w", contactID, err)
	}
	if out == nil {
		out = []helpdesk.Ticket{}
	}
	return out, nil
}

// GetContacts reads contacts by id; an unknown id is absent from the map.
func (s *Store) GetContacts(ctx context.Context, ids []string) (map[string]helpdesk.Contact, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]helpdesk.Contact{}
	for _, id := range ids {
		if c, ok := s.contacts[id]; ok {
			cc, err := copyOf(c)
			if err != nil {
				return nil, fmt.Errorf("read contacts: %w", err)
			}
			out[id] = cc
		}
	}
	return out, nil
}
