package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// ErrInvalidCursor: a page position the store did not hand out.
var ErrInvalidCursor = &helpdesk.Error{Code: helpdesk.EInvalid, Reason: "invalid_cursor", Message: "the cursor is not one this list gave"}

// ListView returns up to limit tickets of a view, newest first, after the
// position `after` (the `next` of the previous page; "" from the start),
// and the position to continue from ("" at the end). Every view is one
// Query of one index partition: owner views on GSI1, team views on GSI2,
// state views on GSI3.
func (s *Store) ListView(ctx context.Context, v helpdesk.ViewQuery, after string, limit int32) ([]helpdesk.Ticket, string, error) {
	index, pkName, skName, pk, prefix := IndexList, "GSI3PK", "GSI3SK", stateViewPK(v.State), ""
	switch {
	case v.Owner != nil:
		index, pkName, skName, pk = IndexOwner, "GSI1PK", "GSI1SK", ownerViewPK(*v.Owner, v.State)
	case v.Team != "":
		index, pkName, skName, pk = IndexTeam, "GSI2PK", "GSI2SK", teamViewPK(v.Team, v.State)
		if v.UnassignedOnly {
			prefix = "U#"
		}
	}
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(index),
		KeyConditionExpression:    aws.String(pkName + " = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(limit),
	}
	if prefix != "" {
		in.KeyConditionExpression = aws.String(pkName + " = :pk AND begins_with(" + skName + ", :prefix)")
		in.ExpressionAttributeValues[":prefix"] = &types.AttributeValueMemberS{Value: prefix}
	}
	if after != "" {
		id, ok := ParseViewCursor(after, index == IndexTeam)
		if !ok {
			return nil, "", ErrInvalidCursor
		}
		in.ExclusiveStartKey = map[string]types.AttributeValue{
			pkName: &types.AttributeValueMemberS{Value: pk}, skName: &types.AttributeValueMemberS{Value: after},
			attrPK: &types.AttributeValueMemberS{Value: ticketPK(id)}, attrSK: &types.AttributeValueMemberS{Value: skTicket},
		}
	}
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("list view %s: %w", pk, translate(err))
	}
	tickets := make([]helpdesk.Ticket, 0, len(out.Items))
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &tickets); err != nil {
		return nil, "", fmt.Errorf("decode view %s: %w", pk, err)
	}
	next := ""
	if len(out.LastEvaluatedKey) > 0 {
		if sk, ok := out.LastEvaluatedKey[skName].(*types.AttributeValueMemberS); ok {
			next = sk.Value
		}
	}
	return tickets, next, nil
}

// ParseViewCursor checks that a position has the shape of a view's sort key
// ("<time>#<ticket id>", with "A#" or "U#" first on a team view) and
// returns its ticket id.
func ParseViewCursor(pos string, team bool) (string, bool) {
	if team {
		var ok bool
		if pos, ok = strings.CutPrefix(pos, "A#"); !ok {
			if pos, ok = strings.CutPrefix(pos, "U#"); !ok {
				return "", false
			}
		}
	}
	at, id, ok := strings.Cut(pos, "#")
	if !ok || id == "" || strings.Contains(id, "#") || len(at) != len(sortTime(timeZero)) {
		return "", false
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000000000Z", at); err != nil {
		return "", false
	}
	return id, true
}
