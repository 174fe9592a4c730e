package lambdax

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/stackdesk/stackdesk/shared/app/index"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/store/memstore"
)

type failingIndexer struct{}

func (failingIndexer) ApplyAll(context.Context, []index.Change) error { return errors.New("throttled") }

// A stream batch as DynamoDB delivers it (events/search-indexer): the new
// ticket's subject, its first message and its new contact are indexed; a
// change that keeps the subject, a message's status update and a removal
// add nothing; a failure fails the batch (Lambda retries it).
func TestSearchIndexerIndexesAStreamBatch(t *testing.T) {
	ev := streamBatch(t)
	st := memstore.New()
	h := SearchIndexerHandler(&index.Service{Store: st}, quiet)
	ctx := context.Background()
	if err := h(ctx, ev); err != nil {
		t.Fatal(err)
	}
	for term, field := range map[string]string{"invoice": "m", "missing": "s", "7781": "m"} {
		hits, _ := st.FindTickets(ctx, term, 10)
		if len(hits) == 0 || hits[0].TicketID != "1042" || !slices.ContainsFunc(hits, func(h store.TicketHit) bool { return string(h.Field) == field }) {
			t.Errorf("%s: %v", term, hits)
		}
	}
	if hits, _ := st.FindContacts(ctx, "ana@example.com", 10); len(hits) != 1 || hits[0].ContactID != "c-ana" {
		t.Errorf("the contact's email: %v", hits)
	}
	if hits, _ := st.FindTickets(ctx, "deleted", 10); len(hits) != 0 {
		t.Errorf("a removed ticket was indexed: %v", hits)
	}
	// Redelivered: nothing new is written.
	if n, _ := st.IndexTicket(ctx, "1042", index.MessageTerms(*mustMessage(t, ev.Records[1]).Message)); n != 0 {
		t.Errorf("a redelivered message wrote %d terms", n)
	}
	if err := SearchIndexerHandler(failingIndexer{}, quiet)(ctx, ev); err == nil {
		t.Fatal("a failed index write did not fail the batch")
	}
}

func mustMessage(t *testing.T, rec events.DynamoDBEventRecord) *index.Change {
	t.Helper()
	c, ok, err := streamChange(rec)
	if err != nil || !ok || c.Message == nil {
		t.Fatalf("record %s: %v %v", rec.EventID, ok, err)
	}
	return &c
}

// The desk clock the consoles poll moves once per batch that changed a
// ticket (the recorded batch: tickets created, changed and removed), and
// not for a batch of contacts only.
func TestSearchIndexerMovesTheDeskClockOncePerBatch(t *testing.T) {
	ev := streamBatch(t)
	st := memstore.New()
	h := SearchIndexerHandler(&index.Service{Store: st}, quiet)
	ctx := context.Background()
	if err := h(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if c, _ := st.Clock(ctx); c.Version != 1 {
		t.Fatalf("after a batch of ticket changes: version %d, want 1", c.Version)
	}
	contacts := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{ev.Records[2]}}
	if err := h(ctx, contacts); err != nil {
		t.Fatal(err)
	}
	if c, _ := st.Clock(ctx); c.Version != 1 {
		t.Fatalf("after a batch of a contact only: version %d, want 1", c.Version)
	}
	removed := events.DynamoDBEvent{Records: []events.DynamoDBEventRecord{ev.Records[5]}}
	if err := h(ctx, removed); err != nil {
		t.Fatal(err)
	}
	if c, _ := st.Clock(ctx); c.Version != 2 {
		t.Fatalf("after a ticket removed: version %d, want 2", c.Version)
	}
}

// streamBatch is the recorded stream batch (events/search-indexer).
func streamBatch(t *testing.T) events.DynamoDBEvent {
	t.Helper()
	raw, err := os.ReadFile("../../events/search-indexer/stream-batch.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.DynamoDBEvent
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}
