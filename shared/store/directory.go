package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

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
	av, err := entityItem(keys, v)
	if err != nil {
		return err
	}
	return s.put(ctx, av)
}

// createEntity writes a domain value under keys unless an item is there
// already, in which case it leaves it as it is and returns ErrExists.
func (s *Store) createEntity(ctx context.Context, keys keyAttrs, v any) error {
	av, err := entityItem(keys, v)
	if err != nil {
		return err
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av,
		ConditionExpression: aws.String("attribute_not_exists(PK)")})
	var exists *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &exists):
		return fmt.Errorf("create %s: %w", keys.PK, ErrExists)
	case err != nil:
		return fmt.Errorf("create %s: %w", keys.PK, translate(err))
	}
	return nil
}

// entityItem encodes a domain value with its key attributes.
func entityItem(keys keyAttrs, v any) (map[string]types.AttributeValue, error) {
	av, err := attributevalue.MarshalMap(v)
	if err != nil {
		return nil, fmt.Errorf("encode %T: %w", v, err)
	}
	kv, err := attributevalue.MarshalMap(keys)
	if err != nil {
		return nil, fmt.Errorf("encode keys: %w", err)
	}
	for k, x := range kv {
		av[k] = x
	}
	return av, nil
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
	return s.putEntity(ctx, channelKeys(c), c)
}

// CreateChannel creates a channel, or returns ErrExists and keeps the stored one.
func (s *Store) CreateChannel(ctx context.Context, c helpdesk.Channel) error {
	return s.createEntity(ctx, channelKeys(c), c)
}

func channelKeys(c helpdesk.Channel) keyAttrs {
	return keyAttrs{PK: channelPK(c.ID), SK: skChannel, GSI3PK: listChannels, GSI3SK: c.ID}
}

// GetAgent reads an agent's profile.
func (s *Store) GetAgent(ctx context.Context, id string) (helpdesk.Agent, error) {
	return getEntity[helpdesk.Agent](ctx, s, "agent", id, agentPK(id), skAgent)
}

// PutAgent creates or replaces an agent's profile.
func (s *Store) PutAgent(ctx context.Context, a helpdesk.Agent) error {
	return s.putEntity(ctx, agentKeys(a), a)
}

// CreateAgent creates an agent's profile, or returns ErrExists and keeps the stored one.
func (s *Store) CreateAgent(ctx context.Context, a helpdesk.Agent) error {
	return s.createEntity(ctx, agentKeys(a), a)
}

func agentKeys(a helpdesk.Agent) keyAttrs {
	k := keyAttrs{PK: agentPK(a.ID), SK: skAgent, GSI3PK: "AGENTS", GSI3SK: a.Name + "#" + a.ID}
	if a.Sub != "" {
		k.GSI4PK, k.GSI4SK = agentSubPK(a.Sub), skAgent
	}
	return k
}

// SetAway sets an agent's manual availability (away or available), and
// nothing else (setAgentField).
func (s *Store) SetAway(ctx context.Context, agentID string, away bool) (helpdesk.Agent, error) {
	return s.setAgentField(ctx, agentID, "availability.away", &types.AttributeValueMemberBOOL{Value: away}, "set availability")
}

// SetSignedOut records that an agent signed out at at: tokens issued
// before it are refused (setAgentField).
func (s *Store) SetSignedOut(ctx context.Context, agentID string, at time.Time) (helpdesk.Agent, error) {
	return s.setAgentField(ctx, agentID, "signedOutAt", &types.AttributeValueMemberS{Value: at.UTC().Format(time.RFC3339Nano)}, "sign out")
}

// SetNotifyPrefs sets an agent's notification preferences, and nothing
// else (setAgentField).
func (s *Store) SetNotifyPrefs(ctx context.Context, agentID string, prefs helpdesk.NotifyPrefs) (helpdesk.Agent, error) {
	av, err := attributevalue.Marshal(prefs)
	if err != nil {
		return helpdesk.Agent{}, fmt.Errorf("encode preferences: %w", err)
	}
	return s.setAgentField(ctx, agentID, "notify", av, "set notification preferences")
}

// setAgentField sets one attribute an agent changes themselves (path is a
// top-level name or a.b) and bumps the record's version: it cannot undo an
// admin's concurrent edit of the record, and an admin's edit decided
// before it is refused rather than undoing it.
func (s *Store) setAgentField(ctx context.Context, agentID, path string, value types.AttributeValue, what string) (helpdesk.Agent, error) {
	names := map[string]string{}
	var parts []string
	for i, p := range strings.Split(path, ".") {
		n := fmt.Sprintf("#f%d", i)
		names[n] = p
		parts = append(parts, n)
	}
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       itemKey(agentPK(agentID), skAgent),
		UpdateExpression:          aws.String("SET " + strings.Join(parts, ".") + " = :v ADD version :one"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: map[string]types.AttributeValue{":v": value, ":one": versionValue(1)},
		ReturnValues:              types.ReturnValueAllNew,
	})
	var cond *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &cond):
		return helpdesk.Agent{}, fmt.Errorf("agent %s: %w", agentID, ErrNotFound)
	case err != nil:
		return helpdesk.Agent{}, fmt.Errorf("%s of %s: %w", what, agentID, translate(err))
	}
	var a helpdesk.Agent
	if err := attributevalue.UnmarshalMap(out.Attributes, &a); err != nil {
		return a, fmt.Errorf("decode agent %s: %w", agentID, err)
	}
	return a, nil
}

// FindAgentBySub returns the agent whose identity in the stack's user pool
// is sub (the token's "sub"), or ErrNotFound. The index is eventually
// consistent: a user invited a second ago may not be found yet.
func (s *Store) FindAgentBySub(ctx context.Context, sub string) (helpdesk.Agent, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(IndexContact),
		KeyConditionExpression:    aws.String("GSI4PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: agentSubPK(sub)}},
		Limit:                     aws.Int32(1),
	})
	if err != nil {
		return helpdesk.Agent{}, fmt.Errorf("agent of %s: %w", sub, translate(err))
	}
	if len(out.Items) == 0 {
		return helpdesk.Agent{}, fmt.Errorf("agent of %s: %w", sub, ErrNotFound)
	}
	var a helpdesk.Agent
	if err := attributevalue.UnmarshalMap(out.Items[0], &a); err != nil {
		return a, fmt.Errorf("decode agent of %s: %w", sub, err)
	}
	return a, nil
}

// ListTeams returns every team, by name.
func (s *Store) ListTeams(ctx context.Context) ([]helpdesk.Team, error) {
	return listPartition[helpdesk.Team](ctx, s, "TEAMS")
}

// PutTeam creates or replaces a team.
func (s *Store) PutTeam(ctx context.Context, t helpdesk.Team) error {
	return s.putEntity(ctx, teamKeys(t), t)
}

// CreateTeam creates a team, or returns ErrExists and keeps the stored one.
func (s *Store) CreateTeam(ctx context.Context, t helpdesk.Team) error {
	return s.createEntity(ctx, teamKeys(t), t)
}

func teamKeys(t helpdesk.Team) keyAttrs {
	return keyAttrs{PK: teamPK(t.ID), SK: skTeam, GSI3PK: "TEAMS", GSI3SK: t.Name + "#" + t.ID}
}
