package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// A visit item written before the store kept the time once holds it twice
// ("at", RFC 3339, and "sortAt", fixed width): it still reads, and still
// keeps an older visit out.
func TestPortalVisitWrittenBefore(t *testing.T) {
	testbed.AWS(t, "DYNAMODB")
	s, db, table := newStore(t)
	ctx := context.Background()
	visit := t0.Add(90*time.Minute + 7*time.Nanosecond)
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &table, Item: map[string]types.AttributeValue{
		"PK":     &types.AttributeValueMemberS{Value: "PORTALVISIT#c1"},
		"SK":     &types.AttributeValueMemberS{Value: "PORTALVISIT"},
		"at":     &types.AttributeValueMemberS{Value: visit.Format(time.RFC3339Nano)},
		"sortAt": &types.AttributeValueMemberS{Value: helpdesk.SortTime(visit)},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.PortalVisit(ctx, "c1"); err != nil || !got.Equal(visit) {
		t.Fatalf("visit = %v, %v; want %v", got, err, visit)
	}
	if err := s.SetPortalVisit(ctx, "c1", visit.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.PortalVisit(ctx, "c1"); !got.Equal(visit) {
		t.Fatalf("after an older visit = %v; want %v kept", got, visit)
	}
	if err := s.SetPortalVisit(ctx, "c1", visit.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.PortalVisit(ctx, "c1"); !got.Equal(visit.Add(time.Minute)) {
		t.Fatalf("after a newer visit = %v; want %v", got, visit.Add(time.Minute))
	}
}
