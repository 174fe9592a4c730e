package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// The desk clock (helpdesk.DeskClock): one item, moved by the search
// indexer once per stream batch that changed a ticket, read by every
// agent's console a few times a minute. Moving it is one UpdateItem (1
// WCU) per batch, not per ticket change, so it never sits in a ticket's
// transaction and never becomes a hot write.

type clockItem struct {
	keyAttrs
	helpdesk.DeskClock
}

// Tick moves the desk clock: its version up by one, its time to at
// unless it shows a later one already.
func (s *Store) Tick(ctx context.Context, at time.Time) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:        &s.table,
		Key:              itemKey(pkClock, skClock),
		UpdateExpression: aws.String("ADD version :one SET #at = :at"),
		// The time only goes forward (a late batch moves the version only).
		ConditionExpression:      aws.String("attribute_not_exists(#at) OR #at < :at"),
		ExpressionAttributeNames: map[string]string{"#at": "at"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":one": &types.AttributeValueMemberN{Value: "1"},
			":at":  &types.AttributeValueMemberS{Value: at.UTC().Format(time.RFC3339Nano)},
		},
	})
	var ccf *types.ConditionalCheckFailedException
	if errors.As(err, &ccf) {
		_, err = s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &s.table, Key: itemKey(pkClock, skClock),
			UpdateExpression:          aws.String("ADD version :one"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}},
		})
	}
	if err != nil {
		return fmt.Errorf("tick the desk clock: %w", translate(err))
	}
	return nil
}

// Clock reads the desk clock (eventually consistent: half a read unit; a
// poll that misses the latest tick sees it on the next). A desk that never
// changed has version 0.
func (s *Store) Clock(ctx context.Context) (helpdesk.DeskClock, error) {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: itemKey(pkClock, skClock)})
	if err != nil {
		return helpdesk.DeskClock{}, fmt.Errorf("read the desk clock: %w", translate(err))
	}
	var it clockItem
	if res.Item != nil {
		if err := attributevalue.UnmarshalMap(res.Item, &it); err != nil {
			return helpdesk.DeskClock{}, fmt.Errorf("read the desk clock: %w", err)
		}
	}
	it.At = it.At.UTC()
	return it.DeskClock, nil
}
