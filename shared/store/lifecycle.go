package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/platform/retry"
)

// NotificationTTL is how long in-app notifications are kept.
const NotificationTTL = 90 * 24 * time.Hour

type activityItem struct {
	keyAttrs
	helpdesk.Activity
}

type notificationItem struct {
	keyAttrs
	helpdesk.Notification
	ExpiresAt int64 `dynamodbav:"expiresAt"`
}

func notificationPK(recipient string) string { return "NOTIFY#" + recipient }

// addRecords adds a change's timeline entries and notifications.
func (s *Store) addRecords(b *txBuilder, acts []helpdesk.Activity, notes []helpdesk.Notification) {
	for _, a := range acts {
		b.putNew(activityItem{keyAttrs: keyAttrs{PK: ticketPK(a.TicketID), SK: activitySK(a.At, a.ID)}, Activity: a})
	}
	for _, n := range notes {
		b.putNew(notificationItem{
			keyAttrs:     keyAttrs{PK: notificationPK(n.Recipient), SK: sortTime(n.At) + "#" + n.ID},
			Notification: n,
			ExpiresAt:    n.At.Add(NotificationTTL).Unix(),
		})
	}
}

// Change is what a ticket mutation records besides the ticket itself.
type Change struct {
	Activities    []helpdesk.Activity
	Notifications []helpdesk.Notification
	Outbox        map[string]string // queue jobs to publish after the commit
	Messages      []helpdesk.Message
	ThreadKeys    []string // new keys pointing at the ticket (e.g. our outbound Message-ID)
}

// ErrNoChange, returned by a mutation, means there is nothing to write.
var ErrNoChange = errors.New("no change")

// maxUpdateRounds bounds re-reads when concurrent writers keep winning.
const maxUpdateRounds = 10

// UpdateTicket reads a ticket, lets mutate change it, and writes it back with
// the load adjustments the change implies, its activities and notifications,
// in one transaction conditioned on the version read. If another writer got
// there first, it re-reads and calls mutate again, so mutate decides on
// fresh state every time.
func (s *Store) UpdateTicket(ctx context.Context, id string, mutate func(t *helpdesk.Ticket) (Change, error)) (helpdesk.Ticket, error) {
	var out helpdesk.Ticket
	err := rereadUntilWritten(ctx, func() error {
		cur, err := s.getTicketItem(ctx, id)
		if err != nil {
			return err
		}
		out = cur.Ticket
		next := cur
		next.MergedFrom = append([]string(nil), cur.MergedFrom...)
		ch, err := mutate(&next.Ticket)
		if errors.Is(err, ErrNoChange) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := s.writeTicket(ctx, &cur, &next, ch); err != nil {
			return err
		}
		out = next.Ticket
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("update ticket %s: %w", id, err)
	}
	return out, nil
}

// rereadUntilWritten runs attempt (read, decide, conditional write) again
// while it loses to a concurrent writer, up to maxUpdateRounds times.
func rereadUntilWritten(ctx context.Context, attempt func() error) error {
	for round := 0; ; round++ {
		err := attempt()
		if err == nil || !errors.Is(err, ErrVersionChanged) && !errors.Is(err, ErrContention) || round >= maxUpdateRounds {
			return err
		}
		if err := retry.Backoff(ctx, round, 5*time.Millisecond); err != nil {
			return err
		}
	}
}

// GetTicketHeader reads a ticket without its conversation.
func (s *Store) GetTicketHeader(ctx context.Context, id string) (helpdesk.Ticket, error) {
	it, err := s.getTicketItem(ctx, id)
	return it.Ticket, err
}

func (s *Store) getTicketItem(ctx context.Context, id string) (ticketItem, error) {
	var it ticketItem
	if err := s.get(ctx, ticketPK(id), skTicket, &it); err != nil {
		return it, fmt.Errorf("ticket %s: %w", id, err)
	}
	return it, nil
}

// writeTicket puts next over cur (same version) with its consequences.
func (s *Store) writeTicket(ctx context.Context, cur, next *ticketItem, ch Change) error {
	now := s.now()
	next.Version = cur.Version + 1
	next.UpdatedAt = now
	next.keyAttrs = ticketKeys(&next.Ticket)
	for k, v := range ch.Outbox {
		if next.Outbox == nil {
			next.Outbox = map[string]string{}
		}
		next.Outbox[k] = v
	}
	next.ThreadKeys = append(append([]string(nil), cur.ThreadKeys...), ch.ThreadKeys...)
	var b txBuilder
	b.putVersioned(next, cur.Version)
	s.addLoadUpdates(&b, loadChanges(&cur.Ticket, &next.Ticket, now), nil)
	s.addRecords(&b, ch.Activities, ch.Notifications)
	for _, m := range ch.Messages {
		b.putNew(messageItem{keyAttrs: keyAttrs{PK: ticketPK(m.TicketID), SK: messageSK(m.CreatedAt, m.ID)}, Message: m})
	}
	for _, k := range ch.ThreadKeys {
		b.putNew(threadItem{keyAttrs: keyAttrs{PK: threadPK(k), SK: skThread}, Key: k, TicketID: next.ID, Created: now})
	}
	if b.err != nil {
		return b.err
	}
	return s.transact(ctx, b.items, func(c cancellation) error {
		if c.failed[0] {
			return ErrVersionChanged
		}
		return nil
	})
}

func versionValue(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

// DeleteTicket deletes a ticket, its thread keys and its load, atomically,
// then the rest of its partition (conversation, timeline). The ticket's
// dedupe records stay until they expire, so a late redelivery of one of its
// messages does not bring it back.
func (s *Store) DeleteTicket(ctx context.Context, id string) (helpdesk.Ticket, error) {
	var deleted helpdesk.Ticket
	err := rereadUntilWritten(ctx, func() error {
		cur, err := s.getTicketItem(ctx, id)
		if err != nil {
			return err
		}
		deleted = cur.Ticket
		var b txBuilder
		b.add(types.TransactWriteItem{Delete: &types.Delete{
			Key:                       itemKey(ticketPK(id), skTicket),
			ConditionExpression:       aws.String("#ver = :ver"),
			ExpressionAttributeNames:  map[string]string{"#ver": attrVersion},
			ExpressionAttributeValues: map[string]types.AttributeValue{":ver": versionValue(cur.Version)},
		}})
		s.addLoadUpdates(&b, loadChanges(&cur.Ticket, nil, s.now()), nil)
		for _, k := range cur.ThreadKeys {
			b.add(types.TransactWriteItem{Delete: &types.Delete{
				Key:                       itemKey(threadPK(k), skThread),
				ConditionExpression:       aws.String("attribute_not_exists(PK) OR ticketId = :id"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":id": &types.AttributeValueMemberS{Value: id}},
			}})
		}
		return s.transact(ctx, b.items, func(c cancellation) error {
			if c.failed[0] {
				return ErrVersionChanged
			}
			return nil
		})
	})
	if err != nil {
		return deleted, fmt.Errorf("delete ticket %s: %w", id, err)
	}
	return deleted, s.deletePartition(ctx, ticketPK(id))
}

// deletePartition removes every item under pk, 25 at a time.
func (s *Store) deletePartition(ctx context.Context, pk string) error {
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
		ProjectionExpression:      aws.String("PK, SK"),
	})
	var reqs []types.WriteRequest
	flush := func() error {
		for len(reqs) > 0 {
			n := min(len(reqs), 25)
			out, err := s.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{s.table: reqs[:n]}})
			if err != nil {
				return fmt.Errorf("delete %s: %w", pk, translate(err))
			}
			reqs = append(reqs[n:], out.UnprocessedItems[s.table]...)
		}
		return nil
	}
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("delete %s: %w", pk, translate(err))
		}
		for _, it := range page.Items {
			reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: it}})
		}
		if err := flush(); err != nil {
			return err
		}
	}
	return nil
}

// MergeTickets merges secondary into primary in one transaction conditioned
// on both versions: the secondary leaves every view (state merged) and its
// load, its thread keys point at the primary so later replies land there,
// and both record the merge (MergedInto / MergedFrom) so it can be undone.
// Messages stay in their own partitions.
func (s *Store) MergeTickets(ctx context.Context, primaryID, secondaryID string, acts []helpdesk.Activity) (helpdesk.Ticket, error) {
	if primaryID == secondaryID {
		return helpdesk.Ticket{}, helpdesk.Errorf(helpdesk.EInvalid, "merge_self", "cannot merge a ticket into itself")
	}
	var merged helpdesk.Ticket
	err := rereadUntilWritten(ctx, func() error {
		p, err := s.getTicketItem(ctx, primaryID)
		if err != nil {
			return err
		}
		merged = p.Ticket
		sec, err := s.getTicketItem(ctx, secondaryID)
		if err != nil {
			return err
		}
		if p.State == helpdesk.StateMerged || sec.State == helpdesk.StateMerged {
			return helpdesk.Errorf(helpdesk.EConflict, "already_merged", "ticket %s or %s is already merged", primaryID, secondaryID)
		}
		now := s.now()
		np, ns := p, sec
		np.MergedFrom = append(append([]string(nil), p.MergedFrom...), secondaryID)
		np.MessageCount += sec.MessageCount
		np.ThreadKeys = append(append([]string(nil), p.ThreadKeys...), sec.ThreadKeys...)
		// The secondary's customers become participants of the primary, so
		// quoting either ticket number still threads their mail.
		np.Participants = distinct(append(append([]string(nil), p.Participants...), sec.Participants...))
		np.Version, np.UpdatedAt = p.Version+1, now
		np.keyAttrs = ticketKeys(&np.Ticket)
		ns.State, ns.MergedInto = helpdesk.StateMerged, primaryID
		ns.Version, ns.UpdatedAt = sec.Version+1, now
		ns.keyAttrs = ticketKeys(&ns.Ticket)

		var b txBuilder
		b.putVersioned(np, p.Version)
		b.putVersioned(ns, sec.Version)
		s.addLoadUpdates(&b, loadChanges(&sec.Ticket, &ns.Ticket, now), nil)
		for _, k := range sec.ThreadKeys {
			b.put(threadItem{keyAttrs: keyAttrs{PK: threadPK(k), SK: skThread}, Key: k, TicketID: primaryID, Created: now},
				"attribute_not_exists(PK) OR ticketId = :sec",
				map[string]types.AttributeValue{":sec": &types.AttributeValueMemberS{Value: secondaryID}})
		}
		s.addRecords(&b, acts, nil)
		if len(b.items) > 100 {
			return helpdesk.Errorf(helpdesk.EInvalid, "merge_too_large", "ticket %s has too many thread keys to merge in one step", secondaryID)
		}
		if b.err != nil {
			return b.err
		}
		err = s.transact(ctx, b.items, func(c cancellation) error {
			if c.failed[0] || c.failed[1] {
				return ErrVersionChanged
			}
			return nil
		})
		if err == nil {
			merged = np.Ticket
		}
		return err
	})
	if err != nil {
		return merged, fmt.Errorf("merge %s into %s: %w", secondaryID, primaryID, err)
	}
	return merged, nil
}

// PendingOutbox returns the queue jobs a ticket committed but has not yet
// seen published.
func (s *Store) PendingOutbox(ctx context.Context, ticketID string) (map[string]string, error) {
	it, err := s.getTicketItem(ctx, ticketID)
	if err != nil {
		return nil, err
	}
	return it.Outbox, nil
}

// ClearOutbox removes published jobs from a ticket's outbox. It leaves the
// version alone: the entries are gone whatever else changed.
func (s *Store) ClearOutbox(ctx context.Context, ticketID string, ids []string) error {
	if len(ids) == 0 {
		return nil
	}
	names := map[string]string{"#o": "outbox"}
	var rm []string
	for i, id := range ids {
		k := "#k" + strconv.Itoa(i)
		names[k] = id
		rm = append(rm, "#o."+k)
	}
	_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                &s.table,
		Key:                      itemKey(ticketPK(ticketID), skTicket),
		UpdateExpression:         aws.String("REMOVE " + strings.Join(rm, ", ")),
		ConditionExpression:      aws.String("attribute_exists(#o)"),
		ExpressionAttributeNames: names,
	})
	var cond *types.ConditionalCheckFailedException
	if errors.As(err, &cond) {
		return nil // already cleared, or the ticket is gone
	}
	if err != nil {
		return fmt.Errorf("clear outbox of %s: %w", ticketID, translate(err))
	}
	return nil
}

// Notifications returns a recipient's newest in-app notifications.
func (s *Store) Notifications(ctx context.Context, recipient string, limit int32) ([]helpdesk.Notification, error) {
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: notificationPK(recipient)}},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(limit),
	})
	if err != nil {
		return nil, fmt.Errorf("notifications of %s: %w", recipient, translate(err))
	}
	var ns []helpdesk.Notification
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &ns); err != nil {
		return nil, fmt.Errorf("decode notifications: %w", err)
	}
	return ns, nil
}
