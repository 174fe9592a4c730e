package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// txBuilder collects the items of one TransactWriteItems call. It remembers
// the first encoding error so callers check once at the end.
type txBuilder struct {
	items []types.TransactWriteItem
	err   error
}

func (b *txBuilder) add(it types.TransactWriteItem) int {
	b.items = append(b.items, it)
	return len(b.items) - 1
}

// putNew adds a Put that fails if the item already exists.
func (b *txBuilder) putNew(item any) int {
	return b.put(item, "attribute_not_exists(PK)", nil)
}

func (b *txBuilder) put(item any, cond string, values map[string]types.AttributeValue) int {
	av, err := attributevalue.MarshalMap(item)
	if err != nil && b.err == nil {
		b.err = fmt.Errorf("encode %T: %w", item, err)
	}
	p := &types.Put{Item: av, ConditionExpression: aws.String(cond), ExpressionAttributeValues: values}
	return b.add(types.TransactWriteItem{Put: p})
}

// putVersioned adds a Put of a ticket that must still be at version v.
func (b *txBuilder) putVersioned(item any, v int64) int {
	i := b.put(item, "#ver = :ver", map[string]types.AttributeValue{":ver": versionValue(v)})
	b.items[i].Put.ExpressionAttributeNames = map[string]string{"#ver": attrVersion}
	return i
}

// anyBetween reports whether any item at index i to j-1 failed its condition.
func (c cancellation) anyBetween(i, j int) bool {
	for k := range c.failed {
		if k >= i && k < j {
			return true
		}
	}
	return false
}

// transact runs a transaction; on cancellation, explain maps the failed
// conditions to a domain error (nil if none of them matters, which leaves
// contention or an unexplained cancellation).
func (s *Store) transact(ctx context.Context, items []types.TransactWriteItem, explain func(cancellation) error) error {
	for i := range items {
		switch {
		case items[i].Put != nil:
			items[i].Put.TableName = &s.table
		case items[i].Update != nil:
			items[i].Update.TableName = &s.table
		case items[i].ConditionCheck != nil:
			items[i].ConditionCheck.TableName = &s.table
		case items[i].Delete != nil:
			items[i].Delete.TableName = &s.table
		}
	}
	_, err := s.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
	if err == nil {
		return nil
	}
	c, ok := cancelled(err)
	if !ok {
		return translate(err)
	}
	if derr := explain(c); derr != nil {
		return derr
	}
	if c.contention || len(c.failed) == 0 {
		return fmt.Errorf("%w: %v", ErrContention, err)
	}
	return fmt.Errorf("transaction cancelled: %w", err)
}
