package store

import (
	"context"
	"fmt"
	"sort"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// This file holds saved replies (snippets) and the email channels replies
// to form tickets are sent from.

func snippetKeys(r helpdesk.SavedReply) keyAttrs {
	return keyAttrs{PK: snippetPK(r.ID), SK: skSnippet, GSI3PK: listSnippets, GSI3SK: r.Name + "#" + r.ID}
}

// GetSavedReply reads a saved reply, or ErrNotFound.
func (s *Store) GetSavedReply(ctx context.Context, id string) (helpdesk.SavedReply, error) {
	return getEntity[helpdesk.SavedReply](ctx, s, "saved reply", id, snippetPK(id), skSnippet)
}

// PutSavedReply creates or replaces a saved reply.
func (s *Store) PutSavedReply(ctx context.Context, r helpdesk.SavedReply) error {
	return s.putEntity(ctx, snippetKeys(r), r)
}

// DeleteSavedReply deletes a saved reply; ErrNotFound if there is none.
func (s *Store) DeleteSavedReply(ctx context.Context, id string) error {
	item := types.TransactWriteItem{Delete: &types.Delete{Key: itemKey(snippetPK(id), skSnippet),
		ConditionExpression: aws.String("attribute_exists(PK)")}}
	err := s.transact(ctx, []types.TransactWriteItem{item}, func(c cancellation) error {
		if c.failed[0] {
			return fmt.Errorf("saved reply %s: %w", id, ErrNotFound)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("delete saved reply %s: %w", id, err)
	}
	return nil
}

// ListSavedReplies returns every saved reply, by name (the index is
// eventually consistent: one saved a moment ago may be missing).
func (s *Store) ListSavedReplies(ctx context.Context) ([]helpdesk.SavedReply, error) {
	return listPartition[helpdesk.SavedReply](ctx, s, listSnippets)
}

// EmailChannels returns the tenant's email channels, by id.
func (s *Store) EmailChannels(ctx context.Context) ([]helpdesk.Channel, error) {
	all, err := listPartition[helpdesk.Channel](ctx, s, listChannels)
	if err != nil {
		return nil, err
	}
	out := []helpdesk.Channel{}
	for _, c := range all {
		if c.Kind == helpdesk.ChannelEmail {
			out = append(out, c)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

// listPartition reads every item of one GSI3 list partition, in its order.
func listPartition[T any](ctx context.Context, s *Store, pk string) ([]T, error) {
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(IndexList),
		KeyConditionExpression:    aws.String("GSI3PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
	})
	out := []T{}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", pk, translate(err))
		}
		var vs []T
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &vs); err != nil {
			return nil, fmt.Errorf("decode %s: %w", pk, err)
		}
		out = append(out, vs...)
	}
	return out, nil
}
