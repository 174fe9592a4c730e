package store

import (
	"context"
	"fmt"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// This file holds the tenant's directory: contacts, channels, agents, teams.

type contactItem struct {
	keyAttrs
	helpdesk.Contact
}

type contactKeyItem struct {
	keyAttrs
	Key       string `dynamodbav:"key"`
	ContactID string `dynamodbav:"contactId"`
}

// FindContactID returns the contact id registered for a sender key (see
// helpdesk.Sender.Key), or ErrNotFound.
func (s *Store) FindContactID(ctx context.Context, senderKey string) (string, error) {
	var it contactKeyItem
	if err := s.get(ctx, contactKeyPK(senderKey), skContactKey, &it); err != nil {
		return "", err
	}
	return it.ContactID, nil
}

// GetContact reads a contact.
func (s *Store) GetContact(ctx context.Context, id string) (helpdesk.Contact, error) {
	var it contactItem
	if err := s.get(ctx, contactPK(id), skContact, &it); err != nil {
		return helpdesk.Contact{}, fmt.Errorf("contact %s: %w", id, err)
	}
	return it.Contact, nil
}

type channelItem struct {
	keyAttrs
	helpdesk.Channel
}

// GetChannel reads a channel's configuration.
func (s *Store) GetChannel(ctx context.Context, id string) (helpdesk.Channel, error) {
	var it channelItem
	if err := s.get(ctx, channelPK(id), skChannel, &it); err != nil {
		return helpdesk.Channel{}, fmt.Errorf("channel %s: %w", id, err)
	}
	return it.Channel, nil
}

// PutChannel creates or replaces a channel.
func (s *Store) PutChannel(ctx context.Context, c helpdesk.Channel) error {
	return s.put(ctx, channelItem{
		keyAttrs: keyAttrs{PK: channelPK(c.ID), SK: skChannel, GSI3PK: "CHANNELS", GSI3SK: c.ID},
		Channel:  c,
	})
}

type agentItem struct {
	keyAttrs
	helpdesk.Agent
}

// PutAgent creates or replaces an agent's profile.
func (s *Store) PutAgent(ctx context.Context, a helpdesk.Agent) error {
	return s.put(ctx, agentItem{
		keyAttrs: keyAttrs{PK: agentPK(a.ID), SK: skAgent, GSI3PK: "AGENTS", GSI3SK: a.Name + "#" + a.ID},
		Agent:    a,
	})
}

// GetAgent reads an agent's profile.
func (s *Store) GetAgent(ctx context.Context, id string) (helpdesk.Agent, error) {
	var it agentItem
	if err := s.get(ctx, agentPK(id), skAgent, &it); err != nil {
		return helpdesk.Agent{}, fmt.Errorf("agent %s: %w", id, err)
	}
	return it.Agent, nil
}

type teamItem struct {
	keyAttrs
	helpdesk.Team
}

// PutTeam creates or replaces a team.
func (s *Store) PutTeam(ctx context.Context, t helpdesk.Team) error {
	return s.put(ctx, teamItem{
		keyAttrs: keyAttrs{PK: teamPK(t.ID), SK: skTeam, GSI3PK: "TEAMS", GSI3SK: t.Name + "#" + t.ID},
		Team:     t,
	})
}

// GetTeam reads a team.
func (s *Store) GetTeam(ctx context.Context, id string) (helpdesk.Team, error) {
	var it teamItem
	if err := s.get(ctx, teamPK(id), skTeam, &it); err != nil {
		return helpdesk.Team{}, fmt.Errorf("team %s: %w", id, err)
	}
	return it.Team, nil
}
