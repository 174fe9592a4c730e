package store

import (
	"context"
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

// The customer portal's items (keys.go): single-use grants, revocable
// sessions and rate counters. DynamoDB's TTL deletes lazily (up to days
// late), so every read and condition checks the expiry itself.

type portalGrantItem struct {
	keyAttrs
	helpdesk.PortalGrant
	ExpiresAt int64 `dynamodbav:"expiresAt"`
}

type portalSessionItem struct {
	keyAttrs
	helpdesk.PortalSession
	ExpiresAt int64 `dynamodbav:"expiresAt"`
	Revoked   bool  `dynamodbav:"revoked,omitempty"`
}

// PutPortalGrant stores a grant under the hash of its secret.
func (s *Store) PutPortalGrant(ctx context.Context, hash string, g helpdesk.PortalGrant) error {
	av, err := attributevalue.MarshalMap(portalGrantItem{keyAttrs: keyAttrs{PK: portalGrantPK(hash), SK: skPortalGrant},
		PortalGrant: g, ExpiresAt: g.ExpiresAt.Unix()})
	if err != nil {
		return fmt.Errorf("encode portal grant: %w", err)
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av}); err != nil {
		return fmt.Errorf("put portal grant: %w", translate(err))
	}
	return nil
}

// ConsumePortalGrant marks the grant with this hash used and returns it,
// if it is there, unused and not expired at now. The write is conditional,
// so of two concurrent uses exactly one gets the grant; the other, like an
// unknown, used or expired one, gets ErrNotFound. (Marked, not deleted:
// the table's client has no DeleteItem, and TTL removes it.)
func (s *Store) ConsumePortalGrant(ctx context.Context, hash string, now time.Time) (helpdesk.PortalGrant, error) {
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           &s.table,
		Key:                 itemKey(portalGrantPK(hash), skPortalGrant),
		UpdateExpression:    aws.String("SET usedAt = :now"),
		ConditionExpression: aws.String("attribute_exists(PK) AND attribute_not_exists(usedAt) AND expiresAt > :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)}},
		ReturnValues: types.ReturnValueAllNew,
	})
	var cond *types.ConditionalCheckFailedException
	if errors.As(err, &cond) {
		return helpdesk.PortalGrant{}, ErrNotFound
	}
	if err != nil {
		return helpdesk.PortalGrant{}, fmt.Errorf("consume portal grant: %w", translate(err))
	}
	var it portalGrantItem
	if err := attributevalue.UnmarshalMap(out.Attributes, &it); err != nil {
		return helpdesk.PortalGrant{}, fmt.Errorf("decode portal grant: %w", err)
	}
	return it.PortalGrant, nil
}

// PutPortalSession stores a session under the hash of its id.
func (s *Store) PutPortalSession(ctx context.Context, hash string, ps helpdesk.PortalSession) error {
	av, err := attributevalue.MarshalMap(portalSessionItem{keyAttrs: keyAttrs{PK: portalSessionPK(hash), SK: skPortalSession},
		PortalSession: ps, ExpiresAt: ps.ExpiresAt.Unix()})
	if err != nil {
		return fmt.Errorf("encode portal session: %w", err)
	}
	if _, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av,
		ConditionExpression: aws.String("attribute_not_exists(PK)")}); err != nil {
		return fmt.Errorf("put portal session: %w", translate(err))
	}
	return nil
}

// GetPortalSession returns the session with this hash; ErrNotFound when
// there is none or it has expired at now.
func (s *Store) GetPortalSession(ctx context.Context, hash string, now time.Time) (helpdesk.PortalSession, error) {
	var it portalSessionItem
	if err := s.get(ctx, portalSessionPK(hash), skPortalSession, &it); err != nil {
		return helpdesk.PortalSession{}, err
	}
	if it.Revoked || !now.Before(it.PortalSession.ExpiresAt) {
		return helpdesk.PortalSession{}, ErrNotFound
	}
	return it.PortalSession, nil
}

// DeletePortalSession revokes the session with this hash (done if it is
// not there): it is marked revoked, and TTL removes it.
func (s *Store) DeletePortalSession(ctx context.Context, hash string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table,
		Key:                       itemKey(portalSessionPK(hash), skPortalSession),
		UpdateExpression:          aws.String("SET revoked = :t"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":t": &types.AttributeValueMemberBOOL{Value: true}}})
	var cond *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &cond) {
		return fmt.Errorf("revoke portal session: %w", translate(err))
	}
	return nil
}

// CountRate adds one to the counter of scope in the window starting at
// window and returns the count so far; the counter expires at expires.
func (s *Store) CountRate(ctx context.Context, scope string, window, expires time.Time) (int64, error) {
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        &s.table,
		Key:              itemKey(ratePK(scope, window), skRate),
		UpdateExpression: aws.String("ADD hits :one SET expiresAt = :exp"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": &types.AttributeValueMemberN{Value: "1"},
			":exp": &types.AttributeValueMemberN{Value: strconv.FormatInt(expires.Unix(), 10)},
		},
		ReturnValues: types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return 0, fmt.Errorf("count rate %s: %w", scope, translate(err))
	}
	var got struct {
		Hits int64 `dynamodbav:"hits"`
	}
	if err := attributevalue.UnmarshalMap(out.Attributes, &got); err != nil {
		return 0, fmt.Errorf("decode rate %s: %w", scope, err)
	}
	return got.Hits, nil
}
