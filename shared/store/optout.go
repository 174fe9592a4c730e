package store

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// This file holds customers' opt-outs of notifications (issue 14).

type optOutItem struct {
	Kinds []string `dynamodbav:"kinds,stringset,omitempty"`
}

// OptOut records that contactID unsubscribed from kind: one UpdateItem
// adding it to the contact's set, so a repeated click changes nothing.
func (s *Store) OptOut(ctx context.Context, contactID string, kind helpdesk.CustomerNotifyKind) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       itemKey(optOutPK(contactID), skOptOut),
		UpdateExpression:          aws.String("ADD kinds :k"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":k": &types.AttributeValueMemberSS{Value: []string{string(kind)}}},
	})
	if err != nil {
		return fmt.Errorf("opt %s out of %s: %w", contactID, kind, translate(err))
	}
	return nil
}

// OptOuts returns the kinds contactID unsubscribed from, sorted (none: empty).
func (s *Store) OptOuts(ctx context.Context, contactID string) ([]helpdesk.CustomerNotifyKind, error) {
	var it optOutItem
	err := s.get(ctx, optOutPK(contactID), skOptOut, &it)
	switch {
	case errors.Is(err, ErrNotFound):
		return []helpdesk.CustomerNotifyKind{}, nil
	case err != nil:
		return nil, fmt.Errorf("opt-outs of %s: %w", contactID, err)
	}
	slices.Sort(it.Kinds)
	out := make([]helpdesk.CustomerNotifyKind, len(it.Kinds))
	for i, k := range it.Kinds {
		out[i] = helpdesk.CustomerNotifyKind(k)
	}
	return out, nil
}
