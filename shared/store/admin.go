package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// This file holds admins' changes of the desk's settings (channels, agents,
// teams, the settings item) and their audit trail.

// maxAdminItems is DynamoDB's limit of items in one transaction.
const maxAdminItems = 100

// auditItem is the stored form of an audit entry; before and after are
// kept as the JSON strings they are.
type auditItem struct {
	keyAttrs
	ID       string               `dynamodbav:"id"`
	At       time.Time            `dynamodbav:"at"`
	ActorID  string               `dynamodbav:"actorId"`
	Kind     helpdesk.AuditKind   `dynamodbav:"kind"`
	EntityID string               `dynamodbav:"entityId"`
	Action   helpdesk.AuditAction `dynamodbav:"action"`
	Before   string               `dynamodbav:"before,omitempty"`
	After    string               `dynamodbav:"after,omitempty"`
}

func newAuditItem(e helpdesk.AuditEntry) auditItem {
	return auditItem{keyAttrs: keyAttrs{PK: auditPK, SK: auditSK(e.At, e.ID)}, ID: e.ID, At: e.At.UTC(), ActorID: e.ActorID,
		Kind: e.Kind, EntityID: e.EntityID, Action: e.Action, Before: string(e.Before), After: string(e.After)}
}

func (it auditItem) entry() helpdesk.AuditEntry {
	e := helpdesk.AuditEntry{ID: it.ID, At: it.At, ActorID: it.ActorID, Kind: it.Kind, EntityID: it.EntityID, Action: it.Action}
	if it.Before != "" {
		e.Before = []byte(it.Before)
	}
	if it.After != "" {
		e.After = []byte(it.After)
	}
	return e
}

// CommitAdmin writes an admin's change with its audit entries in one
// transaction. Each item is conditioned on its Before: a create on the item
// not existing (ErrExists if it does), an update or delete on the version
// read (ErrVersionChanged if another writer changed or removed it since).
// Settings are validated as PutSettings does; the versions written are the
// Afters' (the caller bumps them).
func (s *Store) CommitAdmin(ctx context.Context, c helpdesk.AdminChange) error {
	var b txBuilder
	creates := map[int]bool{}
	if w := c.Settings; w != nil {
		if w.After == nil {
			return fmt.Errorf("commit settings: the settings cannot be deleted")
		}
		if err := w.After.Validate(); err != nil {
			return err
		}
		it := newSettingsItem(*w.After, w.After.Version, s.now())
		if w.Before == nil || w.Before.Version == 0 {
			creates[b.putNew(it)] = true
		} else {
			b.putVersioned(it, w.Before.Version)
		}
	}
	for _, w := range c.Channels {
		addAdminWrite(&b, creates, w.Before != nil, w.After != nil, func(c *helpdesk.Channel) (keyAttrs, int64) {
			return channelKeys(*c), c.Version
		}, w.Before, w.After)
	}
	for _, w := range c.Agents {
		addAdminWrite(&b, creates, w.Before != nil, w.After != nil, func(a *helpdesk.Agent) (keyAttrs, int64) {
			return agentKeys(*a), a.Version
		}, w.Before, w.After)
	}
	for _, w := range c.Teams {
		addAdminWrite(&b, creates, w.Before != nil, w.After != nil, func(t *helpdesk.Team) (keyAttrs, int64) {
			return teamKeys(*t), t.Version
		}, w.Before, w.After)
	}
	for _, e := range c.Audit {
		b.putNew(newAuditItem(e))
	}
	if b.err != nil {
		return b.err
	}
	if len(b.items) > maxAdminItems {
		return helpdesk.Errorf(helpdesk.EInvalid, "change_too_large", "the change writes %d items; at most %d at once", len(b.items), maxAdminItems)
	}
	return s.transact(ctx, b.items, func(cn cancellation) error {
		for i := range cn.failed {
			if creates[i] {
				return fmt.Errorf("commit admin change: %w", ErrExists)
			}
		}
		if len(cn.failed) > 0 {
			return fmt.Errorf("commit admin change: %w", ErrVersionChanged)
		}
		return nil
	})
}

// addAdminWrite adds one directory item's write: a create, a versioned
// replace or a versioned delete.
func addAdminWrite[T any](b *txBuilder, creates map[int]bool, hasBefore, hasAfter bool,
	keys func(*T) (keyAttrs, int64), before, after *T) {
	switch {
	case !hasBefore && hasAfter:
		k, _ := keys(after)
		av, err := entityItem(k, after)
		if err != nil && b.err == nil {
			b.err = err
		}
		creates[b.add(types.TransactWriteItem{Put: &types.Put{Item: av, ConditionExpression: aws.String("attribute_not_exists(PK)")}})] = true
	case hasBefore && hasAfter:
		k, _ := keys(after)
		_, v := keys(before)
		av, err := entityItem(k, after)
		if err != nil && b.err == nil {
			b.err = err
		}
		cond, names, values := versionCondition(v)
		b.add(types.TransactWriteItem{Put: &types.Put{Item: av, ConditionExpression: cond,
			ExpressionAttributeNames: names, ExpressionAttributeValues: values}})
	case hasBefore:
		k, v := keys(before)
		cond, names, values := versionCondition(v)
		b.add(types.TransactWriteItem{Delete: &types.Delete{Key: itemKey(k.PK, k.SK), ConditionExpression: cond,
			ExpressionAttributeNames: names, ExpressionAttributeValues: values}})
	}
}

// versionCondition holds an item to the version read; version 0 is an item
// written before it had one (seeded, or by a plain put).
func versionCondition(v int64) (*string, map[string]string, map[string]types.AttributeValue) {
	names := map[string]string{"#ver": attrVersion}
	if v == 0 {
		return aws.String("attribute_exists(PK) AND (attribute_not_exists(#ver) OR #ver = :ver)"), names,
			map[string]types.AttributeValue{":ver": versionValue(0)}
	}
	return aws.String("#ver = :ver"), names, map[string]types.AttributeValue{":ver": versionValue(v)}
}

// ListAgents returns every agent, by name (GSI3 AGENTS).
func (s *Store) ListAgents(ctx context.Context) ([]helpdesk.Agent, error) {
	return listPartition[helpdesk.Agent](ctx, s, "AGENTS")
}

// ListChannels returns every channel, by id (GSI3 CHANNELS).
func (s *Store) ListChannels(ctx context.Context) ([]helpdesk.Channel, error) {
	return listPartition[helpdesk.Channel](ctx, s, "CHANNELS")
}

// GetTeam reads a team.
func (s *Store) GetTeam(ctx context.Context, id string) (helpdesk.Team, error) {
	return getEntity[helpdesk.Team](ctx, s, "team", id, teamPK(id), skTeam)
}

// ListAudit returns up to limit audit entries, newest first, after the
// position `after` (the previous page's next; "" from the newest). next is
// "" at the end of the trail.
func (s *Store) ListAudit(ctx context.Context, after string, limit int32) ([]helpdesk.AuditEntry, string, error) {
	if after != "" && !ValidPosition(after) {
		return nil, "", helpdesk.Errorf(helpdesk.EInvalid, "invalid_cursor", "not a position of the audit trail")
	}
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: auditPK}},
		ScanIndexForward:          aws.Bool(false),
		Limit:                     aws.Int32(limit + 1), // one more says whether the trail goes on
	}
	if after != "" {
		in.ExclusiveStartKey = itemKey(auditPK, after)
	}
	out, err := s.db.Query(ctx, in)
	if err != nil {
		return nil, "", fmt.Errorf("list audit: %w", translate(err))
	}
	var items []auditItem
	if err := attributevalue.UnmarshalListOfMaps(out.Items, &items); err != nil {
		return nil, "", fmt.Errorf("decode audit: %w", err)
	}
	next := ""
	if len(items) > int(limit) {
		items = items[:limit]
		next = items[len(items)-1].SK
	}
	entries := make([]helpdesk.AuditEntry, 0, len(items))
	for _, it := range items {
		entries = append(entries, it.entry())
	}
	return entries, next, nil
}

// AuditSortKey is an entry's position in the trail (for the in-memory store).
func AuditSortKey(e helpdesk.AuditEntry) string { return auditSK(e.At, e.ID) }
