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
)

// numberItem is the ticket number one inbound message took: a delivery
// that fails after taking a number and is retried reads it back instead of
// taking another (ticket numbers are what customers quote; SQS retries up
// to five times). It expires with the message's dedupe record.
type numberItem struct {
	keyAttrs
	Number    string    `dynamodbav:"number"`
	TakenAt   time.Time `dynamodbav:"takenAt"`
	ExpiresAt int64     `dynamodbav:"expiresAt"`
}

// ReserveTicketNumber returns the ticket number reserved for the inbound
// message with the given dedupe key, taking the next one from the counter
// on its first call. Concurrent first calls agree on one number (the
// loser's is skipped, as any number a lost race takes).
func (s *Store) ReserveTicketNumber(ctx context.Context, dedupeKey string) (string, error) {
	var it numberItem
	err := s.get(ctx, numberPK(dedupeKey), skNumber, &it)
	if err == nil {
		return it.Number, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return "", fmt.Errorf("reserve ticket number: %w", err)
	}
	id, err := s.NextTicketNumber(ctx)
	if err != nil {
		return "", err
	}
	now := s.now()
	av, err := attributevalue.MarshalMap(numberItem{keyAttrs: keyAttrs{PK: numberPK(dedupeKey), SK: skNumber},
		Number: id, TakenAt: now, ExpiresAt: now.Add(DedupeTTL).Unix()})
	if err != nil {
		return "", fmt.Errorf("encode number reservation: %w", err)
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: av,
		ConditionExpression: aws.String("attribute_not_exists(PK)")})
	var cond *types.ConditionalCheckFailedException
	if errors.As(err, &cond) {
		// Another delivery of the same message reserved first: use its number.
		if err := s.get(ctx, numberPK(dedupeKey), skNumber, &it); err != nil {
			return "", fmt.Errorf("reserve ticket number: %w", err)
		}
		return it.Number, nil
	}
	if err != nil {
		return "", fmt.Errorf("reserve ticket number: %w", translate(err))
	}
	return id, nil
}
