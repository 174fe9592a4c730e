package memstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// QueryTickets returns the tickets of one index partition that pass the
// query's filter, in creation order after `after`, up to limit (0: all),
// and the position to continue from, as the table's Query does: a full
// page always gives one, even at the end.
func (s *Store) QueryTickets(ctx context.Context, q helpdesk.TicketQuery, after string, forward bool, limit int32) ([]helpdesk.Ticket, string, error) {
	if limit < 0 {
		return nil, "", fmt.Errorf("query tickets: limit %d: must not be negative", limit)
	}
	if after != "" {
		if _, ok := store.ParseViewCursor(after, false); !ok || !q.SortedByCreation() {
			return nil, "", store.ErrInvalidCursor
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	in := s.partition(q)
	var page []helpdesk.Ticket
	for _, t := range in {
		k := sortKey(t.CreatedAt, t.ID)
		if after != "" && (forward && k <= after || !forward && k >= after) {
			continue
		}
		page = append(page, t)
	}
	if !forward {
		slices.Reverse(page)
	}
	next := ""
	if limit > 0 && len(page) >= int(limit) {
		page = page[:limit]
		next = sortKey(page[len(page)-1].CreatedAt, page[len(page)-1].ID)
	}
	out := make([]helpdesk.Ticket, len(page))
	for i, t := range page {
		out[i] = cloneTicket(t)
	}
	return out, next, nil
}

// CountTickets counts the tickets of one index partition that pass the
// query's filter, newest first, in the pages the table's store reads
// (store.CountPageLimit; a page that fills its limit may have more after
// it, as DynamoDB's LastEvaluatedKey says), stopping where it stops.
func (s *Store) CountTickets(ctx context.Context, q helpdesk.TicketQuery, upTo int) (int, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := s.unfiltered(q)
	slices.Reverse(all)
	n, read := 0, 0
	if upTo <= 0 {
		return len(slices.DeleteFunc(all, func(t helpdesk.Ticket) bool { return !q.Filter.Match(t) })), false, nil
	}
	for {
		limit := store.CountPageLimit(upTo, read)
		end := min(read+limit, len(all))
		for _, t := range all[read:end] {
			if q.Filter.Match(t) {
				n++
			}
		}
		full := end-read == limit
		read = end
		switch {
		case !full:
			return n, false, nil
		case n >= upTo || read >= store.CountReadBudget(upTo):
			return min(n, upTo), true, nil
		}
	}
}

// partition is q's partition filtered, in the index's ascending order
// (a whole team partition: assigned, then unassigned, each by creation).
func (s *Store) partition(q helpdesk.TicketQuery) []helpdesk.Ticket {
	return slices.DeleteFunc(s.unfiltered(q), func(t helpdesk.Ticket) bool { return !q.Filter.Match(t) })
}

// unfiltered is q's partition, every ticket its key selects, in the
// index's ascending order.
func (s *Store) unfiltered(q helpdesk.TicketQuery) []helpdesk.Ticket {
	team := q.TeamPartition()
	var in []helpdesk.Ticket
	for _, t := range s.tickets {
		switch {
		case t.State != q.State,
			q.Owner != nil && t.OwnerID != *q.Owner,
			team && t.TeamID != q.Team,
			team && q.UnassignedOnly && t.OwnerID != "",
			team && q.AssignedOnly && t.OwnerID == "":
			continue
		}
		in = append(in, t)
	}
	// The index's sort key of each ticket, computed once.
	keys := make(map[string]string, len(in))
	for _, t := range in {
		k := "A#"
		if team && t.OwnerID == "" {
			k = "U#"
		}
		keys[t.ID] = k + sortKey(t.CreatedAt, t.ID)
	}
	slices.SortFunc(in, func(a, b helpdesk.Ticket) int { return strings.Compare(keys[a.ID], keys[b.ID]) })
	return in
}

// PutView creates or replaces a saved view.
func (s *Store) PutView(ctx context.Context, v helpdesk.View) error {
	c, err := copyOf(v)
	if err != nil {
		return fmt.Errorf("put view %s: %w", v.ID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.views == nil {
		s.views = map[string]helpdesk.View{}
	}
	s.views[v.ID] = c
	return nil
}

// GetView reads a saved view, or ErrNotFound.
func (s *Store) GetView(ctx context.Context, id string) (helpdesk.View, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.views[id]
	if !ok {
		return helpdesk.View{}, fmt.Errorf("view %s: %w", id, store.ErrNotFound)
	}
	return copyOf(v)
}

// DeleteView removes a saved view; a missing one is no error.
func (s *Store) DeleteView(ctx context.Context, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.views, id)
	return nil
}

// ListViews returns the saved views of each holder, holder by holder, each
// by name (then id), as the table's index sorts them.
func (s *Store) ListViews(ctx context.Context, holders []string) ([]helpdesk.View, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []helpdesk.View{}
	for _, h := range holders {
		var vs []helpdesk.View
		for _, v := range s.views {
			if v.Holder() == h {
				vs = append(vs, v)
			}
		}
		slices.SortFunc(vs, func(a, b helpdesk.View) int { return strings.Compare(a.Name+"#"+a.ID, b.Name+"#"+b.ID) })
		c, err := copyAll(vs)
		if err != nil {
			return nil, fmt.Errorf("list views of %s: %w", h, err)
		}
		out = append(out, c...)
	}
	return out, nil
}

// cloneTicket copies a stored ticket: stored values were normalised by the
// item encoding when written, so cloning what they hold is the same copy
// as copyOf, without encoding every ticket of a view again.
func cloneTicket(t helpdesk.Ticket) helpdesk.Ticket {
	t.Participants = slices.Clone(t.Participants)
	t.MergedFrom = slices.Clone(t.MergedFrom)
	t.ThreadKeys = slices.Clone(t.ThreadKeys)
	t.Followers = slices.Clone(t.Followers)
	t.Outbox = maps.Clone(t.Outbox)
	return t
}

// SortKeys returns the place in the sort `by` of every ticket of one
// index partition that passes the query's filter and comes after `after`
// (ascending when asc).
func (s *Store) SortKeys(ctx context.Context, q helpdesk.TicketQuery, by, after string, asc bool) ([]helpdesk.Keyed, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []helpdesk.Keyed
	for _, t := range s.partition(q) {
		k := helpdesk.SortKey(t, by)
		if after == "" || asc && k > after || !asc && k < after {
			out = append(out, helpdesk.Keyed{ID: t.ID, Key: k})
		}
	}
	return out, nil
}

// GetTickets reads tickets by id; the missing are left out.
func (s *Store) GetTickets(ctx context.Context, ids []string) ([]helpdesk.Ticket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []helpdesk.Ticket{}
	seen := map[string]bool{}
	for _, id := range ids {
		if t, ok := s.tickets[id]; ok && !seen[id] {
			seen[id] = true
			out = append(out, cloneTicket(t))
		}
	}
	return out, nil
}
