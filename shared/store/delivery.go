package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// This file tracks what becomes of our outbound messages once a provider
// has them: the provider's id points back at the message, and the
// provider's delivery reports move its status forward.

type providerItem struct {
	keyAttrs
	ChannelID         string    `dynamodbav:"channelId"`
	ProviderMessageID string    `dynamodbav:"providerMessageId"`
	TicketID          string    `dynamodbav:"ticketId"`
	MessageID         string    `dynamodbav:"messageId"`
	MessageCreated    time.Time `dynamodbav:"messageCreatedAt"`
}

// statusUpdate moves the message at key from status from to status to,
// recording why and when, and the provider's id when there is one.
func statusUpdate(key map[string]types.AttributeValue, from, to helpdesk.MessageStatus, reason string, at time.Time, providerID string) *types.Update {
	set := "SET #st = :to, statusReason = :why, statusAt = :at"
	values := map[string]types.AttributeValue{
		":to": &types.AttributeValueMemberS{Value: string(to)}, ":from": &types.AttributeValueMemberS{Value: string(from)},
		":why": &types.AttributeValueMemberS{Value: reason}, ":at": &types.AttributeValueMemberS{Value: at.UTC().Format(time.RFC3339Nano)},
	}
	if providerID != "" {
		set += ", providerMessageId = :pid"
		values[":pid"] = &types.AttributeValueMemberS{Value: providerID}
	}
	return &types.Update{Key: key, UpdateExpression: aws.String(set), ConditionExpression: aws.String("#st = :from"),
		ExpressionAttributeNames: map[string]string{"#st": "status"}, ExpressionAttributeValues: values}
}

// SetMessageStatus moves an outbound message from one status to another
// (conditioned on from, so a redelivered job cannot send twice). A message
// that reached its provider (providerID set) also gets a lookup item, in the
// same transaction, so the provider's delivery reports can find it.
func (s *Store) SetMessageStatus(ctx context.Context, m helpdesk.Message, from, to helpdesk.MessageStatus, providerID, reason string) error {
	var b txBuilder
	b.add(types.TransactWriteItem{Update: statusUpdate(itemKey(ticketPK(m.TicketID), messageSK(m.CreatedAt, m.ID)), from, to, reason, s.now(), providerID)})
	if providerID != "" {
		b.put(providerItem{
			keyAttrs:  keyAttrs{PK: providerPK(m.ChannelID, providerID), SK: skProvider},
			ChannelID: m.ChannelID, ProviderMessageID: providerID,
			TicketID: m.TicketID, MessageID: m.ID, MessageCreated: m.CreatedAt,
		}, "attribute_not_exists(PK) OR messageId = :mid",
			map[string]types.AttributeValue{":mid": &types.AttributeValueMemberS{Value: m.ID}})
	}
	if b.err != nil {
		return fmt.Errorf("set status of message %s: %w", m.ID, b.err)
	}
	err := s.transact(ctx, b.items, func(c cancellation) error {
		switch {
		case c.failed[0]:
			return fmt.Errorf("message %s is no longer %s: %w", m.ID, from, ErrVersionChanged)
		case c.failed[1]:
			return helpdesk.Errorf(helpdesk.EConflict, "provider_id_taken", "provider id %s already belongs to another message", providerID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("set status of message %s: %w", m.ID, err)
	}
	return nil
}

// ApplyStatusReport moves the message a report names forward (never back:
// reports arrive out of order). It returns the message as it now is and
// whether the report changed it; ErrNotFound when no message of ours has
// that provider id (yet).
func (s *Store) ApplyStatusReport(ctx context.Context, r helpdesk.StatusReport) (helpdesk.Message, bool, error) {
	var p providerItem
	if err := s.get(ctx, providerPK(r.ChannelID, r.ProviderMessageID), skProvider, &p); err != nil {
		return helpdesk.Message{}, false, fmt.Errorf("status report for %s: %w", r.ProviderMessageID, err)
	}
	m, changed, err := s.AdvanceMessageStatus(ctx, helpdesk.MessageRef{TicketID: p.TicketID, MessageID: p.MessageID, CreatedAt: p.MessageCreated}, r)
	if err != nil {
		return m, false, fmt.Errorf("status report for %s: %w", r.ProviderMessageID, err)
	}
	return m, changed, nil
}
