package testbed_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
)

// The meter's computed write units for new items equal what DynamoDB
// Local reports for the same single PutItem, index by index (its per-index
// report for one put matches DynamoDB's billing; only its transaction
// figures are wrong): the table's and template.yaml's indexes, with
// GSI1-4 projecting the whole item and GSI5-6 keys only.
func TestCapacityMeterSizesIndexEntriesByTheirProjection(t *testing.T) {
	db, table := testbed.Table(t)
	meter := &testbed.CapacityMeter{DB: db, Table: table}
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	body := s(strings.Repeat("x", 1500)) // a ~1.5 KB item: 2 units in an ALL index, 1 in a keys-only one
	for _, c := range []struct {
		what string
		item map[string]types.AttributeValue
	}{
		{"in no index", map[string]types.AttributeValue{"PK": s("A"), "SK": s("1"), "body": body}},
		{"in GSI1 and GSI3 (all attributes)", map[string]types.AttributeValue{"PK": s("B"), "SK": s("1"), "body": body,
			"GSI1PK": s("OWNER#ann"), "GSI1SK": s("open#1"), "GSI3PK": s("STATE#open"), "GSI3SK": s("1")}},
		{"in GSI1 and GSI6 (keys only)", map[string]types.AttributeValue{"PK": s("C"), "SK": s("1"), "body": body,
			"GSI1PK": s("OWNER#ann"), "GSI1SK": s("open#2"), "GSI6PK": s("SLACHECK#1"), "GSI6SK": s("2026-11-30T12:00:00Z#1")}},
		{"in GSI5 (keys only) by half a key", map[string]types.AttributeValue{"PK": s("D"), "SK": s("1"), "body": body, "GSI5PK": s("OUTBOX")}},
	} {
		meter.Reset()
		out, err := meter.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &table, Item: c.item,
			ReturnConsumedCapacity: types.ReturnConsumedCapacityIndexes})
		if err != nil {
			t.Fatal(err)
		}
		cc := out.ConsumedCapacity
		reported := aws.ToFloat64(cc.Table.CapacityUnits)
		for _, g := range cc.GlobalSecondaryIndexes {
			reported += aws.ToFloat64(g.CapacityUnits)
		}
		if meter.Write != reported {
			t.Errorf("%s: the meter counts %v write units, DynamoDB Local reports %v (%d indexes)", c.what, meter.Write, reported, len(cc.GlobalSecondaryIndexes))
		}
	}
}
