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
	"github.com/stackdesk/stackdesk/shared/platform/retry"
)

type activityItem struct {
	keyAttrs
	helpdesk.Activity
}

type notificationItem struct {
	keyAttrs
	helpdesk.Notification
	ExpiresAt int64 `dynamodbav:"expiresAt"`
}

func notificationPK(recipient string) string { return "NOTIFY#" + recipient }

// maxUpdateRounds bounds re-reads when concurrent writers keep winning.
const maxUpdateRounds = 10

// rereadUntilWritten runs attempt (read, decide, conditional write) again
// while it loses to a concurrent writer, up to maxUpdateRounds times.
func rereadUntilWritten(ctx context.Context, attempt func() error) error {
	return retry.While(ctx, maxUpdateRounds, 5*time.Millisecond, func(err error) bool {
		return errors.Is(err, ErrVersionChanged) || errors.Is(err, ErrContention)
	}, attempt)
}

// GetTicketHeader reads a ticket without its conversation.
func (s *Store) GetTicketHeader(ctx context.Context, id string) (helpdesk.Ticket, error) {
	it, err := s.getTicketItem(ctx, id)
	return it.Ticket, err
}

func (s *Store) getTicketItem(ctx context.Context, id string) (ticketItem, error) {
	var it ticketItem
	if err := s.get(ctx, ticketPK(id), skTicket, &it); err != nil {
		return it, fmt.Errorf("ticket %s: %w", id, err)
	}
	return it, nil
}

// deletePartition removes every item under pk, 25 at a time. The read is
// consistent: an item written just before (an outcome the ticket's last
// change recorded) is deleted too.
func (s *Store) deletePartition(ctx context.Context, pk string) error {
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:                 &s.table,
		ConsistentRead:            aws.Bool(true),
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
		ProjectionExpression:      aws.String("PK, SK"),
	})
	var reqs []types.WriteRequest
	flush := func() error {
		for len(reqs) > 0 {
			n := min(len(reqs), 25)
			out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{s.table: reqs[:n]}})
			if err != nil {
				return fmt.Errorf("delete %s: %w", pk, translate(err))
			}
			reqs = append(reqs[n:], out.UnprocessedItems[s.table]...)
		}
		return nil
	}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("delete %s: %w", pk, translate(err))
		}
		for _, it := range page.Items {
			reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: it}})
		}
		if err := flush(); err != nil {
			return err
		}
	}
	return nil
}

// Notifications returns a recipient's newest in-app notifications.
func (s *Store) Notifications(ctx context.Context, recipient string, limit int32) ([]helpdesk.Notification, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: notificationPK(recipient)}},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(limit),
	})
	if err != nil {
		return nil, fmt.Errorf("notifications of %s: %w", recipient, translate(err))
	}
	var ns []helpdesk.Notification
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &ns); err != nil {
		return nil, fmt.Errorf("decode notifications: %w", err)
	}
	return ns, nil
}
