package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// DueSLAChecks lists up to limit tickets whose SLA check is due at or
// before now (helpdesk.SLA.NextCheckAt <= now), the earliest due first,
// after the position `after` (the `last` of the previous page; "" from the
// start). It returns the position of its last ticket, to page on.
//
// One Query per shard of the sparse index GSI6 (keys only, so a page of
// 100 due tickets reads about 2 RCU, and an empty shard 0.5), merged by due
// time: each shard returns its own first `limit`, so the merged first
// `limit` are the index's first `limit`, and `last` is a position every
// shard can resume from. No Scan.
func (s *Store) DueSLAChecks(ctx context.Context, now time.Time, after string, limit int32) (ids []string, last string, err error) {
	if limit < 1 {
		return nil, "", fmt.Errorf("due SLA checks: limit %d: must be at least 1", limit)
	}
	bound := slaDueBound(now)
	if after >= bound {
		return nil, "", nil
	}
	keys := make([][]string, slaCheckShards)
	errs := make([]error, slaCheckShards)
	var wg sync.WaitGroup
	for shard := range slaCheckShards {
		wg.Add(1)
		go func() {
			defer wg.Done()
			keys[shard], errs[shard] = s.dueInShard(ctx, shard, after, bound, limit)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, "", fmt.Errorf("due SLA checks: %w", err)
	}
	all := slices.Concat(keys...)
	slices.Sort(all)
	all = all[:min(len(all), int(limit))]
	ids = make([]string, 0, len(all))
	for _, sk := range all {
		_, id, _ := strings.Cut(sk, "#") // "<time>#<id>": the time holds no '#'
		ids = append(ids, id)
	}
	if len(all) > 0 {
		last = all[len(all)-1]
	}
	return ids, last, nil
}

// dueInShard reads one shard's sort keys in (after, bound], earliest first.
func (s *Store) dueInShard(ctx context.Context, shard int, after, bound string, limit int32) ([]string, error) {
	cond := "GSI6PK = :pk AND GSI6SK <= :bound"
	values := map[string]types.AttributeValue{
		":pk":    &types.AttributeValueMemberS{Value: slaCheckPK(shard)},
		":bound": &types.AttributeValueMemberS{Value: bound},
	}
	if after != "" {
		// BETWEEN is inclusive: after+"\x00" is the first key past after.
		cond = "GSI6PK = :pk AND GSI6SK BETWEEN :after AND :bound"
		values[":after"] = &types.AttributeValueMemberS{Value: after + "\x00"}
	}
	out, err := s.db.Query(ctx, &dynamodb.QueryInput{
		TableName:                 &s.table,
		IndexName:                 aws.String(IndexSLACheck),
		KeyConditionExpression:    aws.String(cond),
		ExpressionAttributeValues: values,
		ProjectionExpression:      aws.String("GSI6SK"),
		Limit:                     aws.Int32(limit),
	})
	if err != nil {
		return nil, fmt.Errorf("shard %d: %w", shard, translate(err))
	}
	keys := make([]string, 0, len(out.Items))
	for _, it := range out.Items {
		if sk, ok := it["GSI6SK"].(*types.AttributeValueMemberS); ok {
			keys = append(keys, sk.Value)
		}
	}
	return keys, nil
}
