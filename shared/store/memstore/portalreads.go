package memstore

import (
	"context"
	"slices"
	"time"
)

// SetPortalVisit records contactID's last portal visit; an older one never
// replaces a newer (see store.SetPortalVisit).
func (s *Store) SetPortalVisit(_ context.Context, contactID string, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.portalVisits == nil {
		s.portalVisits = map[string]time.Time{}
	}
	if at.After(s.portalVisits[contactID]) {
		s.portalVisits[contactID] = at.UTC()
	}
	return nil
}

// PortalVisit returns contactID's last portal visit (zero: never).
func (s *Store) PortalVisit(_ context.Context, contactID string) (time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.portalVisits[contactID], nil
}

// TicketTermHashes returns the index's record of each ticket's terms
// (tickets not indexed are left out).
func (s *Store) TicketTermHashes(_ context.Context, ids []string) (map[string][]uint32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string][]uint32, len(ids))
	for _, id := range ids {
		if rec, ok := s.index.records[id]; ok {
			out[id] = slices.Clone(rec)
		}
	}
	return out, nil
}
