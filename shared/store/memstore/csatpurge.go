package memstore

import "context"

// DeleteRating removes a ticket's rating; none there is no error.
func (s *Store) DeleteRating(ctx context.Context, ticketID string) error {
	s.mu.Lock()
	delete(s.ratings, ticketID)
	s.mu.Unlock()
	return nil
}
