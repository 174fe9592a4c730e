package memstore

import (
	"context"
	"strconv"
)

// ReserveTicketNumber returns the ticket number reserved for the inbound
// message with the given dedupe key, taking the next one on its first call
// (store.Store.ReserveTicketNumber).
func (s *Store) ReserveTicketNumber(ctx context.Context, dedupeKey string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.numbers == nil {
		s.numbers = map[string]string{}
	}
	if n, ok := s.numbers[dedupeKey]; ok {
		return n, nil
	}
	n := strconv.FormatInt(s.increment("tickets"), 10)
	s.numbers[dedupeKey] = n
	return n, nil
}
