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
)

// submissionItem says which submission id first carried a content
// fingerprint, until expiresAt (TTL).
type submissionItem struct {
	keyAttrs
	ID        string `dynamodbav:"id"`
	ExpiresAt int64  `dynamodbav:"expiresAt"`
}

// ClaimSubmission gives the content fingerprint key to the submission id
// until until, unless another id holds it unexpired at now: it returns the
// id that holds it (id itself when the claim was free). One conditional
// put; a lost claim reads the holder in the same call (or one GetItem).
func (s *Store) ClaimSubmission(ctx context.Context, key, id string, now, until time.Time) (string, error) {
	av, err := attributevalue.MarshalMap(submissionItem{keyAttrs: keyAttrs{PK: submissionPK(key), SK: skSubmission}, ID: id, ExpiresAt: until.Unix()})
	if err != nil {
		return "", fmt.Errorf("claim submission %s: %w", id, err)
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName:                           &s.table,
		Item:                                av,
		ConditionExpression:                 aws.String("attribute_not_exists(PK) OR expiresAt <= :now"),
		ExpressionAttributeValues:           map[string]types.AttributeValue{":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)}},
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	})
	var cond *types.ConditionalCheckFailedException
	switch {
	case err == nil:
		return id, nil
	case !errors.As(err, &cond):
		return "", fmt.Errorf("claim submission %s: %w", id, translate(err))
	}
	var held submissionItem
	if cond.Item != nil {
		err = attributevalue.UnmarshalMap(cond.Item, &held)
	} else {
		err = s.get(ctx, submissionPK(key), skSubmission, &held)
	}
	if err != nil {
		return "", fmt.Errorf("claim submission %s: read the holder: %w", id, err)
	}
	return held.ID, nil
}
