package memstore

import (
	"context"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// The customer portal's items (store/portal.go), kept in a map of their
// own made on first use.
type portalState struct {
	grants   map[string]portalGrant
	sessions map[string]portalSession
	rates    map[string]int64 // scope + window → hits
}

type portalGrant struct {
	g    helpdesk.PortalGrant
	used bool
}

type portalSession struct {
	s       helpdesk.PortalSession
	revoked bool
}

func (s *Store) portalLocked() *portalState {
	if s.portal == nil {
		s.portal = &portalState{grants: map[string]portalGrant{}, sessions: map[string]portalSession{}, rates: map[string]int64{}}
	}
	return s.portal
}

// PutPortalGrant stores a grant under the hash of its secret.
func (s *Store) PutPortalGrant(_ context.Context, hash string, g helpdesk.PortalGrant) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.portalLocked().grants[hash] = portalGrant{g: g}
	return nil
}

// ConsumePortalGrant marks the grant used and returns it, once, while it
// has not expired (whole seconds, as the table's condition compares).
func (s *Store) ConsumePortalGrant(_ context.Context, hash string, now time.Time) (helpdesk.PortalGrant, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portalLocked()
	g, ok := p.grants[hash]
	if !ok || g.used || g.g.ExpiresAt.Unix() <= now.Unix() {
		return helpdesk.PortalGrant{}, helpdesk.ErrNotFound
	}
	g.used = true
	p.grants[hash] = g
	return g.g, nil
}

// PutPortalSession stores a new session under the hash of its id.
func (s *Store) PutPortalSession(_ context.Context, hash string, ps helpdesk.PortalSession) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portalLocked()
	if _, ok := p.sessions[hash]; ok {
		return helpdesk.Errorf(helpdesk.EConflict, "session_exists", "a session with this id exists")
	}
	p.sessions[hash] = portalSession{s: ps}
	return nil
}

// GetPortalSession returns a live session.
func (s *Store) GetPortalSession(_ context.Context, hash string, now time.Time) (helpdesk.PortalSession, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps, ok := s.portalLocked().sessions[hash]
	if !ok || ps.revoked || !now.Before(ps.s.ExpiresAt) {
		return helpdesk.PortalSession{}, helpdesk.ErrNotFound
	}
	return ps.s, nil
}

// DeletePortalSession revokes a session.
func (s *Store) DeletePortalSession(_ context.Context, hash string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portalLocked()
	if ps, ok := p.sessions[hash]; ok {
		ps.revoked = true
		p.sessions[hash] = ps
	}
	return nil
}

// CountRate adds one to a window's counter and returns it.
func (s *Store) CountRate(_ context.Context, scope string, window, _ time.Time) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.portalLocked()
	k := scope + "#" + helpdesk.SortTime(window)
	p.rates[k]++
	return p.rates[k], nil
}
