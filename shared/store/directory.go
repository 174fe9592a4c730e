package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"

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

// getEntity reads one item into a domain value; key attributes are ignored.
func getEntity[T any](ctx context.Context, s *Store, kind, id, pk, sk string) (T, error) {
	var v T
	if err := s.get(ctx, pk, sk, &v); err != nil {
		return v, fmt.Errorf("%s %s: %w", kind, id, err)
	}
	return v, nil
}

// putEntity writes a domain value under keys, replacing what was there.
func (s *Store) putEntity(ctx context.Context, keys keyAttrs, v any) error {
	av, err := attributevalue.MarshalMap(v)
	if err != nil {
		return fmt.Errorf("encode %T: %w", v, err)
	}
	kv, err := attributevalue.MarshalMap(keys)
	if err != nil {
		return fmt.Errorf("encode keys: %w", err)
	}
	for k, x := range kv {
		av[k] = x
	}
	return s.put(ctx, av)
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
	return getEntity[helpdesk.Contact](ctx, s, "contact", id, contactPK(id), skContact)
}

// GetChannel reads a channel's configuration.
func (s *Store) GetChannel(ctx context.Context, id string) (helpdesk.Channel, error) {
	return getEntity[helpdesk.Channel](ctx, s, "channel", id, channelPK(id), skChannel)
}

// PutChannel creates or replaces a channel.
func (s *Store) PutChannel(ctx context.Context, c helpdesk.Channel) error {
	return s.putEntity(ctx, keyAttrs{PK: channelPK(c.ID), SK: skChannel, GSI3PK: "CHANNELS", GSI3SK: c.ID}, c)
}

// GetAgent reads an agent's profile.
func (s *Store) GetAgent(ctx context.Context, id string) (helpdesk.Agent, error) {
	return getEntity[helpdesk.Agent](ctx, s, "agent", id, agentPK(id), skAgent)
}

// PutAgent creates or replaces an agent's profile.
func (s *Store) PutAgent(ctx context.Context, a helpdesk.Agent) error {
	return s.putEntity(ctx, keyAttrs{PK: agentPK(a.ID), SK: skAgent, GSI3PK: "AGENTS", GSI3SK: a.Name + "#" + a.ID}, a)
}

// PutTeam creates or replaces a team.
func (s *Store) PutTeam(ctx context.Context, t helpdesk.Team) error {
	return s.putEntity(ctx, keyAttrs{PK: teamPK(t.ID), SK: skTeam, GSI3PK: "TEAMS", GSI3SK: t.Name + "#" + t.ID}, t)
}
