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

type ratingItem struct {
	keyAttrs
	helpdesk.Rating
}

// PutRating records a ticket's rating, once: a conditional put, so of two
// concurrent ratings one wins and the other gets helpdesk.ErrRated.
func (s *Store) PutRating(ctx context.Context, r helpdesk.Rating) error {
	av, err := attributevalue.MarshalMap(ratingItem{
		keyAttrs: keyAttrs{PK: ratingPK(r.TicketID), SK: skRating, GSI3PK: listRatings, GSI3SK: ratingListSK(r.RatedAt, r.TicketID)},
		Rating:   r,
	})
	if err != nil {
		return fmt.Errorf("rate ticket %s: %w", r.TicketID, err)
	}
	_, err = s.db.PutItem(ctx, &dynamodb.PutItemInput{
		TableName: &s.table, Item: av,
		ConditionExpression: aws.String("attribute_not_exists(PK)"),
	})
	var cond *types.ConditionalCheckFailedException
	if errors.As(err, &cond) {
		return fmt.Errorf("rate ticket %s: %w", r.TicketID, helpdesk.ErrRated)
	}
	if err != nil {
		return fmt.Errorf("rate ticket %s: %w", r.TicketID, translate(err))
	}
	return nil
}

// GetRating returns a ticket's rating, or ErrNotFound.
func (s *Store) GetRating(ctx context.Context, ticketID string) (helpdesk.Rating, error) {
	var it ratingItem
	if err := s.get(ctx, ratingPK(ticketID), skRating, &it); err != nil {
		return helpdesk.Rating{}, fmt.Errorf("rating of ticket %s: %w", ticketID, err)
	}
	return it.Rating, nil
}

// Ratings returns the ratings made in [from, to), oldest first: one query
// of the ratings' GSI3 partition (eventually consistent, like every index).
func (s *Store) Ratings(ctx context.Context, from, to time.Time) ([]helpdesk.Rating, error) {
	out, err := periodQuery(ctx, s, listRatings, from, to, func(it ratingItem) helpdesk.Rating { return it.Rating })
	if err != nil {
		return nil, fmt.Errorf("ratings from %s: %w", from, err)
	}
	return out, nil
}
