package store_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// The settings are one item whose pipelines are a list sorted by id: a
// map's order would make the same settings a different item on every write.
// (What the settings do is the contract's: shared/store/storetest.)
func TestSettingsItemListsPipelinesByID(t *testing.T) {
	s, db, table := newStore(t)
	ctx := context.Background()
	set := helpdesk.DefaultSettings()
	for _, id := range []string{"sales", "billing"} {
		set.Pipelines[id] = helpdesk.Pipeline{ID: id, Name: id, Stages: []helpdesk.Stage{{ID: "open", Name: "Open"}, {ID: "done", Name: "Done", Closed: true}}}
	}
	if err := s.CreateSettingsIfMissing(ctx, set); err != nil {
		t.Fatal(err)
	}
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, ConsistentRead: aws.Bool(true), Key: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "SETTINGS"}, "SK": &types.AttributeValueMemberS{Value: "SETTINGS"}}})
	if err != nil || out.Item == nil {
		t.Fatalf("settings item: %v, %v", out, err)
	}
	list, ok := out.Item["pipelines"].(*types.AttributeValueMemberL)
	if !ok {
		t.Fatalf("pipelines stored as %T, want a list", out.Item["pipelines"])
	}
	var ids []string
	for _, p := range list.Value {
		id, _ := p.(*types.AttributeValueMemberM).Value["id"].(*types.AttributeValueMemberS)
		ids = append(ids, id.Value)
	}
	if want := []string{"billing", "sales", "support"}; len(ids) != 3 || ids[0] != want[0] || ids[1] != want[1] || ids[2] != want[2] {
		t.Fatalf("pipelines stored in order %v, want %v", ids, want)
	}
	if v, ok := out.Item["version"].(*types.AttributeValueMemberN); !ok || v.Value != "1" {
		t.Fatalf("version stored as %v", out.Item["version"])
	}
}
