package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DeleteRating removes a ticket's rating (the purge of a deleted ticket:
// CSAT#<ticket> goes with it). None there is no error.
func (s *Store) DeleteRating(ctx context.Context, ticketID string) error {
	if err := s.batchWrite(ctx, []types.WriteRequest{{DeleteRequest: &types.DeleteRequest{Key: itemKey(ratingPK(ticketID), skRating)}}}); err != nil {
		return fmt.Errorf("delete rating of ticket %s: %w", ticketID, err)
	}
	return nil
}
