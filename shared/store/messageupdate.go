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
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// This file finds a stored message by the id its provider gave it and
// applies what happens to it afterwards: a delivery status (one message, or
// a watermark over a conversation), a customer's edit or reaction.

// withMessageCreated records, on a dedupe record, when its message was
// created (the second half of the message's key).
func withMessageCreated(d dedupeItem, msgs []helpdesk.Message) dedupeItem {
	for _, m := range msgs {
		if m.ID == d.MessageID {
			d.MessageCreated = m.CreatedAt
		}
	}
	return d
}

// FindMessage locates the message a provider knows by providerMessageID on
// channelID: one of ours (its provider-message item), else one the customer
// sent (its dedupe record, under dedupeScope; kept 30 days). ErrNotFound
// when neither knows it.
func (s *Store) FindMessage(ctx context.Context, channelID, dedupeScope, providerMessageID string) (helpdesk.MessageRef, error) {
	var p providerItem
	err := s.get(ctx, providerPK(channelID, providerMessageID), skProvider, &p)
	if err == nil {
		return helpdesk.MessageRef{TicketID: p.TicketID, MessageID: p.MessageID, CreatedAt: p.MessageCreated}, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return helpdesk.MessageRef{}, fmt.Errorf("find message %s: %w", providerMessageID, err)
	}
	var d dedupeItem
	if err := s.get(ctx, dedupePK(DedupeKey(dedupeScope, providerMessageID)), skDedupe, &d); err != nil {
		return helpdesk.MessageRef{}, fmt.Errorf("find message %s: %w", providerMessageID, err)
	}
	ref := helpdesk.MessageRef{TicketID: d.TicketID, MessageID: d.MessageID, CreatedAt: d.MessageCreated}
	if ref.CreatedAt.IsZero() {
		// A record from before records kept the time: look for the id in
		// its ticket's messages (once; rare).
		if ref.CreatedAt, err = s.messageCreated(ctx, d.TicketID, d.MessageID); err != nil {
			return helpdesk.MessageRef{}, fmt.Errorf("find message %s: %w", providerMessageID, err)
		}
	}
	return ref, nil
}

// messageCreated finds when message id of a ticket was created, by reading
// the ticket's messages' keys.
func (s *Store) messageCreated(ctx context.Context, ticketID, id string) (time.Time, error) {
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("PK = :pk AND begins_with(SK, :msg)"),
		FilterExpression:          aws.String("id = :id"),
		ProjectionExpression:      aws.String("createdAt"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: ticketPK(ticketID)}, ":msg": &types.AttributeValueMemberS{Value: skMsgPrefix}, ":id": &types.AttributeValueMemberS{Value: id}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return time.Time{}, translate(err)
		}
		for _, av := range page.Items {
			var it struct {
				CreatedAt time.Time `dynamodbav:"createdAt"`
			}
			if err := attributevalue.UnmarshalMap(av, &it); err != nil {
				return time.Time{}, err
			}
			return it.CreatedAt, nil
		}
	}
	return time.Time{}, ErrNotFound
}

// GetMessage reads one message.
func (s *Store) GetMessage(ctx context.Context, ref helpdesk.MessageRef) (helpdesk.Message, error) {
	var it messageItem
	if err := s.get(ctx, ticketPK(ref.TicketID), messageSK(ref.CreatedAt, ref.MessageID), &it); err != nil {
		return helpdesk.Message{}, fmt.Errorf("message %s: %w", ref.MessageID, err)
	}
	return it.Message, nil
}

// addRevision adds a change's rewrite of a stored message (a customer's
// edit or reaction, as the ticket model decided it from Before): its text,
// previous texts, edit time and reactions, the revision bumped,
// conditioned on the revision read (and on the message being there). The
// rest of the item stays as it is: a delivery status may move meanwhile.
func addRevision(b *txBuilder, r ticket.Revision) {
	after := r.After
	edits, err := attributevalue.Marshal(after.Edits)
	var reactions types.AttributeValue
	if err == nil {
		reactions, err = attributevalue.Marshal(after.Reactions)
	}
	if err != nil {
		if b.err == nil {
			b.err = fmt.Errorf("encode the revision of message %s: %w", after.ID, err)
		}
		return
	}
	values := map[string]types.AttributeValue{
		":text": &types.AttributeValueMemberS{Value: after.Text}, ":edits": edits, ":reactions": reactions,
		":rev": versionValue(r.Before.Revision + 1),
	}
	set := "SET #text = :text, edits = :edits, reactions = :reactions, revision = :rev"
	if !after.EditedAt.IsZero() {
		set += ", editedAt = :edited"
		values[":edited"] = &types.AttributeValueMemberS{Value: after.EditedAt.UTC().Format(time.RFC3339Nano)}
	}
	cond := "attribute_exists(PK) AND attribute_not_exists(revision)"
	if r.Before.Revision > 0 {
		cond = "revision = :read"
		values[":read"] = versionValue(r.Before.Revision)
	}
	b.add(types.TransactWriteItem{Update: &types.Update{
		Key:              itemKey(ticketPK(after.TicketID), messageSK(after.CreatedAt, after.ID)),
		UpdateExpression: aws.String(set), ConditionExpression: aws.String(cond),
		ExpressionAttributeNames: map[string]string{"#text": "text"}, ExpressionAttributeValues: values,
	}})
}

// AdvanceMessageStatus moves a message forward on a delivery report (never
// back: helpdesk.MessageStatus.Advances), re-reading when another report
// got there first. It returns the message as it now is and whether the
// report changed it. Per-message reports (ApplyStatusReport) and
// conversation watermarks both come through here.
func (s *Store) AdvanceMessageStatus(ctx context.Context, ref helpdesk.MessageRef, r helpdesk.StatusReport) (helpdesk.Message, bool, error) {
	pk, sk := ticketPK(ref.TicketID), messageSK(ref.CreatedAt, ref.MessageID)
	var m helpdesk.Message
	changed := false
	err := rereadUntilWritten(ctx, func() error {
		var it messageItem
		if err := s.get(ctx, pk, sk, &it); err != nil {
			return fmt.Errorf("message %s: %w", ref.MessageID, err)
		}
		m, changed = it.Message, false
		if !m.Status.Advances(r.Status) {
			return nil
		}
		u := statusUpdate(itemKey(pk, sk), m.Status, r.Status, r.Reason, r.At, "")
		_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &s.table, Key: u.Key,
			UpdateExpression: u.UpdateExpression, ConditionExpression: u.ConditionExpression,
			ExpressionAttributeNames: u.ExpressionAttributeNames, ExpressionAttributeValues: u.ExpressionAttributeValues})
		var cond *types.ConditionalCheckFailedException
		if errors.As(err, &cond) {
			return ErrVersionChanged // another report got there first: re-read
		}
		if err != nil {
			return translate(err)
		}
		m.Status, m.StatusReason, m.StatusAt, changed = r.Status, r.Reason, r.At.UTC(), true
		return nil
	})
	if err != nil {
		return m, false, err
	}
	return m, changed, nil
}
