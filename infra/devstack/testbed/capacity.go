package testbed

import (
	"context"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/store"
)

// CapacityMeter wraps a DynamoDB client and adds up the capacity units the
// calls through it would consume on DynamoDB (on-demand pricing).
//
// Reads use the ConsumedCapacity DynamoDB Local returns, which matches
// DynamoDB for single-item calls. DynamoDB Local's figures for
// TransactWriteItems are wrong (it reports 4 x the distinct per-item units),
// so writes are computed from the items themselves, with DynamoDB's sizing
// rules: a transactional write costs 2 units per KB (rounded up) of each
// item, a standard write 1, and every GSI the item is in costs one standard
// write per KB (rounded up) of its entry: the whole item for an index that
// projects ALL attributes, the keys (and included attributes) otherwise.
// The indexes, their keys and projections are the table's own, read once
// with DescribeTable. Writes are sized by the item as written (a moved
// index key, which DynamoDB bills as a delete and a put, counts once).
type CapacityMeter struct {
	DB    *dynamodb.Client
	Table string

	once    sync.Once
	indexes []meteredIndex

	mu    sync.Mutex
	Read  float64
	Write float64
}

// meteredIndex is what sizes an entry of one GSI.
type meteredIndex struct {
	keys    []string // the index's key attributes (an item lacking one is not in it)
	project func(item map[string]types.AttributeValue) map[string]types.AttributeValue
}

var _ store.DB = (*CapacityMeter)(nil)

// Reset zeroes the counters.
func (m *CapacityMeter) Reset() {
	m.mu.Lock()
	m.Read, m.Write = 0, 0
	m.mu.Unlock()
}

func (m *CapacityMeter) add(read, write float64) {
	m.mu.Lock()
	m.Read += read
	m.Write += write
	m.mu.Unlock()
}

func consumed(cc *types.ConsumedCapacity) float64 {
	if cc == nil {
		return 0
	}
	return aws.ToFloat64(cc.CapacityUnits)
}

func (m *CapacityMeter) GetItem(ctx context.Context, in *dynamodb.GetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.GetItemOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := m.DB.GetItem(ctx, in, opts...)
	if err == nil {
		m.add(consumed(out.ConsumedCapacity), 0)
	}
	return out, err
}

func (m *CapacityMeter) Query(ctx context.Context, in *dynamodb.QueryInput, opts ...func(*dynamodb.Options)) (*dynamodb.QueryOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := m.DB.Query(ctx, in, opts...)
	if err == nil {
		m.add(consumed(out.ConsumedCapacity), 0)
	}
	return out, err
}

func (m *CapacityMeter) BatchGetItem(ctx context.Context, in *dynamodb.BatchGetItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchGetItemOutput, error) {
	in.ReturnConsumedCapacity = types.ReturnConsumedCapacityTotal
	out, err := m.DB.BatchGetItem(ctx, in, opts...)
	if err == nil {
		for i := range out.ConsumedCapacity {
			m.add(consumed(&out.ConsumedCapacity[i]), 0)
		}
	}
	return out, err
}

func (m *CapacityMeter) BatchWriteItem(ctx context.Context, in *dynamodb.BatchWriteItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.BatchWriteItemOutput, error) {
	out, err := m.DB.BatchWriteItem(ctx, in, opts...)
	if err == nil {
		for _, reqs := range in.RequestItems {
			for _, r := range reqs {
				if r.PutRequest != nil {
					m.add(0, m.writeUnits(r.PutRequest.Item, 1))
				} else {
					m.add(0, 1)
				}
			}
		}
	}
	return out, err
}

func (m *CapacityMeter) PutItem(ctx context.Context, in *dynamodb.PutItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.PutItemOutput, error) {
	out, err := m.DB.PutItem(ctx, in, opts...)
	if err == nil {
		m.add(0, m.writeUnits(in.Item, 1))
	}
	return out, err
}

func (m *CapacityMeter) UpdateItem(ctx context.Context, in *dynamodb.UpdateItemInput, opts ...func(*dynamodb.Options)) (*dynamodb.UpdateItemOutput, error) {
	out, err := m.DB.UpdateItem(ctx, in, opts...)
	if err == nil {
		m.add(0, m.writeUnits(m.current(ctx, in.Key), 1))
	}
	return out, err
}

func (m *CapacityMeter) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, opts ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	out, err := m.DB.TransactWriteItems(ctx, in, opts...)
	if err != nil {
		return out, err
	}
	var units float64
	for _, it := range in.TransactItems {
		switch {
		case it.Put != nil:
			units += m.writeUnits(it.Put.Item, 2)
		case it.Update != nil:
			units += m.writeUnits(m.current(ctx, it.Update.Key), 2)
		case it.ConditionCheck != nil:
			units += 2 * kb(ItemSize(m.current(ctx, it.ConditionCheck.Key)))
		case it.Delete != nil:
			units += 2 // sized by the deleted item, which is gone; 1 KB assumed
		}
	}
	m.add(0, units)
	return out, nil
}

// current reads an item after a write, outside the meter, to size it.
func (m *CapacityMeter) current(ctx context.Context, key map[string]types.AttributeValue) map[string]types.AttributeValue {
	out, err := m.DB.GetItem(ctx, &dynamodb.GetItemInput{TableName: &m.Table, Key: key, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil
	}
	return out.Item
}

func (m *CapacityMeter) writeUnits(item map[string]types.AttributeValue, perKB float64) float64 {
	units := perKB * kb(ItemSize(item))
	for _, ix := range m.gsis() {
		if in(item, ix.keys) {
			units += kb(ItemSize(ix.project(item)))
		}
	}
	return units
}

// gsis reads the table's global secondary indexes once (none if the table
// cannot be described: then only the table's units are counted).
func (m *CapacityMeter) gsis() []meteredIndex {
	m.once.Do(func() {
		out, err := m.DB.DescribeTable(context.Background(), &dynamodb.DescribeTableInput{TableName: &m.Table})
		if err != nil || out.Table == nil {
			return
		}
		var tableKeys []string
		for _, k := range out.Table.KeySchema {
			tableKeys = append(tableKeys, aws.ToString(k.AttributeName))
		}
		for _, g := range out.Table.GlobalSecondaryIndexes {
			var keys []string
			for _, k := range g.KeySchema {
				keys = append(keys, aws.ToString(k.AttributeName))
			}
			m.indexes = append(m.indexes, meteredIndex{keys: keys, project: projection(g.Projection, append(keys, tableKeys...))})
		}
	})
	return m.indexes
}

// projection returns what an index entry holds of an item: all of it, or
// its keys and the included attributes.
func projection(p *types.Projection, keys []string) func(map[string]types.AttributeValue) map[string]types.AttributeValue {
	if p == nil || p.ProjectionType == types.ProjectionTypeAll {
		return func(item map[string]types.AttributeValue) map[string]types.AttributeValue { return item }
	}
	attrs := append(slices.Clone(keys), p.NonKeyAttributes...)
	return func(item map[string]types.AttributeValue) map[string]types.AttributeValue {
		entry := map[string]types.AttributeValue{}
		for _, a := range attrs {
			if v, ok := item[a]; ok {
				entry[a] = v
			}
		}
		return entry
	}
}

func in(item map[string]types.AttributeValue, keys []string) bool {
	for _, k := range keys {
		if _, ok := item[k]; !ok {
			return false
		}
	}
	return true
}

func kb(size int) float64 {
	if size == 0 {
		return 1
	}
	return float64((size + 1023) / 1024)
}

// ItemSize is an item's size by DynamoDB's rules: attribute names plus values.
func ItemSize(item map[string]types.AttributeValue) int {
	n := 0
	for k, v := range item {
		n += len(k) + valueSize(v)
	}
	return n
}

func valueSize(v types.AttributeValue) int {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return len(v.Value)
	case *types.AttributeValueMemberN:
		return (len(v.Value)+1)/2 + 1
	case *types.AttributeValueMemberB:
		return len(v.Value)
	case *types.AttributeValueMemberBOOL, *types.AttributeValueMemberNULL:
		return 1
	case *types.AttributeValueMemberSS:
		n := 0
		for _, s := range v.Value {
			n += len(s)
		}
		return n
	case *types.AttributeValueMemberL:
		n := 3
		for _, e := range v.Value {
			n += 1 + valueSize(e)
		}
		return n
	case *types.AttributeValueMemberM:
		n := 3
		for k, e := range v.Value {
			n += 1 + len(k) + valueSize(e)
		}
		return n
	}
	return 0
}
