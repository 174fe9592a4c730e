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

// The notification feed: an agent's NOTIFY#agent:<id> partition, newest
// first, and the read marks on its items.

// MaxMarkRead bounds how many notifications one MarkNotificationsRead marks.
const MaxMarkRead = 200

// TicketHeaders reads tickets by id, without their conversations
// (BatchGetItem, 100 a call); ids with no ticket are left out.
func (s *Store) TicketHeaders(ctx context.Context, ids []string) (map[string]helpdesk.Ticket, error) {
	return s.ticketsByID(ctx, ids, true)
}

// ListNotifications returns up to limit notifications of recipient's feed,
// newest first, after the position `after` (the `next` of the previous
// page; "" from the start), and the position to continue from ("" at the
// end). unreadOnly leaves out those read, so a page may hold fewer.
func (s *Store) ListNotifications(ctx context.Context, recipient string, unreadOnly bool, after string, limit int32) ([]helpdesk.Notification, string, error) {
	pk := notificationPK(recipient)
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(limit),
	}
	if unreadOnly {
		in.FilterExpression = aws.String("attribute_not_exists(readAt)")
	}
	if after != "" {
		if !ValidPosition(after) {
			return nil, "", ErrInvalidCursor
		}
		in.ExclusiveStartKey = itemKey(pk, after)
	}
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("notifications of %s: %w", recipient, translate(err))
	}
	ns := make([]helpdesk.Notification, 0, len(out.Items))
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &ns); err != nil {
		return nil, "", fmt.Errorf("decode notifications: %w", err)
	}
	next := ""
	if sk, ok := out.LastEvaluatedKey[attrSK].(*types.AttributeValueMemberS); ok {
		next = sk.Value
	}
	return ns, next, nil
}

// MarkNotificationRead marks one notification of recipient's feed read (the
// first time only); ErrNotFound if there is none with that time and id.
func (s *Store) MarkNotificationRead(ctx context.Context, recipient string, at time.Time, id string, now time.Time) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       itemKey(notificationPK(recipient), notificationSK(at, id)),
		UpdateExpression:          aws.String("SET readAt = if_not_exists(readAt, :now)"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": timeValue(now)},
	})
	var cond *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &cond):
		return fmt.Errorf("notification %s of %s: %w", id, recipient, ErrNotFound)
	case err != nil:
		return fmt.Errorf("mark notification %s read: %w", id, translate(err))
	}
	return nil
}

// MarkNotificationsRead marks read the unread notifications of recipient's
// feed from before upTo, newest first, at most max (MaxMarkRead) of them;
// it returns how many it marked and whether unread ones before upTo remain.
func (s *Store) MarkNotificationsRead(ctx context.Context, recipient string, upTo, now time.Time, max int) (int, bool, error) {
	max = min(max, MaxMarkRead)
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:              &s.table,
		KeyConditionExpression: aws.String("PK = :pk AND SK < :upTo"),
		FilterExpression:       aws.String("attribute_not_exists(readAt)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":   &types.AttributeValueMemberS{Value: notificationPK(recipient)},
			":upTo": &types.AttributeValueMemberS{Value: sortTime(upTo)},
		},
		ScanIndexForward: aws.Bool(false),
	})
	marked := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return marked, false, fmt.Errorf("notifications of %s: %w", recipient, translate(err))
		}
		for _, it := range page.Items {
			if marked == max {
				return marked, true, nil
			}
			// Notifications change only by this mark, so putting the item
			// back as read loses nothing; the condition keeps one that
			// expired meanwhile from coming back.
			it["readAt"] = timeValue(now)
			_, err := s.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &s.table, Item: it,
				ConditionExpression: aws.String("attribute_exists(PK)")})
			var cond *types.ConditionalCheckFailedException
			if err != nil && !errors.As(err, &cond) {
				return marked, false, fmt.Errorf("mark notifications of %s read: %w", recipient, translate(err))
			}
			marked++
		}
	}
	return marked, false, nil
}

func timeValue(t time.Time) types.AttributeValue {
	av, _ := attributevalue.Marshal(t) // a time always encodes
	return av
}
