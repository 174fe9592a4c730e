package memstore

import (
	"context"
	"time"
)

type submissionClaim struct {
	id        string
	expiresAt int64 // Unix seconds, as the table's TTL attribute
}

// ClaimSubmission gives the content fingerprint key to id until until,
// unless another id holds it unexpired at now; it returns the holder (as
// store.Store.ClaimSubmission).
func (s *Store) ClaimSubmission(_ context.Context, key, id string, now, until time.Time) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.submissions == nil {
		s.submissions = map[string]submissionClaim{}
	}
	if c, ok := s.submissions[key]; ok && c.expiresAt > now.Unix() {
		return c.id, nil
	}
	s.submissions[key] = submissionClaim{id: id, expiresAt: until.Unix()}
	return id, nil
}
