package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// This file holds the items of a ticket and the reads that find them. Each
// item kind is built by one function, used by every write.

// DedupeTTL is how long a dedupe record outlives its message: longer than SQS's
// 14-day maximum retention and Meta's redelivery horizon, so any redelivery
// still finds it.
const DedupeTTL = 30 * 24 * time.Hour

// keyAttrs are the generic key attributes every item carries.
type keyAttrs struct {
	PK     string `dynamodbav:"PK"`
	SK     string `dynamodbav:"SK"`
	GSI1PK string `dynamodbav:"GSI1PK,omitempty"`
	GSI1SK string `dynamodbav:"GSI1SK,omitempty"`
	GSI2PK string `dynamodbav:"GSI2PK,omitempty"`
	GSI2SK string `dynamodbav:"GSI2SK,omitempty"`
	GSI3PK string `dynamodbav:"GSI3PK,omitempty"`
	GSI3SK string `dynamodbav:"GSI3SK,omitempty"`
	GSI4PK string `dynamodbav:"GSI4PK,omitempty"`
	GSI4SK string `dynamodbav:"GSI4SK,omitempty"`
	GSI5PK string `dynamodbav:"GSI5PK,omitempty"`
	GSI5SK string `dynamodbav:"GSI5SK,omitempty"`
	GSI6PK string `dynamodbav:"GSI6PK,omitempty"`
	GSI6SK string `dynamodbav:"GSI6SK,omitempty"`
}

type ticketItem struct {
	keyAttrs
	helpdesk.Ticket
	viewAttrs
}

// newTicketItem places a ticket in the view indexes, in the outbox
// index while it has jobs to publish, and in the SLA sweep's index while
// its SLA has a check to make; every write of a ticket goes through
// it, so its keys always follow its owner, team, state and outbox.
func newTicketItem(t helpdesk.Ticket) ticketItem {
	it := ticketItem{
		keyAttrs: keyAttrs{
			PK: ticketPK(t.ID), SK: skTicket,
			GSI1PK: ownerViewPK(t.OwnerID, t.State), GSI1SK: createdSK(t.CreatedAt, t.ID),
			GSI2PK: teamViewPK(t.TeamID, t.State), GSI2SK: teamViewSK(t.OwnerID, t.CreatedAt, t.ID),
			GSI3PK: stateViewPK(t.State), GSI3SK: createdSK(t.CreatedAt, t.ID),
			GSI4PK: contactViewPK(t.ContactID), GSI4SK: createdSK(t.CreatedAt, t.ID),
		},
		Ticket:    t,
		viewAttrs: newViewAttrs(t),
	}
	if len(t.Outbox) > 0 {
		it.GSI5PK, it.GSI5SK = outboxPK, createdSK(t.OutboxAt, t.ID)
	}
	if t.SLA != nil && !t.SLA.NextCheckAt.IsZero() { // the SLA sweep's index (slacheck.go)
		it.GSI6PK, it.GSI6SK = slaCheckPK(slaShard(t.ID)), slaCheckSK(t.SLA.NextCheckAt, t.ID)
	}
	return it
}

type messageItem struct {
	keyAttrs
	helpdesk.Message
}

func newMessageItem(m helpdesk.Message) messageItem {
	return messageItem{keyAttrs: keyAttrs{PK: ticketPK(m.TicketID), SK: messageSK(m.CreatedAt, m.ID)}, Message: m}
}

type threadItem struct {
	keyAttrs
	Key       string    `dynamodbav:"key"`
	TicketID  string    `dynamodbav:"ticketId"`
	Created   time.Time `dynamodbav:"createdAt"`
	ExpiresAt int64     `dynamodbav:"expiresAt,omitempty"` // a spam ticket's key: its TTL
}

type dedupeItem struct {
	keyAttrs
	TicketID  string    `dynamodbav:"ticketId"`
	MessageID string    `dynamodbav:"messageId"`
	AppliedAt time.Time `dynamodbav:"appliedAt"`
	ExpiresAt int64     `dynamodbav:"expiresAt"`
	// MessageCreated completes the message's key, so an edit or a reaction
	// naming the provider id finds it (zero on records written before).
	MessageCreated time.Time `dynamodbav:"messageCreatedAt,omitempty"`
	// Fingerprint (email): the mail's content fingerprint, so another mail
	// reusing its Message-ID is told from a redelivery.
	Fingerprint string `dynamodbav:"fingerprint,omitempty"`
}

func (s *Store) dedupe(d ticket.Dedupe) dedupeItem {
	now := s.now()
	return dedupeItem{
		keyAttrs: keyAttrs{PK: dedupePK(d.Key), SK: skDedupe},
		TicketID: d.TicketID, MessageID: d.MessageID, AppliedAt: now,
		ExpiresAt: now.Add(DedupeTTL).Unix(), Fingerprint: d.Fingerprint,
	}
}

// FindDedupe returns the record of an applied provider message, or ErrNotFound.
func (s *Store) FindDedupe(ctx context.Context, key string) (ticket.Dedupe, error) {
	var it dedupeItem
	if err := s.get(ctx, dedupePK(key), skDedupe, &it); err != nil {
		return ticket.Dedupe{}, err
	}
	return ticket.Dedupe{Key: key, TicketID: it.TicketID, MessageID: it.MessageID, Fingerprint: it.Fingerprint}, nil
}

// contactItems adds a new contact and its lookup item, and returns the index
// of the lookup item in the transaction (-1 when there is no new contact).
// A known contact costs nothing: it was read consistently just before.
func (s *Store) contactItems(b *txBuilder, c *helpdesk.Contact, key string) int {
	if c == nil {
		return -1
	}
	b.putNew(contactItem{keyAttrs: contactKeys(*c), Contact: *c})
	return b.putNew(contactKeyItem{keyAttrs: keyAttrs{PK: contactKeyPK(key), SK: skContactKey}, Key: key, ContactID: c.ID})
}

// FindThread returns the ticket that owns the first of keys that has one, and
// that key, or ErrNotFound.
func (s *Store) FindThread(ctx context.Context, keys []string) (ticketID, key string, err error) {
	for _, k := range keys {
		var it threadItem
		err := s.get(ctx, threadPK(k), skThread, &it)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		if err != nil {
			return "", "", fmt.Errorf("find thread: %w", err)
		}
		return it.TicketID, k, nil
	}
	return "", "", ErrNotFound
}

// NextTicketNumber allocates the tenant's next ticket number. A number taken
// by a transaction that then loses a race is skipped, never reused.
func (s *Store) NextTicketNumber(ctx context.Context) (string, error) {
	n, err := s.increment(ctx, "tickets")
	if err != nil {
		return "", fmt.Errorf("next ticket number: %w", err)
	}
	return ticketID(n), nil
}

// increment adds one to the counter name and returns the new value
// (atomic: concurrent callers each get their own value).
func (s *Store) increment(ctx context.Context, name string) (int64, error) {
	out, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                 &s.table,
		Key:                       itemKey(counterPK(name), skCounter),
		UpdateExpression:          aws.String("ADD #v :one"),
		ExpressionAttributeNames:  map[string]string{"#v": "value"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}},
		ReturnValues:              types.ReturnValueUpdatedNew,
	})
	if err != nil {
		return 0, translate(err)
	}
	var v struct {
		Value int64 `dynamodbav:"value"`
	}
	if err := attributevalue.UnmarshalMap(out.Attributes, &v); err != nil {
		return 0, err
	}
	return v.Value, nil
}

// GetTicket reads a ticket and its whole conversation: its own partition
// and, for a ticket others were merged into, theirs (recursively), so both
// conversations show, each message marked with the ticket it came from.
func (s *Store) GetTicket(ctx context.Context, id string) (helpdesk.Conversation, error) {
	var conv helpdesk.Conversation
	err := ticket.EachMerged(id, func(pid string) ([]string, error) {
		return s.readPartition(ctx, pid, &conv, pid == id)
	})
	if err != nil {
		return conv, fmt.Errorf("get ticket %s: %w", id, err)
	}
	if conv.Ticket.ID == "" {
		return conv, fmt.Errorf("ticket %s: %w", id, ErrNotFound)
	}
	conv.Sort()
	return conv, nil
}

// readPartition adds one ticket partition's messages and activities to conv
// (and the ticket itself when main), and returns the tickets merged into it.
func (s *Store) readPartition(ctx context.Context, id string, conv *helpdesk.Conversation, main bool) (mergedFrom []string, err error) {
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: ticketPK(id)}},
		ConsistentRead:            aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, translate(err)
		}
		for _, av := range page.Items {
			sk := av[attrSK].(*types.AttributeValueMemberS).Value
			switch {
			case sk == skTicket:
				var t helpdesk.Ticket
				if err := attributevalue.UnmarshalMap(av, &t); err != nil {
					return nil, fmt.Errorf("decode ticket %s: %w", id, err)
				}
				if main {
					conv.Ticket = t
				}
				mergedFrom = t.MergedFrom
			case strings.HasPrefix(sk, skMsgPrefix):
				var m helpdesk.Message
				if err := attributevalue.UnmarshalMap(av, &m); err != nil {
					return nil, fmt.Errorf("decode message of ticket %s: %w", id, err)
				}
				conv.Messages = append(conv.Messages, m)
			case strings.HasPrefix(sk, skActPrefix):
				var a helpdesk.Activity
				if err := attributevalue.UnmarshalMap(av, &a); err != nil {
					return nil, fmt.Errorf("decode activity of ticket %s: %w", id, err)
				}
				conv.Activities = append(conv.Activities, a)
			}
		}
	}
	return mergedFrom, nil
}

// ListTickets returns up to limit tickets in state, newest first.
func (s *Store) ListTickets(ctx context.Context, state helpdesk.State, limit int32) ([]helpdesk.Ticket, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(IndexList),
		KeyConditionExpression:    aws.String("GSI3PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: stateViewPK(state)}},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(limit),
	})
	if err != nil {
		return nil, fmt.Errorf("list %s tickets: %w", state, translate(err))
	}
	tickets := make([]helpdesk.Ticket, 0, len(out.Items))
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &tickets); err != nil {
		return nil, fmt.Errorf("decode %s tickets: %w", state, err)
	}
	return tickets, nil
}
