package memstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// This file holds saved replies (snippets) and the email channels replies
// to form tickets are sent from.

// GetSavedReply reads a saved reply, or ErrNotFound.
func (s *Store) GetSavedReply(ctx context.Context, id string) (helpdesk.SavedReply, error) {
	return get(s, s.snippetMap(), "saved reply", id)
}

// PutSavedReply creates or replaces a saved reply.
func (s *Store) PutSavedReply(ctx context.Context, r helpdesk.SavedReply) error {
	return put(s, s.snippetMap(), r.ID, r)
}

// DeleteSavedReply deletes a saved reply; ErrNotFound if there is none.
func (s *Store) DeleteSavedReply(ctx context.Context, id string) error {
	m := s.snippetMap()
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := m[id]; !ok {
		return fmt.Errorf("delete saved reply %s: saved reply %s: %w", id, id, store.ErrNotFound)
	}
	delete(m, id)
	return nil
}

// ListSavedReplies returns every saved reply, by name then id.
func (s *Store) ListSavedReplies(ctx context.Context) ([]helpdesk.SavedReply, error) {
	m := s.snippetMap()
	s.mu.Lock()
	all := slices.Collect(maps.Values(m))
	s.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].Name+"#"+all[i].ID < all[j].Name+"#"+all[j].ID })
	out, err := copyAll(all)
	if out == nil {
		out = []helpdesk.SavedReply{}
	}
	return out, err
}

// EmailChannels returns the tenant's email channels, by id.
func (s *Store) EmailChannels(ctx context.Context) ([]helpdesk.Channel, error) {
	s.mu.Lock()
	var all []helpdesk.Channel
	for _, c := range s.channels {
		if c.Kind == helpdesk.ChannelEmail {
			all = append(all, c)
		}
	}
	s.mu.Unlock()
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	out, err := copyAll(all)
	if out == nil {
		out = []helpdesk.Channel{}
	}
	return out, err
}

// snippetMap is the saved replies, made on first use.
func (s *Store) snippetMap() map[string]helpdesk.SavedReply {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.snippets == nil {
		s.snippets = map[string]helpdesk.SavedReply{}
	}
	return s.snippets
}
