package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// This file holds the paged reads of a ticket's page in the console: its
// timeline, its contacts, and their other tickets.

// maxTimelinePage bounds a timeline page (each stream reads one more).
const maxTimelinePage = 500

// Timeline returns one page of ticket t's timeline: messages, notes and
// activities, of t and of the tickets merged into it (recursively), in one
// time order (newest first unless q.Oldest), and the position to continue
// from ("" at the end).
//
// A partition holds messages (MSG#<time>#<id>) and activities
// (ACT#<time>#<id>) as two sorted streams. Each stream of each partition
// is one Query from the position (ExclusiveStartKey), limited to a page and
// one entry: the streams are merged and the page is the first Limit
// entries. The position is "<time>#<id>", the same in every stream, so one
// position continues them all. A kind filter reads one stream (notes and
// messages share one, told apart by a filter: a page of notes may read
// past many messages). A merged ticket costs one GetItem per ticket merged
// into it, and its streams' queries.
func (s *Store) Timeline(ctx context.Context, t helpdesk.Ticket, q helpdesk.TimelineQuery) ([]helpdesk.TimelineEntry, string, error) {
	if q.Limit < 1 || q.Limit > maxTimelinePage {
		return nil, "", fmt.Errorf("timeline of %s: limit %d: must be 1 to %d", t.ID, q.Limit, maxTimelinePage)
	}
	if q.After != "" && !ValidTimelineCursor(q.After) {
		return nil, "", ErrInvalidCursor
	}
	parts, err := s.mergedPartitions(ctx, t)
	if err != nil {
		return nil, "", fmt.Errorf("timeline of %s: %w", t.ID, err)
	}
	type positioned struct {
		pos string
		e   helpdesk.TimelineEntry
	}
	var all []positioned
	for _, pid := range parts {
		for _, prefix := range timelinePrefixes(q.Kind) {
			items, err := s.timelineStream(ctx, pid, prefix, q)
			if err != nil {
				return nil, "", fmt.Errorf("timeline of %s: %w", t.ID, err)
			}
			for _, av := range items {
				sk := av[attrSK].(*types.AttributeValueMemberS).Value
				e, err := decodeEntry(prefix, av)
				if err != nil {
					return nil, "", fmt.Errorf("timeline of %s: partition %s: %w", t.ID, pid, err)
				}
				all = append(all, positioned{pos: strings.TrimPrefix(sk, prefix), e: e})
			}
		}
	}
	slices.SortFunc(all, func(a, b positioned) int {
		if q.Oldest {
			return strings.Compare(a.pos, b.pos)
		}
		return strings.Compare(b.pos, a.pos)
	})
	next := ""
	if len(all) > q.Limit {
		all = all[:q.Limit]
		next = all[len(all)-1].pos
	}
	out := make([]helpdesk.TimelineEntry, len(all))
	for i, p := range all {
		out[i] = p.e
	}
	return out, next, nil
}

// ValidTimelineCursor checks that a position has the shape of a timeline
// sort key's tail: "<time>#<id>".
func ValidTimelineCursor(pos string) bool {
	_, ok := ParseViewCursor(pos, false)
	return ok
}

// mergedPartitions lists t's partition and those of the tickets merged
// into it, recursively (a ticket since deleted is skipped).
func (s *Store) mergedPartitions(ctx context.Context, t helpdesk.Ticket) ([]string, error) {
	var parts []string
	err := ticket.EachMerged(t.ID, func(pid string) ([]string, error) {
		if pid == t.ID {
			parts = append(parts, pid)
			return t.MergedFrom, nil
		}
		it, err := s.getTicketItem(ctx, pid)
		if errors.Is(err, ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		parts = append(parts, pid)
		return it.MergedFrom, nil
	})
	return parts, err
}

// timelinePrefixes are the sort-key streams a kind reads.
func timelinePrefixes(k helpdesk.TimelineKind) []string {
	switch k {
	case helpdesk.TimelineMessage, helpdesk.TimelineNote:
		return []string{skMsgPrefix}
	case helpdesk.TimelineActivity:
		return []string{skActPrefix}
	}
	return []string{skMsgPrefix, skActPrefix}
}

// timelineStream reads up to q.Limit+1 entries of one stream of partition
// pid from q.After, in q's order.
func (s *Store) timelineStream(ctx context.Context, pid, prefix string, q helpdesk.TimelineQuery) ([]map[string]types.AttributeValue, error) {
	want := q.Limit + 1
	in := &dynamodb.QueryInput{
		TableName:              &s.table,
		KeyConditionExpression: aws.String("PK = :pk AND begins_with(SK, :prefix)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": &types.AttributeValueMemberS{Value: ticketPK(pid)}, ":prefix": &types.AttributeValueMemberS{Value: prefix}},
		ScanIndexForward: aws.Bool(q.Oldest),
		ConsistentRead:   aws.Bool(true),
		Limit:            aws.Int32(int32(want)),
	}
	switch q.Kind {
	case helpdesk.TimelineMessage, helpdesk.TimelineNote:
		op := "<>"
		if q.Kind == helpdesk.TimelineNote {
			op = "="
		}
		in.FilterExpression = aws.String("#dir " + op + " :note")
		in.ExpressionAttributeNames = map[string]string{"#dir": "direction"}
		in.ExpressionAttributeValues[":note"] = &types.AttributeValueMemberS{Value: string(helpdesk.Note)}
	}
	if q.After != "" {
		in.ExclusiveStartKey = itemKey(ticketPK(pid), prefix+q.After)
	}
	var out []map[string]types.AttributeValue
	for {
		res, err := s.db.Query(ctx, in)
		if err != nil {
			return nil, fmt.Errorf("query %s %s: %w", ticketPK(pid), prefix, translate(err))
		}
		out = append(out, res.Items...)
		if len(out) >= want || len(res.LastEvaluatedKey) == 0 {
			return out[:min(len(out), want)], nil
		}
		in.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

func decodeEntry(prefix string, av map[string]types.AttributeValue) (helpdesk.TimelineEntry, error) {
	if prefix == skActPrefix {
		var a helpdesk.Activity
		if err := attributevalue.UnmarshalMap(av, &a); err != nil {
			return helpdesk.TimelineEntry{}, fmt.Errorf("decode activity: %w", err)
		}
		return helpdesk.TimelineEntry{Activity: &a}, nil
	}
	var m helpdesk.Message
	if err := attributevalue.UnmarshalMap(av, &m); err != nil {
		return helpdesk.TimelineEntry{}, fmt.Errorf("decode message: %w", err)
	}
	return helpdesk.TimelineEntry{Message: &m}, nil
}
