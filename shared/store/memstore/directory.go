package memstore

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// This file holds the tenant's directory: contacts, channels, agents, teams.

// get reads one entity of m as its own copy, or ErrNotFound.
func get[T any](s *Store, m map[string]T, kind, id string) (T, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := m[id]
	if !ok {
		var zero T
		return zero, fmt.Errorf("%s %s: %w", kind, id, store.ErrNotFound)
	}
	return copyOf(v)
}

// put stores a copy of v under id, replacing what was there.
func put[T any](s *Store, m map[string]T, id string, v T) error {
	c, err := copyOf(v)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m[id] = c
	return nil
}

// create stores a copy of v under id unless something is there already,
// which it keeps, returning store.ErrExists (pk names the item, as the
// DynamoDB store's error does).
func create[T any](s *Store, m map[string]T, pk, id string, v T) error {
	c, err := copyOf(v)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := m[id]; ok {
		return fmt.Errorf("create %s: %w", pk+id, store.ErrExists)
	}
	m[id] = c
	return nil
}

// FindContactID returns the contact id registered for a sender key (see
// helpdesk.Sender.Key), or ErrNotFound.
func (s *Store) FindContactID(ctx context.Context, senderKey string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.contactKeys[senderKey]
	if !ok {
		return "", store.ErrNotFound
	}
	return id, nil
}

// GetContact reads a contact.
func (s *Store) GetContact(ctx context.Context, id string) (helpdesk.Contact, error) {
	return get(s, s.contacts, "contact", id)
}

// CreateContact creates a contact and its lookup key; ErrContactTaken if
// the key (or the contact id) is taken.
func (s *Store) CreateContact(ctx context.Context, c helpdesk.Contact, senderKey string) error {
	cc, err := copyOf(c)
	if err != nil {
		return fmt.Errorf("create contact %s: %w", c.ID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	_, idTaken := s.contacts[c.ID]
	_, keyTaken := s.contactKeys[senderKey]
	if idTaken || keyTaken {
		return fmt.Errorf("create contact %s: %w", c.ID, store.ErrContactTaken)
	}
	s.contacts[c.ID] = cc
	s.contactKeys[senderKey] = c.ID
	return nil
}

// SetConsent records the consent a known contact gave; ErrNotFound for an
// unknown contact.
func (s *Store) SetConsent(ctx context.Context, contactID string, c helpdesk.Consent) error {
	cc, err := copyOf(c)
	if err != nil {
		return fmt.Errorf("set consent of %s: %w", contactID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	contact, ok := s.contacts[contactID]
	if !ok {
		return fmt.Errorf("set consent of %s: %w", contactID, store.ErrNotFound)
	}
	contact.Consent = &cc
	s.contacts[contactID] = contact
	return nil
}

// GetChannel reads a channel's configuration.
func (s *Store) GetChannel(ctx context.Context, id string) (helpdesk.Channel, error) {
	return get(s, s.channels, "channel", id)
}

// PutChannel creates or replaces a channel.
func (s *Store) PutChannel(ctx context.Context, c helpdesk.Channel) error {
	return put(s, s.channels, c.ID, c)
}

// CreateChannel creates a channel, or returns ErrExists and keeps the stored one.
func (s *Store) CreateChannel(ctx context.Context, c helpdesk.Channel) error {
	return create(s, s.channels, "CHANNEL#", c.ID, c)
}

// GetAgent reads an agent's profile.
func (s *Store) GetAgent(ctx context.Context, id string) (helpdesk.Agent, error) {
	return get(s, s.agents, "agent", id)
}

// PutAgent creates or replaces an agent's profile.
func (s *Store) PutAgent(ctx context.Context, a helpdesk.Agent) error {
	return put(s, s.agents, a.ID, a)
}

// CreateAgent creates an agent's profile, or returns ErrExists and keeps the stored one.
func (s *Store) CreateAgent(ctx context.Context, a helpdesk.Agent) error {
	return create(s, s.agents, "AGENT#", a.ID, a)
}

// GetAgents reads agent profiles; unknown ids are absent from the result.
func (s *Store) GetAgents(ctx context.Context, ids []string) (map[string]helpdesk.Agent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]helpdesk.Agent, len(ids))
	for _, id := range ids {
		a, ok := s.agents[id]
		if !ok {
			continue
		}
		c, err := copyOf(a)
		if err != nil {
			return nil, fmt.Errorf("read agents: %w", err)
		}
		out[c.ID] = c
	}
	return out, nil
}

// PutTeam creates or replaces a team.
func (s *Store) PutTeam(ctx context.Context, t helpdesk.Team) error {
	return put(s, s.teams, t.ID, t)
}

// CreateTeam creates a team, or returns ErrExists and keeps the stored one.
func (s *Store) CreateTeam(ctx context.Context, t helpdesk.Team) error {
	return create(s, s.teams, "TEAM#", t.ID, t)
}

// TeamMembers reads the member lists of teams; unknown teams are absent.
func (s *Store) TeamMembers(ctx context.Context, ids []string) (map[string][]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string][]string, len(ids))
	for _, id := range ids {
		t, ok := s.teams[id]
		if !ok {
			continue
		}
		c, err := copyOf(t)
		if err != nil {
			return nil, fmt.Errorf("read teams: %w", err)
		}
		out[c.ID] = c.MemberIDs
	}
	return out, nil
}

// FindAgentBySub returns the agent whose user-pool identity is sub, or ErrNotFound.
func (s *Store) FindAgentBySub(ctx context.Context, sub string) (helpdesk.Agent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range slices.Sorted(maps.Keys(s.agents)) {
		if a := s.agents[id]; sub != "" && a.Sub == sub {
			return copyOf(a)
		}
	}
	return helpdesk.Agent{}, fmt.Errorf("agent of %s: %w", sub, store.ErrNotFound)
}

// ListTeams returns every team, by name.
func (s *Store) ListTeams(ctx context.Context) ([]helpdesk.Team, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	teams := make([]helpdesk.Team, 0, len(s.teams))
	for _, t := range s.teams {
		c, err := copyOf(t)
		if err != nil {
			return nil, fmt.Errorf("list teams: %w", err)
		}
		teams = append(teams, c)
	}
	slices.SortFunc(teams, func(a, b helpdesk.Team) int { return strings.Compare(a.Name+"#"+a.ID, b.Name+"#"+b.ID) })
	return teams, nil
}

// SetAway sets an agent's manual availability and bumps the version, as
// the table's store does.
func (s *Store) SetAway(ctx context.Context, agentID string, away bool) (helpdesk.Agent, error) {
	return s.setAgent(agentID, func(a *helpdesk.Agent) { a.Availability.Away = away })
}

// SetSignedOut records an agent's sign-out, as the table's store does.
func (s *Store) SetSignedOut(ctx context.Context, agentID string, at time.Time) (helpdesk.Agent, error) {
	return s.setAgent(agentID, func(a *helpdesk.Agent) { a.SignedOutAt = at.UTC() })
}

// SetNotifyPrefs sets an agent's notification preferences and bumps the
// version, as the table's store does.
func (s *Store) SetNotifyPrefs(ctx context.Context, agentID string, prefs helpdesk.NotifyPrefs) (helpdesk.Agent, error) {
	p, err := copyOf(prefs)
	if err != nil {
		return helpdesk.Agent{}, err
	}
	return s.setAgent(agentID, func(a *helpdesk.Agent) { a.Notify = p })
}

// setAgent changes what an agent sets themselves, and the version.
func (s *Store) setAgent(agentID string, set func(*helpdesk.Agent)) (helpdesk.Agent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.agents[agentID]
	if !ok {
		return helpdesk.Agent{}, fmt.Errorf("agent %s: %w", agentID, store.ErrNotFound)
	}
	set(&a)
	a.Version++
	s.agents[agentID] = a
	return copyOf(a)
}
