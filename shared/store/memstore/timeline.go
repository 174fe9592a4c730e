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
