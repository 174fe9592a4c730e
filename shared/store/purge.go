package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/search"
)

// This file holds what the purge cascade (shared/app/purge) needs to
// remove a ticket's items a page at a time, each step idempotent and each
// confined to that one ticket's keys.

// RemainsPage is one page of what a ticket's partition holds besides its
// ticket item: the sort keys of its items (messages, notes, activities and
// any other record under TICKET#<id>) and the messages decoded, so their
// files and search terms can be removed before they are.
type RemainsPage struct {
	SKs      []string
	Messages []helpdesk.Message
	// Activities are the page's timeline entries (a subject's old values
	// are in its `property` entries, and their words in the index).
	Activities []helpdesk.Activity
	// Next is where the next page starts ("" when this was the last).
	Next string
}

// TicketRemains reads up to limit items of ticket id's partition after
// the sort key after ("" from the start), leaving out the ticket item.
func (s *Store) TicketRemains(ctx context.Context, id, after string, limit int32) (RemainsPage, error) {
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: ticketPK(id)}},
		Limit:                     aws.Int32(limit),
		ConsistentRead:            aws.Bool(true),
	}
	if after != "" {
		in.ExclusiveStartKey = itemKey(ticketPK(id), after)
	}
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return RemainsPage{}, fmt.Errorf("remains of ticket %s: %w", id, translate(err))
	}
	var p RemainsPage
	for _, it := range out.Items {
		sk, _ := it[attrSK].(*types.AttributeValueMemberS)
		if sk == nil || sk.Value == skTicket {
			continue
		}
		p.SKs = append(p.SKs, sk.Value)
		switch {
		case strings.HasPrefix(sk.Value, skMsgPrefix):
			var m helpdesk.Message
			if err := attributevalue.UnmarshalMap(it, &m); err != nil {
				return RemainsPage{}, fmt.Errorf("decode message %s of ticket %s: %w", sk.Value, id, err)
			}
			p.Messages = append(p.Messages, m)
		case strings.HasPrefix(sk.Value, skActPrefix):
			var a helpdesk.Activity
			if err := attributevalue.UnmarshalMap(it, &a); err != nil {
				return RemainsPage{}, fmt.Errorf("decode activity %s of ticket %s: %w", sk.Value, id, err)
			}
			p.Activities = append(p.Activities, a)
		}
	}
	if lek := out.LastEvaluatedKey; lek != nil {
		if sk, ok := lek[attrSK].(*types.AttributeValueMemberS); ok {
			p.Next = sk.Value
		}
	}
	return p, nil
}

// DeleteTicketRemains deletes items of ticket id's partition by sort key.
// It never deletes the ticket item (that goes through Commit, with its
// thread keys and loads), so it cannot touch another ticket or undo a
// count. Deleting what is gone already is not an error.
func (s *Store) DeleteTicketRemains(ctx context.Context, id string, sks []string) error {
	reqs := make([]types.WriteRequest, 0, len(sks))
	for _, sk := range sks {
		if sk == skTicket {
			return fmt.Errorf("delete remains of ticket %s: the ticket item is deleted by Commit", id)
		}
		reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: itemKey(ticketPK(id), sk)}})
	}
	if err := s.batchWrite(ctx, reqs); err != nil {
		return fmt.Errorf("delete remains of ticket %s: %w", id, err)
	}
	return nil
}

// RemoveThreadKeys deletes each thread key that still leads to ticket id;
// a key gone already or leading elsewhere (another ticket took it) is
// left alone.
func (s *Store) RemoveThreadKeys(ctx context.Context, id string, keys []string) error {
	// One conditioned delete per transaction (the DB port has no
	// DeleteItem): a key another ticket holds fails alone, and is kept.
	for _, k := range keys {
		err := s.transact(ctx, []types.TransactWriteItem{{Delete: &types.Delete{
			Key:                       itemKey(threadPK(k), skThread),
			ConditionExpression:       aws.String("ticketId = :id"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":id": &types.AttributeValueMemberS{Value: id}},
		}}}, func(c cancellation) error {
			if c.failed[0] {
				return errKeptElsewhere
			}
			return nil
		})
		if err != nil && !errors.Is(err, errKeptElsewhere) {
			return fmt.Errorf("remove thread key of ticket %s: %w", id, err)
		}
	}
	return nil
}

var errKeptElsewhere = errors.New("thread key absent or another ticket's")

// UnindexTicket deletes ticket id's term items for terms. While the
// ticket's record of indexed terms exists, only the terms it records are
// deleted (the others were never written); without the record (never
// indexed, or its purge finished) every given term is deleted, a write
// unit each, so terms whose record went first are not left behind.
// It returns how many deletes it sent.
func (s *Store) UnindexTicket(ctx context.Context, id string, terms []search.Term) (int, error) {
	var rec termsItem
	err := s.get(ctx, termsPK(id), skTerms, &rec)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return 0, fmt.Errorf("unindex ticket %s: %w", id, err)
	}
	have := decodeHashes(rec.Hashes)
	seen := map[string]bool{}
	var reqs []types.WriteRequest
	for _, t := range terms {
		k := termPK(t.Text) + "\x00" + termSK(id, string(t.Field))
		if seen[k] {
			continue
		}
		seen[k] = true
		if err == nil {
			if _, ok := slices.BinarySearch(have, TermHash(t)); !ok {
				continue
			}
		}
		reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: itemKey(termPK(t.Text), termSK(id, string(t.Field)))}})
	}
	if err := s.batchWrite(ctx, reqs); err != nil {
		return 0, fmt.Errorf("unindex ticket %s: %w", id, err)
	}
	return len(reqs), nil
}

// DeleteTermsRecord deletes ticket id's record of indexed terms: the
// purge's last step, once its term items are gone.
func (s *Store) DeleteTermsRecord(ctx context.Context, id string) error {
	if err := s.batchWrite(ctx, []types.WriteRequest{{DeleteRequest: &types.DeleteRequest{Key: itemKey(termsPK(id), skTerms)}}}); err != nil {
		return fmt.Errorf("delete terms record of ticket %s: %w", id, err)
	}
	return nil
}

// RemoveNotifications deletes recipient's notifications about ticket id
// from since (the ticket's creation: none can be older) on. Feeds are
// keyed by recipient, not ticket, so this reads the feed's items of that
// window (a page of 100 at a time, filtered on ticketId) and deletes the
// matches; it returns how many it deleted.
func (s *Store) RemoveNotifications(ctx context.Context, recipient, id string, since time.Time) (int, error) {
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:              &s.table,
		KeyConditionExpression: aws.String("PK = :pk AND SK >= :since"),
		FilterExpression:       aws.String("ticketId = :id"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":    &types.AttributeValueMemberS{Value: notificationPK(recipient)},
			":since": &types.AttributeValueMemberS{Value: sortTime(since)},
			":id":    &types.AttributeValueMemberS{Value: id},
		},
		ProjectionExpression: aws.String("PK, SK"),
		Limit:                aws.Int32(100),
	})
	n := 0
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return n, fmt.Errorf("notifications of %s about ticket %s: %w", recipient, id, translate(err))
		}
		reqs := make([]types.WriteRequest, 0, len(page.Items))
		for _, it := range page.Items {
			reqs = append(reqs, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: it}})
		}
		if err := s.batchWrite(ctx, reqs); err != nil {
			return n, fmt.Errorf("notifications of %s about ticket %s: %w", recipient, id, err)
		}
		n += len(reqs)
	}
	return n, nil
}

// ExpiredSpam returns up to limit ids of spam tickets whose expiresAt is
// at or before now: the Spam view's partition (GSI3 STATE#spam), filtered,
// oldest first, read 100 items a page until limit are found.
func (s *Store) ExpiredSpam(ctx context.Context, now time.Time, limit int32) ([]string, error) {
	p := dynamodb.NewQueryPaginator(s.db, &dynamodb.QueryInput{
		TableName:              &s.table,
		IndexName:              aws.String(IndexList),
		KeyConditionExpression: aws.String("GSI3PK = :pk"),
		FilterExpression:       aws.String("expiresAt <= :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk":  &types.AttributeValueMemberS{Value: stateViewPK(helpdesk.StateSpam)},
			":now": &types.AttributeValueMemberN{Value: strconv.FormatInt(now.Unix(), 10)},
		},
		ProjectionExpression: aws.String("id"),
		Limit:                aws.Int32(100),
	})
	var ids []string
	for p.HasMorePages() && int32(len(ids)) < limit {
		page, err := p.NextPage(ctx)
		if err != nil {
			return ids, fmt.Errorf("expired spam: %w", translate(err))
		}
		for _, it := range page.Items {
			if v, ok := it["id"].(*types.AttributeValueMemberS); ok && int32(len(ids)) < limit {
				ids = append(ids, v.Value)
			}
		}
	}
	return ids, nil
}

// SetSpamExpiry gives every item that hangs off spam ticket id the TTL at
// (expiresAt, Unix seconds), or takes it off again (at nil, the ticket
// restored): the ticket item (only while it is spam, when setting), each
// item of its partition, the thread keys still leading to it and its
// record of indexed terms. Term items and notifications are not given
// one (term items are keys only; notifications have their own 90 days):
// the purge removes them when TTL removes the ticket. Each item is its own
// write (a message costs its size in write units), so a crash halfway is
// finished by calling it again. Call it after the spam change commits (and
// after the restore commits, with nil).
func (s *Store) SetSpamExpiry(ctx context.Context, id string, at *time.Time) error {
	expr, values := "REMOVE expiresAt", map[string]types.AttributeValue{}
	if at != nil {
		expr = "SET expiresAt = :at"
		values[":at"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(at.Unix(), 10)}
	}
	update := func(key map[string]types.AttributeValue, cond string, extra map[string]types.AttributeValue) error {
		vals := maps.Clone(values)
		maps.Copy(vals, extra)
		if len(vals) == 0 {
			vals = nil
		}
		_, err := s.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &s.table, Key: key, UpdateExpression: aws.String(expr),
			ConditionExpression: aws.String(cond), ExpressionAttributeValues: vals,
			ExpressionAttributeNames: namesIn(cond),
		})
		var ccf *types.ConditionalCheckFailedException
		if errors.As(err, &ccf) {
			return errKeptElsewhere
		}
		return translate(err)
	}
	t, err := s.getTicketItem(ctx, id)
	if err != nil {
		return fmt.Errorf("spam expiry of ticket %s: %w", id, err)
	}
	cond, extra := "attribute_exists(PK)", map[string]types.AttributeValue(nil)
	if at != nil {
		cond, extra = "attribute_exists(PK) AND #state = :spam", map[string]types.AttributeValue{":spam": &types.AttributeValueMemberS{Value: string(helpdesk.StateSpam)}}
	}
	if err := update(itemKey(ticketPK(id), skTicket), cond, extra); err != nil {
		if errors.Is(err, errKeptElsewhere) {
			return fmt.Errorf("spam expiry of ticket %s: %w", id, helpdesk.Errorf(helpdesk.EConflict, "not_spam", "ticket %s is not spam", id))
		}
		return fmt.Errorf("spam expiry of ticket %s: %w", id, err)
	}
	after := ""
	for {
		p, err := s.TicketRemains(ctx, id, after, 100)
		if err != nil {
			return fmt.Errorf("spam expiry of ticket %s: %w", id, err)
		}
		for _, sk := range p.SKs {
			if err := update(itemKey(ticketPK(id), sk), "attribute_exists(PK)", nil); err != nil && !errors.Is(err, errKeptElsewhere) {
				return fmt.Errorf("spam expiry of ticket %s: %w", id, err)
			}
		}
		if p.Next == "" {
			break
		}
		after = p.Next
	}
	mine := map[string]types.AttributeValue{":id": &types.AttributeValueMemberS{Value: id}}
	for _, k := range t.ThreadKeys {
		if err := update(itemKey(threadPK(k), skThread), "ticketId = :id", mine); err != nil && !errors.Is(err, errKeptElsewhere) {
			return fmt.Errorf("spam expiry of ticket %s: %w", id, err)
		}
	}
	if err := update(itemKey(termsPK(id), skTerms), "attribute_exists(PK)", nil); err != nil && !errors.Is(err, errKeptElsewhere) {
		return fmt.Errorf("spam expiry of ticket %s: %w", id, err)
	}
	return nil
}

// namesIn names the attributes a condition refers to by placeholder.
func namesIn(cond string) map[string]string {
	if strings.Contains(cond, "#state") {
		return map[string]string{"#state": "state"}
	}
	return nil
}
