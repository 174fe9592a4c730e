package memstore

import (
	"context"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// PutRating records a ticket's rating, once (helpdesk.ErrRated after).
func (s *Store) PutRating(ctx context.Context, r helpdesk.Rating) error {
	c, err := copyOf(r)
	if err != nil {
		return fmt.Errorf("rate ticket %s: %w", r.TicketID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.ratings[r.TicketID]; ok {
		return fmt.Errorf("rate ticket %s: %w", r.TicketID, helpdesk.ErrRated)
	}
	if s.ratings == nil {
		s.ratings = map[string]helpdesk.Rating{}
	}
	s.ratings[r.TicketID] = c
	return nil
}

// GetRating returns a ticket's rating, or ErrNotFound.
func (s *Store) GetRating(ctx context.Context, ticketID string) (helpdesk.Rating, error) {
	s.mu.Lock()
	r, ok := s.ratings[ticketID]
	s.mu.Unlock()
	if !ok {
		return helpdesk.Rating{}, fmt.Errorf("rating of ticket %s: %w", ticketID, helpdesk.ErrNotFound)
	}
	return copyOf(r)
}

// Ratings returns the ratings made in [from, to), oldest first (then by
// ticket id, as the table's index sorts them).
func (s *Store) Ratings(ctx context.Context, from, to time.Time) ([]helpdesk.Rating, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return inPeriod(s.ratings, from, to, func(r helpdesk.Rating) string { return sortKey(r.RatedAt, r.TicketID) })
}
