package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// maxTransactItems is DynamoDB's limit on one TransactWriteItems call.
const maxTransactItems = 100

// Commit writes a change the ticket model decided, in one transaction: each
// ticket conditioned on the version its decision read (or on being new),
// its messages (new; or revised, at the revision read), timeline entries,
// notifications, thread keys, load counters and, for an inbound message,
// its dedupe record and new contact.
// It decides nothing. A lost race is reported as ticket.ErrVersionChanged,
// ErrDuplicate, ErrThreadTaken, ErrContactTaken, ErrLoadChanged or
// ErrContention, so the caller can read again and decide again. A deleted
// ticket's conversation is removed after the commit.
func (s *Store) Commit(ctx context.Context, c ticket.Change) error {
	var b txBuilder
	ticketAt := make([]int, len(c.Tickets))
	for i, w := range c.Tickets {
		switch {
		case w.After == nil:
			ticketAt[i] = b.add(types.TransactWriteItem{Delete: &types.Delete{
				Key:                       itemKey(ticketPK(w.Before.ID), skTicket),
				ConditionExpression:       aws.String("#ver = :ver"),
				ExpressionAttributeNames:  map[string]string{"#ver": attrVersion},
				ExpressionAttributeValues: map[string]types.AttributeValue{":ver": versionValue(w.Before.Version)},
			}})
		case w.Before == nil:
			ticketAt[i] = b.putNew(newTicketItem(*w.After))
		default:
			ticketAt[i] = b.putVersioned(newTicketItem(*w.After), w.Before.Version)
		}
	}
	msgFrom := len(b.items)
	for _, m := range c.Messages {
		b.putNew(newMessageItem(m))
	}
	msgTo := len(b.items)
	for _, r := range c.Revisions {
		addRevision(&b, r)
	}
	revTo := len(b.items)
	s.addMoves(&b, c.Moves) // split.go
	moveTo := len(b.items)
	dedupeAt := -1
	if d := c.Dedupe; d != nil {
		dedupeAt = b.putNew(withMessageCreated(s.dedupe(*d), c.Messages))
	}
	contactAt := -1
	if nc := c.Contact; nc != nil {
		contactAt = s.contactItems(&b, &nc.Contact, nc.Key)
	}
	editAt, editKeysFrom, editKeysTo := s.contactUpdateItems(&b, c.ContactUpdate)
	threadFrom := len(b.items)
	for _, k := range c.ThreadKeys {
		s.addThreadKey(&b, k)
	}
	loadFrom := len(b.items)
	loads := s.addLoadUpdates(&b, c.LoadItems())
	s.addRecords(&b, c.Activities, c.Notifications)
	outcomesFrom := len(b.items)
	addSLAOutcomes(&b, c.SLAOutcomes) // slaoutcome.go
	outcomesTo := len(b.items)
	if b.err != nil {
		return fmt.Errorf("commit: %w", b.err)
	}
	if len(b.items) > maxTransactItems {
		return helpdesk.Errorf(helpdesk.EInvalid, "change_too_large", "the change writes %d items, more than the %d one transaction takes", len(b.items), maxTransactItems)
	}
	err := s.transact(ctx, b.items, func(cn cancellation) error {
		switch {
		case cn.failed[dedupeAt], cn.anyBetween(msgFrom, msgTo):
			return ticket.ErrDuplicate
		case cn.anyBetween(threadFrom, loadFrom):
			return ticket.ErrThreadTaken
		case cn.failed[contactAt], cn.anyBetween(editKeysFrom, editKeysTo):
			return ticket.ErrContactTaken
		case cn.failed[editAt]:
			return ticket.ErrVersionChanged
		case cn.anyBetween(loadFrom, loadFrom+loads):
			return ticket.ErrLoadChanged
		}
		if cn.anyBetween(msgTo, revTo) || cn.anyBetween(revTo, moveTo) || cn.anyBetween(outcomesFrom, outcomesTo) {
			return ticket.ErrVersionChanged // a message revised (or moved, or sent) since it was read
		}
		for i := range c.Tickets {
			if cn.failed[ticketAt[i]] {
				return ticket.ErrVersionChanged
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("commit %s: %w", describe(c), err)
	}
	return nil
}

// describe names the tickets of a change, for errors.
func describe(c ticket.Change) string {
	ids := make([]string, 0, len(c.Tickets))
	for _, w := range c.Tickets {
		t := w.After
		if t == nil {
			t = w.Before
		}
		ids = append(ids, "ticket "+t.ID)
	}
	return strings.Join(ids, ", ")
}

// addThreadKey points a key at its ticket: a new key, or one that is this
// ticket's already (a re-sent Message-ID); a merge moves a key of the
// ticket it repoints from; a delete removes a key of its own.
func (s *Store) addThreadKey(b *txBuilder, k ticket.ThreadKey) {
	if k.Remove {
		b.add(types.TransactWriteItem{Delete: &types.Delete{
			Key:                       itemKey(threadPK(k.Key), skThread),
			ConditionExpression:       aws.String("attribute_not_exists(PK) OR ticketId = :id"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":id": &types.AttributeValueMemberS{Value: k.TicketID}},
		}})
		return
	}
	owner := k.TicketID
	if k.Repoint != "" {
		owner = k.Repoint
	}
	b.put(threadItem{keyAttrs: keyAttrs{PK: threadPK(k.Key), SK: skThread}, Key: k.Key, TicketID: k.TicketID, Created: s.now(), ExpiresAt: k.ExpiresAt},
		"attribute_not_exists(PK) OR ticketId = :owner",
		map[string]types.AttributeValue{":owner": &types.AttributeValueMemberS{Value: owner}})
}

// addLoadUpdates adds one Update per load item a change touches: its day
// buckets added to, its version bumped once. An item a routing decision
// expects is conditioned on the version the decision read, and drops the
// buckets that reading found expired. It returns how many it added.
func (s *Store) addLoadUpdates(b *txBuilder, items []ticket.LoadItem) int {
	for _, it := range items {
		names := map[string]string{"#v": attrVersion}
		values := map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}}
		adds := []string{"#v :one"}
		days := slices.Sorted(maps.Keys(it.Days))
		written := map[string]bool{}
		for i, day := range days {
			bucket := bucketPrefix + strconv.FormatInt(day, 10)
			n, v := "#d"+strconv.Itoa(i), ":d"+strconv.Itoa(i)
			names[n], values[v] = bucket, &types.AttributeValueMemberN{Value: strconv.Itoa(it.Days[day])}
			adds = append(adds, n+" "+v)
			written[bucket] = true
		}
		update := "ADD " + strings.Join(adds, ", ")
		var cond *string
		if l := it.Expect; l != nil {
			values[":ver"] = &types.AttributeValueMemberN{Value: strconv.FormatInt(l.Version, 10)}
			cond = aws.String("attribute_not_exists(#v) OR #v = :ver")
			var rm []string
			for i, st := range l.Expired {
				if written[st] {
					continue
				}
				k := "#s" + strconv.Itoa(i)
				names[k] = st
				rm = append(rm, k)
			}
			if len(rm) > 0 {
				update += " REMOVE " + strings.Join(rm, ", ")
			}
		}
		b.add(types.TransactWriteItem{Update: &types.Update{
			Key:                       itemKey(agentPK(it.AgentID), loadSK(it.Type)),
			UpdateExpression:          aws.String(update),
			ConditionExpression:       cond,
			ExpressionAttributeNames:  names,
			ExpressionAttributeValues: values,
		}})
	}
	return len(items)
}

func versionValue(v int64) types.AttributeValue {
	return &types.AttributeValueMemberN{Value: strconv.FormatInt(v, 10)}
}

// NotificationTTL is how long in-app notifications are kept.
const NotificationTTL = 90 * 24 * time.Hour

// addRecords adds a change's timeline entries and notifications.
func (s *Store) addRecords(b *txBuilder, acts []helpdesk.Activity, notes []helpdesk.Notification) {
	for _, a := range acts {
		b.putNew(activityItem{keyAttrs: keyAttrs{PK: ticketPK(a.TicketID), SK: activitySK(a.At, a.ID)}, Activity: a})
	}
	for _, n := range notes {
		b.putNew(notificationItem{
			keyAttrs:     keyAttrs{PK: notificationPK(n.Recipient), SK: notificationSK(n.At, n.ID)},
			Notification: n,
			ExpiresAt:    n.At.Add(NotificationTTL).Unix(),
		})
	}
}
