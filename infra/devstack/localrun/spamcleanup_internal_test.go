package localrun

import (
	"reflect"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// The stand-in stream's REMOVE records are the keys a write really
// deleted: a transaction's deletes, a batch's deletes but those it left
// unprocessed; a put removes nothing.
func TestDeletedKeysAreWhatTheWriteDeleted(t *testing.T) {
	key := func(pk, sk string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: sk}}
	}
	del := func(pk, sk string) types.WriteRequest {
		return types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: key(pk, sk)}}
	}
	batch := &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"t": {
		del("TICKET#1", "MSG#a"), del("TICKET#1", "MSG#b"), {PutRequest: &types.PutRequest{Item: key("TICKET#2", "TICKET")}}}}}
	left := &dynamodb.BatchWriteItemOutput{UnprocessedItems: map[string][]types.WriteRequest{"t": {del("TICKET#1", "MSG#b")}}}
	tx := &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Delete: &types.Delete{Key: key("TICKET#1", "TICKET")}}, {Put: &types.Put{Item: key("TICKET#2", "TICKET")}}}}
	cases := []struct {
		name           string
		params, result any
		want           []map[string]any
	}{
		{"batch", batch, left, []map[string]any{{"PK": map[string]any{"S": "TICKET#1"}, "SK": map[string]any{"S": "MSG#a"}}}},
		{"transaction", tx, nil, []map[string]any{{"PK": map[string]any{"S": "TICKET#1"}, "SK": map[string]any{"S": "TICKET"}}}},
		{"delete", &dynamodb.DeleteItemInput{Key: key("THREAD#x", "THREAD")}, nil, []map[string]any{{"PK": map[string]any{"S": "THREAD#x"}, "SK": map[string]any{"S": "THREAD"}}}},
		{"put", &dynamodb.PutItemInput{Item: key("TICKET#2", "TICKET")}, nil, nil},
	}
	for _, c := range cases {
		var got []map[string]any
		for _, k := range deletedKeys(c.params, c.result) {
			got = append(got, streamKeys(k))
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
