package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/expression"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

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
}

type ticketItem struct {
	keyAttrs
	helpdesk.Ticket
	// ThreadKeys lists the thread-key items pointing here, so deleting or
	// merging the ticket can remove or repoint them.
	ThreadKeys []string `dynamodbav:"threadKeys,stringset,omitempty"`
	// Outbox holds queue jobs (id → body) committed with a change and not yet
	// published: a transactional outbox, flushed after the commit and again
	// on redelivery if the flush failed.
	Outbox    map[string]string `dynamodbav:"outbox,omitempty"`
	ExpiresAt int64             `dynamodbav:"expiresAt,omitempty"`
}

// ticketKeys places a ticket in the view indexes; it must be recomputed on
// every change of owner, team or state.
func ticketKeys(t *helpdesk.Ticket) keyAttrs {
	return keyAttrs{
		PK: ticketPK(t.ID), SK: skTicket,
		GSI1PK: ownerViewPK(t.OwnerID, t.State), GSI1SK: createdSK(t.CreatedAt, t.ID),
		GSI2PK: teamViewPK(t.TeamID, t.State), GSI2SK: teamViewSK(t.OwnerID, t.CreatedAt, t.ID),
		GSI3PK: stateViewPK(t.State), GSI3SK: createdSK(t.CreatedAt, t.ID),
		GSI4PK: contactViewPK(t.ContactID), GSI4SK: createdSK(t.CreatedAt, t.ID),
	}
}

type messageItem struct {
	keyAttrs
	helpdesk.Message
}

type threadItem struct {
	keyAttrs
	Key      string    `dynamodbav:"key"`
	TicketID string    `dynamodbav:"ticketId"`
	Created  time.Time `dynamodbav:"createdAt"`
}

type dedupeItem struct {
	keyAttrs
	DedupeRecord
	ExpiresAt int64 `dynamodbav:"expiresAt"`
}

// DedupeRecord says what became of a provider message.
type DedupeRecord struct {
	TicketID  string    `dynamodbav:"ticketId"`
	MessageID string    `dynamodbav:"messageId"`
	AppliedAt time.Time `dynamodbav:"appliedAt"`
}

// NewTicket is everything created with a ticket, in one transaction.
type NewTicket struct {
	Ticket  helpdesk.Ticket
	Message helpdesk.Message
	// NewContact, when set, is created together with its lookup item under
	// ContactKey; a concurrent creator of the same key makes the write fail
	// with ErrContactTaken. Leave it nil when Ticket.ContactID already exists.
	NewContact *helpdesk.Contact
	ContactKey string
	ThreadKeys []string
	DedupeKey  string
	// Routing records the routing decision already applied to Ticket (owner,
	// team, AssignedAt); nil leaves the ticket as it is, unrouted.
	Routing *Routing
	// Replies are automatic outbound messages (greeting, instant reply)
	// created with the ticket, sent by the jobs in Outbox.
	Replies []helpdesk.Message
	Outbox  map[string]string
}

// Routing is what a routing decision writes besides the ticket.
type Routing struct {
	Activity      helpdesk.Activity
	Notifications []helpdesk.Notification
	Outbox        map[string]string // queue jobs published after the commit
	// ExpectLoads conditions the owner's load on the version the decision
	// read (load balanced); other distributions leave it nil.
	ExpectLoads map[string]Load
}

// Jobs are the queue jobs the ticket is created with, in its outbox: its
// own (automatic replies) and the routing decision's (notifications).
func (nt NewTicket) Jobs() map[string]string {
	if nt.Routing == nil || len(nt.Routing.Outbox) == 0 {
		return nt.Outbox
	}
	jobs := maps.Clone(nt.Outbox)
	if jobs == nil {
		jobs = map[string]string{}
	}
	maps.Copy(jobs, nt.Routing.Outbox)
	return jobs
}

// CreateTicket writes a ticket, its first message, its thread keys, its dedupe
// record and (if new) its contact atomically. A lost race is reported as
// ErrDuplicate, ErrThreadTaken, ErrContactTaken or ErrContention.
func (s *Store) CreateTicket(ctx context.Context, nt NewTicket) error {
	t := nt.Ticket
	if t.ID == "" || nt.DedupeKey == "" || (nt.NewContact != nil && nt.ContactKey == "") {
		return fmt.Errorf("create ticket: id, dedupe key (and a new contact's key) are required")
	}
	var b txBuilder
	nt.ThreadKeys = distinct(nt.ThreadKeys)
	ti := ticketItem{keyAttrs: ticketKeys(&t), Ticket: t, ThreadKeys: nt.ThreadKeys}
	ti.Outbox = nt.Jobs()
	b.putNew(ti)
	for _, m := range append([]helpdesk.Message{nt.Message}, nt.Replies...) {
		b.putNew(messageItem{keyAttrs: keyAttrs{PK: ticketPK(t.ID), SK: messageSK(m.CreatedAt, m.ID)}, Message: m})
	}
	dedupeAt := b.putNew(s.dedupe(nt.DedupeKey, t.ID, nt.Message.ID))
	contactAt := s.contactItems(&b, nt.NewContact, nt.ContactKey)
	threadFrom := len(b.items)
	for _, k := range nt.ThreadKeys {
		b.putNew(threadItem{keyAttrs: keyAttrs{PK: threadPK(k), SK: skThread}, Key: k, TicketID: t.ID, Created: t.CreatedAt})
	}
	loadFrom := len(b.items)
	if r := nt.Routing; r != nil {
		loadFrom = s.addLoadUpdates(&b, loadChanges(nil, &t, s.now()), r.ExpectLoads)
		s.addRecords(&b, []helpdesk.Activity{r.Activity}, r.Notifications)
	}
	if b.err != nil {
		return fmt.Errorf("create ticket %s: %w", t.ID, b.err)
	}
	err := s.transact(ctx, b.items, func(c cancellation) error {
		switch {
		case c.failed[dedupeAt]:
			return ErrDuplicate
		case c.anyBetween(threadFrom, loadFrom):
			return ErrThreadTaken
		case c.failed[contactAt]:
			return ErrContactTaken
		case c.anyFrom(loadFrom):
			return ErrLoadChanged
		case c.failed[0]:
			return fmt.Errorf("%w: ticket id %s already used", ErrContention, t.ID)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("create ticket %s: %w", t.ID, err)
	}
	return nil
}

// contactItems adds a new contact and its lookup item, and returns the index
// of the lookup item in the transaction (-1 when there is no new contact).
// A known contact costs nothing: it was read consistently just before.
func (s *Store) contactItems(b *txBuilder, c *helpdesk.Contact, key string) int {
	if c == nil {
		return -1
	}
	b.putNew(contactItem{keyAttrs: keyAttrs{PK: contactPK(c.ID), SK: skContact}, Contact: *c})
	return b.putNew(contactKeyItem{keyAttrs: keyAttrs{PK: contactKeyPK(key), SK: skContactKey}, Key: key, ContactID: c.ID})
}

// NewMessage is a message appended to an existing ticket.
type NewMessage struct {
	TicketID string
	Message  helpdesk.Message
	// NewContact and ContactKey work as in NewTicket for the message's author;
	// an inbound message's ContactKey also joins the ticket's participants.
	NewContact *helpdesk.Contact
	ContactKey string
	ThreadKeys []string
	DedupeKey  string
}

// AppendMessage adds a message to a ticket, registers its thread keys and its
// dedupe record, and bumps the ticket's counters, atomically.
func (s *Store) AppendMessage(ctx context.Context, nm NewMessage) error {
	m := nm.Message
	nm.ThreadKeys = distinct(nm.ThreadKeys)
	var b txBuilder
	b.putNew(messageItem{keyAttrs: keyAttrs{PK: ticketPK(nm.TicketID), SK: messageSK(m.CreatedAt, m.ID)}, Message: m})
	dedupeAt := b.putNew(s.dedupe(nm.DedupeKey, nm.TicketID, m.ID))

	upd := expression.Set(expression.Name("messageCount"), expression.Name("messageCount").Plus(expression.Value(1))).
		Set(expression.Name("version"), expression.Name("version").Plus(expression.Value(1))).
		Set(expression.Name("updatedAt"), expression.Value(m.CreatedAt))
	if m.Direction == helpdesk.Inbound {
		upd = upd.Set(expression.Name("unread"), expression.Value(true)).
			Set(expression.Name("lastCustomerMessageAt"), expression.Value(m.CreatedAt))
	}
	if len(nm.ThreadKeys) > 0 {
		upd = upd.Add(expression.Name("threadKeys"), expression.Value(&types.AttributeValueMemberSS{Value: nm.ThreadKeys}))
	}
	if m.Direction == helpdesk.Inbound && nm.ContactKey != "" {
		upd = upd.Add(expression.Name("participants"), expression.Value(&types.AttributeValueMemberSS{Value: []string{nm.ContactKey}}))
	}
	expr, err := expression.NewBuilder().WithUpdate(upd).
		WithCondition(expression.AttributeExists(expression.Name(attrPK))).Build()
	if err != nil {
		return fmt.Errorf("append to ticket %s: %w", nm.TicketID, err)
	}
	ticketAt := b.add(types.TransactWriteItem{Update: &types.Update{
		TableName:                 &s.table,
		Key:                       itemKey(ticketPK(nm.TicketID), skTicket),
		UpdateExpression:          expr.Update(),
		ConditionExpression:       expr.Condition(),
		ExpressionAttributeNames:  expr.Names(),
		ExpressionAttributeValues: expr.Values(),
	}})
	contactAt := s.contactItems(&b, nm.NewContact, nm.ContactKey)
	threadFrom := len(b.items)
	for _, k := range nm.ThreadKeys {
		// A key may already point at this ticket (a re-sent Message-ID); only
		// a key owned by another ticket is a conflict.
		b.put(threadItem{keyAttrs: keyAttrs{PK: threadPK(k), SK: skThread}, Key: k, TicketID: nm.TicketID, Created: m.CreatedAt},
			"attribute_not_exists(PK) OR ticketId = :tid",
			map[string]types.AttributeValue{":tid": &types.AttributeValueMemberS{Value: nm.TicketID}})
	}
	if b.err != nil {
		return fmt.Errorf("append to ticket %s: %w", nm.TicketID, b.err)
	}
	err = s.transact(ctx, b.items, func(c cancellation) error {
		switch {
		case c.failed[dedupeAt], c.failed[0]:
			return ErrDuplicate
		case c.failed[ticketAt]:
			return ErrNotFound
		case c.anyFrom(threadFrom):
			return ErrThreadTaken
		case c.failed[contactAt]:
			return ErrContactTaken
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("append to ticket %s: %w", nm.TicketID, err)
	}
	return nil
}

func (s *Store) dedupe(key, ticketID, messageID string) dedupeItem {
	now := s.now()
	return dedupeItem{
		keyAttrs:     keyAttrs{PK: dedupePK(key), SK: skDedupe},
		DedupeRecord: DedupeRecord{TicketID: ticketID, MessageID: messageID, AppliedAt: now},
		ExpiresAt:    now.Add(DedupeTTL).Unix(),
	}
}

// FindDedupe returns the record of an applied provider message, or ErrNotFound.
func (s *Store) FindDedupe(ctx context.Context, key string) (DedupeRecord, error) {
	var it dedupeItem
	if err := s.get(ctx, dedupePK(key), skDedupe, &it); err != nil {
		return DedupeRecord{}, err
	}
	return it.DedupeRecord, nil
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

// Conversation is a ticket with its messages and its timeline, in time order.
type Conversation struct {
	Ticket     helpdesk.Ticket
	Messages   []helpdesk.Message
	Activities []helpdesk.Activity
}

// GetTicket reads a ticket and its whole conversation (one partition).
func (s *Store) GetTicket(ctx context.Context, id string) (Conversation, error) {
	var conv Conversation
	found := false
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: ticketPK(id)}},
		ConsistentRead:            aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return conv, fmt.Errorf("get ticket %s: %w", id, translate(err))
		}
		for _, av := range page.Items {
			sk := av[attrSK].(*types.AttributeValueMemberS).Value
			switch {
			case sk == skTicket:
				if err := attributevalue.UnmarshalMap(av, &conv.Ticket); err != nil {
					return conv, fmt.Errorf("decode ticket %s: %w", id, err)
				}
				found = true
			case strings.HasPrefix(sk, skMsgPrefix):
				var m helpdesk.Message
				if err := attributevalue.UnmarshalMap(av, &m); err != nil {
					return conv, fmt.Errorf("decode message of ticket %s: %w", id, err)
				}
				conv.Messages = append(conv.Messages, m)
			case strings.HasPrefix(sk, skActPrefix):
				var a helpdesk.Activity
				if err := attributevalue.UnmarshalMap(av, &a); err != nil {
					return conv, fmt.Errorf("decode activity of ticket %s: %w", id, err)
				}
				conv.Activities = append(conv.Activities, a)
			}
		}
	}
	if !found {
		return conv, fmt.Errorf("ticket %s: %w", id, ErrNotFound)
	}
	return conv, nil
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

// distinct drops repeated keys: a mail may name one id twice (In-Reply-To
// and References, or its own Message-ID), and DynamoDB refuses a
// transaction that writes one item twice, or a string set with duplicates.
func distinct(keys []string) []string {
	out := slices.Clone(keys)
	slices.Sort(out)
	return slices.Compact(out)
}
