package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// SetNotificationEmail records what became of the email about a
// notification (status "failed" and why), on the notification itself.
func (s *Store) SetNotificationEmail(ctx context.Context, recipient string, at time.Time, id, status, reason string) error {
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:           &s.table,
		Key:                 itemKey(notificationPK(recipient), notificationSK(at, id)),
		UpdateExpression:    aws.String("SET emailStatus = :s, emailReason = :r"),
		ConditionExpression: aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":s": &types.AttributeValueMemberS{Value: status}, ":r": &types.AttributeValueMemberS{Value: reason}},
	})
	var cond *types.ConditionalCheckFailedException
	switch {
	case errors.As(err, &cond):
		return fmt.Errorf("notification %s of %s: %w", id, recipient, ErrNotFound)
	case err != nil:
		return fmt.Errorf("record notification email %s: %w", id, translate(err))
	}
	return nil
}
