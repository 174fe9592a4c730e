package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// periodQuery reads the items of the GSI3 list partition listPK whose sort
// key ("<time>#...") falls in [from, to), oldest first, every page of
// them: the period reads of the reports (ratings, SLA outcomes). value
// takes each item's record out of its stored form. Eventually consistent,
// like every index.
func periodQuery[I, T any](ctx context.Context, s *Store, listPK string, from, to time.Time, value func(I) T) ([]T, error) {
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:              &s.table,
		IndexName:              aws.String(IndexList),
		KeyConditionExpression: aws.String("GSI3PK = :pk AND GSI3SK BETWEEN :from AND :to"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":   &types.AttributeValueMemberS{Value: listPK},
			":from": &types.AttributeValueMemberS{Value: sortTime(from)},
			// "#" sorts before every id character, so this stops before to.
			":to": &types.AttributeValueMemberS{Value: sortTime(to)},
		},
	})
	out := []T{}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, translate(err)
		}
		var items []I
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			return nil, err
		}
		for _, it := range items {
			out = append(out, value(it))
		}
	}
	return out, nil
}
