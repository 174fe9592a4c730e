package memstore

import (
	"context"
	"slices"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// OptOut records that contactID unsubscribed from kind (again: no change).
func (s *Store) OptOut(ctx context.Context, contactID string, kind helpdesk.CustomerNotifyKind) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.optOuts == nil {
		s.optOuts = map[string][]helpdesk.CustomerNotifyKind{}
	}
	if !slices.Contains(s.optOuts[contactID], kind) {
		s.optOuts[contactID] = append(s.optOuts[contactID], kind)
	}
	return nil
}

// OptOuts returns the kinds contactID unsubscribed from, sorted.
func (s *Store) OptOuts(ctx context.Context, contactID string) ([]helpdesk.CustomerNotifyKind, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.optOuts[contactID])
	if out == nil {
		out = []helpdesk.CustomerNotifyKind{}
	}
	slices.Sort(out)
	return out, nil
}
