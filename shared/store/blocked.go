package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// This file holds blocked senders (issue 12: "block sender" when marking
// spam) and the part of a deleted ticket's cascade the store can remove.

// BlockSender records b; blocking someone blocked already keeps the first
// record (who blocked them, and when).
func (s *Store) BlockSender(ctx context.Context, b helpdesk.BlockedSender) error {
	err := s.createEntity(ctx, blockedKeys(b), b)
	if errors.Is(err, ErrExists) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("block sender %s: %w", b.Key, err)
	}
	return nil
}

// UnblockSender removes the block of senderKey; ErrNotFound if there is none.
func (s *Store) UnblockSender(ctx context.Context, senderKey string) error {
	item := types.TransactWriteItem{Delete: &types.Delete{Key: itemKey(blockedPK(senderKey), skBlocked),
		ConditionExpression: aws.String("attribute_exists(PK)")}}
	err := s.transact(ctx, []types.TransactWriteItem{item}, func(c cancellation) error {
		if c.failed[0] {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("unblock sender %s: %w", senderKey, err)
	}
	return nil
}

// IsBlocked reports whether senderKey is blocked: one strongly consistent
// GetItem (a block takes effect on the very next message).
func (s *Store) IsBlocked(ctx context.Context, senderKey string) (bool, error) {
	var b helpdesk.BlockedSender
	err := s.get(ctx, blockedPK(senderKey), skBlocked, &b)
	switch {
	case errors.Is(err, ErrNotFound):
		return false, nil
	case err != nil:
		return false, fmt.Errorf("is %s blocked: %w", senderKey, err)
	}
	return true, nil
}

// ListBlocked returns every blocked sender, oldest block first (one GSI3
// partition, eventually consistent).
func (s *Store) ListBlocked(ctx context.Context) ([]helpdesk.BlockedSender, error) {
	return listPartition[helpdesk.BlockedSender](ctx, s, listBlocked)
}
