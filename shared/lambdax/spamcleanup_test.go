package lambdax

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"testing"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

type fakeCleaner struct {
	purged, messages []string
	last             []*helpdesk.Ticket
	sweeps           int
	failOn           string
}

func (f *fakeCleaner) Purge(_ context.Context, id string, last *helpdesk.Ticket) error {
	if id == f.failOn {
		return errors.New("throttled")
	}
	f.purged = append(f.purged, id)
	f.last = append(f.last, last)
	return nil
}
func (f *fakeCleaner) Message(_ context.Context, m helpdesk.Message) error {
	f.messages = append(f.messages, m.ID)
	return nil
}
func (f *fakeCleaner) Sweep(context.Context) (int, error) { f.sweeps++; return 3, nil }

// ttlBatch is the recorded TTL removal (events/spam-cleanup) followed by
// an agent's delete of another ticket (no userIdentity: not TTL's), a TTL
// removal of a message and one of a third ticket.
func ttlBatch(t *testing.T) []byte {
	t.Helper()
	raw, err := os.ReadFile("../../events/spam-cleanup/ttl-remove.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev struct{ Records []map[string]any }
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	clone := func(pk, sk string, img map[string]any, identity bool, seq string) map[string]any {
		var fresh struct{ Records []map[string]any }
		_ = json.Unmarshal(raw, &fresh)
		r := fresh.Records[0]
		d := r["dynamodb"].(map[string]any)
		d["Keys"] = map[string]any{"PK": map[string]any{"S": pk}, "SK": map[string]any{"S": sk}}
		d["OldImage"], d["SequenceNumber"] = img, seq
		if !identity {
			delete(r, "userIdentity")
		}
		return r
	}
	s := func(v string) map[string]any { return map[string]any{"S": v} }
	ev.Records = append(ev.Records,
		clone("TICKET#7", "TICKET", map[string]any{"id": s("7"), "state": s("open")}, false, "2"),
		clone("TICKET#4242", "MSG#2026-08-01T09:05:00.000000000Z#m2", map[string]any{"id": s("m2"), "ticketId": s("4242"), "text": s("buy now"),
			"attachments": map[string]any{"L": []any{map[string]any{"M": map[string]any{"name": s("a.pdf"), "contentType": s("application/pdf"), "size": map[string]any{"N": "3"}, "key": s("attachments/ses-1/00-a.pdf")}}}}}, true, "3"),
		clone("TICKET#99", "TICKET", map[string]any{"id": s("99"), "state": s("spam")}, true, "4"),
	)
	out, err := json.Marshal(ev)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TTL removals of tickets and messages are purged from their old images;
// another delete is not TTL's and is left alone; the schedule's input
// sweeps instead.
func TestSpamCleanupPurgesTTLRemovalsAndSweepsOnSchedule(t *testing.T) {
	c := &fakeCleaner{}
	h := SpamCleanupHandler(c, quiet)
	resp, err := h(context.Background(), ttlBatch(t))
	if err != nil || resp == nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("resp %+v, %v", resp, err)
	}
	if !slices.Equal(c.purged, []string{"4242", "99"}) || !slices.Equal(c.messages, []string{"m2"}) || c.sweeps != 0 {
		t.Fatalf("purged %v, messages %v, sweeps %d", c.purged, c.messages, c.sweeps)
	}
	if l := c.last[0]; l == nil || l.Subject != "Cheap watches" || !slices.Contains(l.ThreadKeys, "ticket#4242") || l.ExpiresAt != 1793264700 {
		t.Fatalf("the old image as the purge got it: %+v", l)
	}
	if resp, err := h(context.Background(), json.RawMessage(`{"source": "stackdesk.spam-cleanup"}`)); err != nil || resp != nil || c.sweeps != 1 {
		t.Fatalf("schedule: %+v, %v, sweeps %d", resp, err, c.sweeps)
	}
}

// A record that fails is reported, with nothing after it attempted: Lambda
// retries the batch from its sequence number.
func TestSpamCleanupReportsTheFirstFailedRecord(t *testing.T) {
	c := &fakeCleaner{failOn: "4242"}
	resp, err := SpamCleanupHandler(c, quiet)(context.Background(), ttlBatch(t))
	if err != nil || len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "4421584500000000017450439091" {
		t.Fatalf("resp %+v, %v", resp, err)
	}
	if len(c.purged)+len(c.messages) != 0 {
		t.Fatalf("records after the failed one were attempted: %v %v", c.purged, c.messages)
	}
}
