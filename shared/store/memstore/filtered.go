package memstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// Filtered mail, as store/filtered.go: one list, newest first.

// normalFiltered is f as the table keeps it: bounded, times in UTC, the
// expiry in whole seconds (a TTL attribute).
func normalFiltered(f helpdesk.FilteredMail) (helpdesk.FilteredMail, error) {
	f.Bound()
	f.ReceivedAt = f.ReceivedAt.UTC()
	f.ExpiresAt = time.Unix(f.ExpiresAt.Unix(), 0).UTC()
	if f.PromotedAt != nil {
		at := f.PromotedAt.UTC()
		f.PromotedAt = &at
	}
	return copyOf(f)
}

// RecordFiltered records a filtered mail; the first record of a mail stays.
func (s *Store) RecordFiltered(ctx context.Context, f helpdesk.FilteredMail) error {
	f, err := normalFiltered(f)
	if err != nil {
		return fmt.Errorf("record filtered mail: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.filtered == nil {
		s.filtered = map[string]helpdesk.FilteredMail{}
	}
	k := store.FilteredPosition(f)
	if _, ok := s.filtered[k]; !ok {
		s.filtered[k] = f
	}
	return nil
}

// GetFiltered reads one filtered mail; ErrNotFound if there is none.
func (s *Store) GetFiltered(ctx context.Context, received time.Time, sesID string) (helpdesk.FilteredMail, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, ok := s.filtered[store.FilteredPosition(helpdesk.FilteredMail{ReceivedAt: received, SESMessageID: sesID})]
	if !ok {
		return helpdesk.FilteredMail{}, store.ErrNotFound
	}
	return copyOf(f)
}

// ListFiltered pages the list newest first, as the table's Query does: a
// page is full unless store.MaxFilteredRead items were read for it.
func (s *Store) ListFiltered(ctx context.Context, kind, after string, limit int32) ([]helpdesk.FilteredMail, string, error) {
	if limit < 1 {
		return nil, "", fmt.Errorf("list filtered mail: limit %d: must be at least 1", limit)
	}
	if after != "" && !store.ValidPosition(after) {
		return nil, "", store.ErrInvalidCursor
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	keys := slices.Sorted(maps.Keys(s.filtered))
	slices.Reverse(keys)
	if after != "" {
		keys = slices.DeleteFunc(keys, func(k string) bool { return k >= after })
	}
	out := []helpdesk.FilteredMail{}
	for i, k := range keys {
		if f := s.filtered[k]; kind == "" || f.Kind == kind {
			out = append(out, f)
		}
		// A full page, or a kind's page that read its share, continues
		// after the last item read (the next page may be empty).
		if len(out) == int(limit) || kind != "" && i+1 == store.MaxFilteredRead {
			out, err := copyAll(out)
			return out, k, err
		}
	}
	out, err := copyAll(out)
	return out, "", err
}

// PromoteFiltered marks a filtered mail made a ticket and keeps its audit
// entry, at once: ErrNotFound if it is gone, ErrAlreadyPromoted if it was
// promoted already.
func (s *Store) PromoteFiltered(ctx context.Context, f helpdesk.FilteredMail, audit helpdesk.AuditEntry) error {
	if f.PromotedAt == nil || f.PromotedBy == "" {
		return fmt.Errorf("promote filtered mail %s: who and when are required", f.SESMessageID)
	}
	f, err := normalFiltered(f)
	if err != nil {
		return fmt.Errorf("promote filtered mail: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	k := store.FilteredPosition(f)
	old, ok := s.filtered[k]
	switch {
	case !ok:
		return fmt.Errorf("filtered mail %s: %w", f.SESMessageID, store.ErrNotFound)
	case old.PromotedAt != nil:
		return fmt.Errorf("promote filtered mail %s: %w", f.SESMessageID, store.ErrAlreadyPromoted)
	}
	if s.audit == nil {
		s.audit = map[string]helpdesk.AuditEntry{}
	}
	audit.At = audit.At.UTC()
	audit.Before, audit.After = slices.Clone(audit.Before), slices.Clone(audit.After)
	if _, dup := s.audit[store.AuditSortKey(audit)]; dup {
		return fmt.Errorf("promote filtered mail %s: audit entry %s: %w", f.SESMessageID, audit.ID, store.ErrExists)
	}
	s.filtered[k] = f
	s.audit[store.AuditSortKey(audit)] = audit
	return nil
}
