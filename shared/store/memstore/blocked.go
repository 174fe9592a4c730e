package memstore

import (
	"context"
	"fmt"
	"slices"
	"sort"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// BlockSender records b; blocking someone blocked already keeps the first record.
func (s *Store) BlockSender(ctx context.Context, b helpdesk.BlockedSender) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blocked == nil {
		s.blocked = map[string]helpdesk.BlockedSender{}
	}
	if _, ok := s.blocked[b.Key]; !ok {
		b.BlockedAt = b.BlockedAt.UTC()
		s.blocked[b.Key] = b
	}
	return nil
}

// UnblockSender removes the block of senderKey; store.ErrNotFound if there is none.
func (s *Store) UnblockSender(ctx context.Context, senderKey string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.blocked[senderKey]; !ok {
		return fmt.Errorf("unblock sender %s: %w", senderKey, store.ErrNotFound)
	}
	delete(s.blocked, senderKey)
	return nil
}

// IsBlocked reports whether senderKey is blocked.
func (s *Store) IsBlocked(ctx context.Context, senderKey string) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.blocked[senderKey]
	return ok, nil
}

// ListBlocked returns every blocked sender, oldest block first.
func (s *Store) ListBlocked(ctx context.Context) ([]helpdesk.BlockedSender, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []helpdesk.BlockedSender{}
	for _, b := range s.blocked {
		out = append(out, b)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := helpdesk.SortTime(out[i].BlockedAt)+"#"+out[i].Key, helpdesk.SortTime(out[j].BlockedAt)+"#"+out[j].Key
		return a < b
	})
	return slices.Clip(out), nil
}
