package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// This file is the storage side of the transactional outbox: jobs a change
// commits in its ticket (Ticket.Outbox), cleared once published, and the
// sparse index (GSI5) the relay sweeps for jobs whose committer died
// before publishing them.

// PendingOutbox returns the queue jobs a ticket committed but has not yet
// seen published.
func (s *Store) PendingOutbox(ctx context.Context, ticketID string) (map[string]string, error) {
	it, err := s.getTicketItem(ctx, ticketID)
	if err != nil {
		return nil, err
	}
	return it.Outbox, nil
}

// ClearOutbox removes published jobs from a ticket's outbox and, once it is
// empty, takes the ticket out of the outbox index. It leaves the version
// alone: the entries are gone whatever else changed.
func (s *Store) ClearOutbox(ctx context.Context, ticketID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	names := map[string]string{"#o": "outbox"}
	var rm []string
	for i, id := range ids {
		k := "#k" + strconv.Itoa(i)
		names[k] = id
		rm = append(rm, "#o."+k)
	}
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &s.table,
		Key:                      itemKey(ticketPK(ticketID), skTicket),
		UpdateExpression:         aws.String("REMOVE " + strings.Join(rm, ", ")),
		ConditionExpression:      aws.String("attribute_exists(#o)"),
		ExpressionAttributeNames: names,
		ReturnValues:             types.ReturnValueAllNew,
	})
	var cond *types.ConditionalCheckFailedException
	if errors.As(err, &cond) {
		return nil // already cleared, or the ticket is gone
	}
	if err != nil {
		return fmt.Errorf("clear outbox of %s: %w", ticketID, translate(err))
	}
	if o, ok := out.Attributes["outbox"].(*types.AttributeValueMemberM); ok && len(o.Value) > 0 {
		return nil // jobs committed since are still pending
	}
	return s.LeaveOutboxIndex(ctx, ticketID)
}

// LeaveOutboxIndex takes a ticket whose outbox is empty out of the index
// (ClearOutbox does it once the outbox empties; the relay does it for a
// ticket whose clearer died in between). If a change committed new jobs
// meanwhile, the condition keeps it in.
func (s *Store) LeaveOutboxIndex(ctx context.Context, ticketID string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       itemKey(ticketPK(ticketID), skTicket),
		UpdateExpression:          aws.String("REMOVE GSI5PK, GSI5SK, #o, outboxAt"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND (attribute_not_exists(#o) OR size(#o) = :zero)"),
		ExpressionAttributeNames:  map[string]string{"#o": "outbox"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":zero": &types.AttributeValueMemberN{Value: "0"}},
	})
	var cond *types.ConditionalCheckFailedException
	if err != nil && !errors.As(err, &cond) {
		return fmt.Errorf("clear outbox of %s: %w", ticketID, translate(err))
	}
	return nil
}

// PendingOutboxes lists up to limit tickets whose outbox has held jobs
// since before `before`, oldest first, after the position `after` (the
// `last` of the previous page; "" from the start). It returns the position
// of its last ticket, to page on.
func (s *Store) PendingOutboxes(ctx context.Context, before time.Time, after string, limit int32) (ids []string, last string, err error) {
	cond := "GSI5PK = :pk AND GSI5SK < :before"
	values := map[string]types.AttributeValue{
		":pk":     &types.AttributeValueMemberS{Value: outboxPK},
		":before": &types.AttributeValueMemberS{Value: sortTime(before)},
	}
	if after != "" {
		// BETWEEN is inclusive: after+"\x00" is the first key past after.
		cond = "GSI5PK = :pk AND GSI5SK BETWEEN :after AND :before"
		values[":after"] = &types.AttributeValueMemberS{Value: after + "\x00"}
	}
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(IndexOutbox),
		KeyConditionExpression:    aws.String(cond),
		ExpressionAttributeValues: values,
		Limit:                     aws.Int32(limit),
	})
	if err != nil {
		return nil, "", fmt.Errorf("pending outboxes: %w", translate(err))
	}
	ids = make([]string, 0, len(out.Items))
	for _, it := range out.Items {
		pk, _ := it[attrPK].(*types.AttributeValueMemberS)
		sk, _ := it["GSI5SK"].(*types.AttributeValueMemberS)
		if pk != nil && sk != nil {
			ids, last = append(ids, strings.TrimPrefix(pk.Value, "TICKET#")), sk.Value
		}
	}
	return ids, last, nil
}
