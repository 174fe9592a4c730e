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

// This file holds what the customer portal's read side adds to the store
// (issue 14): a contact's last portal visit, and the search index's
// records of which terms a ticket has, read for a customer's own tickets.

// SetPortalVisit records contactID's last portal visit at at, in one
// attribute, sortAt (sortTime: fixed width, so the condition's text order
// is time order, and lossless to the nanosecond, so it is also what
// PortalVisit reads). An older visit never replaces a newer one (two tabs,
// a retried request): the write is conditional, and losing it is not an
// error. Items written before also hold the same time as "at"; it is no
// longer read or written.
func (s *Store) SetPortalVisit(ctx context.Context, contactID string, at time.Time) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       itemKey(portalVisitPK(contactID), skPortalVisit),
		UpdateExpression:          aws.String("SET sortAt = :sort"),
		ConditionExpression:       aws.String("attribute_not_exists(sortAt) OR sortAt < :sort"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":sort": &types.AttributeValueMemberS{Value: sortTime(at)}},
	})
	var failed *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &failed) {
		return fmt.Errorf("portal visit of %s: %w", contactID, translate(err))
	}
	return nil
}

// PortalVisit returns contactID's last portal visit (zero: never). One
// eventually consistent GetItem: a badge a second behind is harmless.
func (s *Store) PortalVisit(ctx context.Context, contactID string) (time.Time, error) {
	res, err := s.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: itemKey(portalVisitPK(contactID), skPortalVisit)})
	if err != nil {
		return time.Time{}, fmt.Errorf("portal visit of %s: %w", contactID, translate(err))
	}
	if res.Item == nil {
		return time.Time{}, nil
	}
	at, ok := res.Item["sortAt"].(*types.AttributeValueMemberS)
	if !ok {
		return time.Time{}, fmt.Errorf("portal visit of %s: no time", contactID)
	}
	t, err := time.Parse(helpdesk.SortTimeLayout, at.Value)
	if err != nil {
		return time.Time{}, fmt.Errorf("portal visit of %s: %w", contactID, err)
	}
	return t, nil
}

// TicketTermHashes returns the search index's record of the terms each of
// ids has (TermHash values, sorted; a ticket not indexed yet is left out):
// one eventually consistent BatchGetItem per 100 tickets, so a customer's
// own tickets are searched at a cost bounded by their number, whatever the
// tenant's size.
func (s *Store) TicketTermHashes(ctx context.Context, ids []string) (map[string][]uint32, error) {
	out := make(map[string][]uint32, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	keys := make([][2]string, len(ids))
	for i, id := range ids {
		keys[i] = [2]string{termsPK(id), skTerms}
	}
	items, err := s.batchRead(ctx, keys, false)
	if err != nil {
		return nil, fmt.Errorf("term records: %w", err)
	}
	for _, it := range items {
		var rec termsItem
		if err := attributevalue.UnmarshalMap(it, &rec); err != nil {
			return nil, fmt.Errorf("decode term record: %w", err)
		}
		if id, ok := ticketOfTermsPK(rec.PK); ok {
			out[id] = decodeHashes(rec.Hashes)
		}
	}
	return out, nil
}
