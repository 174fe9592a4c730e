package memstore

import (
	"context"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Tick moves the desk clock as store.Store.Tick does.
func (s *Store) Tick(_ context.Context, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clock.Version++
	if at.After(s.clock.At) {
		s.clock.At = at.UTC()
	}
	return nil
}

// Clock reads the desk clock.
func (s *Store) Clock(context.Context) (helpdesk.DeskClock, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clock, nil
}
