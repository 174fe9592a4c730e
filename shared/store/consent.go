package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// This file holds what GDPR consent needs: messages held until a visitor
// agrees (deleted by TTL if they never do), the "consent asked" marker, and
// contacts created on their own with the consent they gave.

type heldItem struct {
	keyAttrs
	Message   string `dynamodbav:"message"` // the InboundMessage JSON, as queued
	ExpiresAt int64  `dynamodbav:"expiresAt"`
}

type askedItem struct {
	keyAttrs
	AskedAt   time.Time `dynamodbav:"askedAt"`
	ExpiresAt int64     `dynamodbav:"expiresAt"`
}

// HoldMessage keeps m, unticketed, until until (a redelivery overwrites it
// with itself).
func (s *Store) HoldMessage(ctx context.Context, m *helpdesk.InboundMessage, until time.Time) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("hold %s: %w", m.ProviderMessageID, err)
	}
	av, err := attributevalue.MarshalMap(heldItem{
		keyAttrs: keyAttrs{PK: holdPK(m.ChannelID, m.Sender.Key(m.Channel)), SK: heldSK(m.ReceivedAt, m.ProviderMessageID)},
		Message:  string(raw), ExpiresAt: until.Unix(),
	})
	if err != nil {
		return fmt.Errorf("hold %s: %w", m.ProviderMessageID, err)
	}
	if err := s.put(ctx, av); err != nil {
		return fmt.Errorf("hold %s: %w", m.ProviderMessageID, err)
	}
	return nil
}

// HeldMessages returns the messages a sender has waiting on a channel,
// oldest first, leaving out those expired at now (TTL deletes lazily).
func (s *Store) HeldMessages(ctx context.Context, channelID, senderKey string, now time.Time) ([]helpdesk.InboundMessage, error) {
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:              &s.table,
		ConsistentRead:         aws.Bool(true),
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :msg)"),
		FilterExpression:       aws.String("expiresAt > :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":  &types.AttributeValueMemberS{Value: holdPK(channelID, senderKey)},
			":msg": &types.AttributeValueMemberS{Value: skMsgPrefix},
			":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)},
		},
	})
	var out []helpdesk.InboundMessage
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("held messages of %s: %w", senderKey, translate(err))
		}
		var items []heldItem
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, fmt.Errorf("held messages of %s: %w", senderKey, err)
		}
		for _, it := range items {
			var m helpdesk.InboundMessage
			if err := json.Unmarshal([]byte(it.Message), &m); err != nil {
				return nil, fmt.Errorf("held message %s: %w", it.SK, err)
			}
			out = append(out, m)
		}
	}
	return out, nil
}

// ReleaseHeld deletes everything held for a sender (messages and marker),
// once the messages are ticketed.
func (s *Store) ReleaseHeld(ctx context.Context, channelID, senderKey string) error {
	return s.deletePartition(ctx, holdPK(channelID, senderKey))
}

// ConsentAsked reports whether the sender was asked for consent and the
// question has not expired at now.
func (s *Store) ConsentAsked(ctx context.Context, channelID, senderKey string, now time.Time) (bool, error) {
	var it askedItem
	err := s.get(ctx, holdPK(channelID, senderKey), skAsked, &it)
	switch {
	case errors.Is(err, ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("consent asked of %s: %w", senderKey, err)
	}
	return it.ExpiresAt > now.Unix(), nil
}

// MarkConsentAsked records that the sender was asked, until until.
func (s *Store) MarkConsentAsked(ctx context.Context, channelID, senderKey string, at, until time.Time) error {
	av, err := attributevalue.MarshalMap(askedItem{
		keyAttrs: keyAttrs{PK: holdPK(channelID, senderKey), SK: skAsked}, AskedAt: at.UTC(), ExpiresAt: until.Unix(),
	})
	if err == nil {
		err = s.put(ctx, av)
	}
	if err != nil {
		return fmt.Errorf("mark consent asked of %s: %w", senderKey, err)
	}
	return nil
}

// CreateContact creates a contact and its lookup item under senderKey;
// ErrContactTaken if the key already has a contact.
func (s *Store) CreateContact(ctx context.Context, c helpdesk.Contact, senderKey string) error {
	var b txBuilder
	at := s.contactItems(&b, &c, senderKey)
	if b.err != nil {
		return fmt.Errorf("create contact %s: %w", c.ID, b.err)
	}
	err := s.transact(ctx, b.items, func(cn cancellation) error {
		if cn.failed[at] || cn.failed[0] {
			return ErrContactTaken
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create contact %s: %w", c.ID, err)
	}
	return nil
}

// SetConsent records the consent a known contact gave.
func (s *Store) SetConsent(ctx context.Context, contactID string, c helpdesk.Consent) error {
	v, err := attributevalue.Marshal(c)
	if err != nil {
		return fmt.Errorf("set consent of %s: %w", contactID, err)
	}
	_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       itemKey(contactPK(contactID), skContact),
		UpdateExpression:          aws.String("SET consent = :c"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": v},
	})
	var cond *types.ConditionalCheckFailedException
	if errors.As(err, &cond) {
		return fmt.Errorf("set consent of %s: %w", contactID, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("set consent of %s: %w", contactID, translate(err))
	}
	return nil
}
