package store

import (
	"context"
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
	"github.com/stackdesk/stackdesk/shared/routing"
)

// An agent's load of one ticket type is one item (AGENT#<id> / LOAD#<type>)
// holding a count per UTC day of assignment ("d<day number>") and a version.
// Load = the sum of the last LoadWindowDays days, so tickets age out of the
// 30-day window by themselves: no scheduled job. Every event that changes a
// count (assign, reassign, close, reopen, spam, delete, merge) adds -1/+1 to
// the day the ticket was assigned, in the same transaction as the ticket.

const (
	loadSKPrefix = "LOAD#"
	bucketPrefix = "d"
	attrVersion  = "version"
)

func loadSK(t helpdesk.TicketType) string { return loadSKPrefix + string(t) }

// Loads reads the loads of agents for one ticket type at now.
func (s *Store) Loads(ctx context.Context, agentIDs []string, typ helpdesk.TicketType, now time.Time) (map[string]routing.Load, error) {
	keys := make([][2]string, len(agentIDs))
	for i, id := range agentIDs {
		keys[i] = [2]string{agentPK(id), loadSK(typ)}
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("read loads: %w", err)
	}
	today := helpdesk.DayNumber(now)
	out := make(map[string]routing.Load, len(agentIDs))
	for _, it := range items {
		id := strings.TrimPrefix(it[attrPK].(*types.AttributeValueMemberS).Value, "AGENT#")
		var l routing.Load
		for name, v := range it {
			n, ok := v.(*types.AttributeValueMemberN)
			if !ok {
				continue
			}
			x, _ := strconv.ParseInt(n.Value, 10, 64)
			if name == attrVersion {
				l.Version = x
				continue
			}
			day, err := strconv.ParseInt(strings.TrimPrefix(name, bucketPrefix), 10, 64)
			if !strings.HasPrefix(name, bucketPrefix) || err != nil {
				continue
			}
			if age := today - day; age >= 0 && age < helpdesk.LoadWindowDays {
				l.Count += int(x)
			} else if age >= helpdesk.LoadWindowDays {
				l.Expired = append(l.Expired, name)
			}
		}
		out[id] = l
	}
	return out, nil
}

// NextSlot advances a round-robin rotation and returns this pick's slot.
// The atomic counter gives every concurrent router its own slot, so turns
// are neither skipped nor taken twice.
func (s *Store) NextSlot(ctx context.Context, rotation string) (int64, error) {
	n, err := s.increment(ctx, "rr#"+rotation)
	if err != nil {
		return 0, fmt.Errorf("round robin %s: %w", rotation, err)
	}
	return n - 1, nil
}

// GetAgents reads agent profiles; unknown ids are absent from the result.
func (s *Store) GetAgents(ctx context.Context, ids []string) (map[string]helpdesk.Agent, error) {
	keys := make([][2]string, len(ids))
	for i, id := range ids {
		keys[i] = [2]string{agentPK(id), skAgent}
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("read agents: %w", err)
	}
	out := make(map[string]helpdesk.Agent, len(items))
	for _, it := range items {
		var a helpdesk.Agent
		if err := attributevalue.UnmarshalMap(it, &a); err != nil {
			return nil, fmt.Errorf("decode agent: %w", err)
		}
		out[a.ID] = a
	}
	return out, nil
}

// TeamMembers reads the member lists of teams.
func (s *Store) TeamMembers(ctx context.Context, ids []string) (map[string][]string, error) {
	keys := make([][2]string, len(ids))
	for i, id := range ids {
		keys[i] = [2]string{teamPK(id), skTeam}
	}
	items, err := s.batchGet(ctx, keys)
	if err != nil {
		return nil, fmt.Errorf("read teams: %w", err)
	}
	out := make(map[string][]string, len(items))
	for _, it := range items {
		var t helpdesk.Team
		if err := attributevalue.UnmarshalMap(it, &t); err != nil {
			return nil, fmt.Errorf("decode team: %w", err)
		}
		out[t.ID] = t.MemberIDs
	}
	return out, nil
}

// batchGet reads items by (PK, SK), consistently, 100 keys a call, retrying
// unprocessed keys.
func (s *Store) batchGet(ctx context.Context, keys [][2]string) ([]map[string]types.AttributeValue, error) {
	return s.batchRead(ctx, keys, true)
}

// batchRead is batchGet, consistent or not (half the read units).
func (s *Store) batchRead(ctx context.Context, keys [][2]string, consistent bool) ([]map[string]types.AttributeValue, error) {
	var out []map[string]types.AttributeValue
	seen := map[[2]string]bool{}
	var pending []map[string]types.AttributeValue
	for _, k := range keys {
		if !seen[k] {
			seen[k] = true
			pending = append(pending, itemKey(k[0], k[1]))
		}
	}
	for attempt := 0; len(pending) > 0; attempt++ {
		n := min(len(pending), 100)
		batch := pending[:n]
		pending = pending[n:]
		res, err := s.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
			s.table: {Keys: batch, ConsistentRead: aws.Bool(consistent)},
		}})
		if err != nil {
			return nil, translate(err)
		}
		out = append(out, res.Responses[s.table]...)
		if left := res.UnprocessedKeys[s.table].Keys; len(left) > 0 {
			if attempt > 10 {
				return nil, fmt.Errorf("%w: unprocessed keys after %d attempts", ErrContention, attempt)
			}
			pending = append(pending, left...)
			if err := retry.Backoff(ctx, attempt, 10*time.Millisecond); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}
