package purge_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/purge"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// The spam purge end to end on DynamoDB Local and moto's S3. Three spam
// tickets and a neighbour: TTL (which the emulator does not run) removes
// part of the first ticket's items, replayed to the function's handler as
// the stream records DynamoDB delivers (REMOVE, the old image, the TTL
// service's userIdentity), along with an agent's delete that is not TTL's;
// then the daily sweep runs with an injected clock past the second
// ticket's expiry, not the third's. A full scan of the table and listing
// of the bucket show nothing of the first two left, and the other two whole.
func TestSpamPurgeFromTTLStreamAndSweep(t *testing.T) {
	s := newScenario(t, testbed.DynamoDB)
	d := s.st.(*testbed.DynamoDBStore)
	a := s.openMailTicket("4242", "spammer@spam.example", "", 4)
	b := s.openMailTicket("4343", "bulk@spam.example", "", 3)
	s.openMailTicket("4444", "later@spam.example", "", 2)
	s.openMailTicket("77", "ana@example.com", "ann", 2)
	for id, days := range map[string]int{"4242": 90, "4343": 90, "4444": 100} {
		s.change(id, func(t helpdesk.Ticket) (ticket.Change, error) { return ticket.MarkSpam(t, "ann", s.now) })
		at := s.now.Add(time.Duration(days) * 24 * time.Hour)
		if err := d.SetSpamExpiry(s.ctx, id, &at); err != nil {
			t.Fatal(err)
		}
	}
	// Every item hanging off the spam ticket has its TTL, but its term
	// items (keys only; the purge removes them when TTL removes the ticket).
	expiring := 0
	for _, it := range scanAll(t, d) {
		if strings.HasPrefix(fmt.Sprint(it["PK"]), "TERM#") {
			continue
		}
		if strings.Contains(fmt.Sprint(it["PK"]), "4242") || it["ticketId"] == "4242" && strings.HasPrefix(fmt.Sprint(it["PK"]), "THREAD#") {
			if it["expiresAt"] == nil {
				t.Errorf("%v / %v has no expiresAt", it["PK"], it["SK"])
			}
			expiring++
		}
	}
	if expiring < 4+1+1+2+1 { // messages + note + ticket + keys + terms record
		t.Fatalf("only %d items of ticket 4242 expire", expiring)
	}

	s.now = s.now.Add(91 * 24 * time.Hour)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	cleanup := &purge.Cleanup{Service: s.service(), Spam: d}
	h := lambdax.SpamCleanupHandler(cleanup, log)

	// TTL removes ticket 4242's item, its thread keys and two of its
	// messages (TTL works through expired items in no order, over days).
	var removed []map[string]types.AttributeValue
	msgs := 0
	for _, it := range rawScan(t, d) {
		pk, sk := str(it["PK"]), str(it["SK"])
		isMsg := pk == "TICKET#4242" && strings.HasPrefix(sk, "MSG#") && msgs < 2
		if isMsg {
			msgs++
		}
		if (pk == "TICKET#4242" && sk == "TICKET") || isMsg || (strings.HasPrefix(pk, "THREAD#") && str(it["ticketId"]) == "4242") {
			removed = append(removed, it)
		}
	}
	var records []any
	for i, it := range removed {
		if _, err := d.DB.DeleteItem(s.ctx, &dynamodb.DeleteItemInput{TableName: &d.Table, Key: map[string]types.AttributeValue{"PK": it["PK"], "SK": it["SK"]}}); err != nil {
			t.Fatal(err)
		}
		records = append(records, streamRecord(it, fmt.Sprintf("%028d", 100+i), true))
	}
	// An agent's delete of the neighbour's ticket item, as the stream
	// would show it: not TTL's, so the cleanup must leave it alone (the
	// item is not actually deleted here, so the neighbour is checked whole).
	records = append(records, streamRecord(map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "TICKET#77"}, "SK": &types.AttributeValueMemberS{Value: "TICKET"},
		"id": &types.AttributeValueMemberS{Value: "77"}}, fmt.Sprintf("%028d", 999), false))
	batch, err := json.Marshal(map[string]any{"Records": records})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := h(s.ctx, batch)
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("stream batch: %+v, %v", resp, err)
	}
	// Replayed again (Lambda delivers at least once): nothing to do, no error.
	if resp, err := h(s.ctx, batch); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("stream batch again: %+v, %v", resp, err)
	}

	// The daily sweep, at a clock past 4343's expiry but not 4444's.
	if _, err := h(s.ctx, json.RawMessage(`{"source": "stackdesk.spam-cleanup"}`)); err != nil {
		t.Fatal(err)
	}

	for _, gone := range []helpdesk.Ticket{a, b} {
		assertTableHasNothingOf(t, d, gone.ID)
		for _, k := range s.files.keys(t) {
			if strings.Contains(k, "-"+gone.ID+"-") {
				t.Errorf("file %s of ticket %s is left", k, gone.ID)
			}
		}
	}
	s.assertNeighbourWhole("77")
	c := convOf(t, s, "4444")
	if c.Ticket.State != helpdesk.StateSpam || len(c.Messages) != 3 {
		t.Fatalf("ticket 4444 (not yet expired): %s, %d messages", c.Ticket.State, len(c.Messages))
	}
	left := 0
	for _, k := range s.files.keys(t) {
		if strings.Contains(k, "-4444-") {
			left++
		}
	}
	if left != 4 {
		t.Fatalf("ticket 4444 has %d files, want 4", left)
	}
}

func rawScan(t *testing.T, d *testbed.DynamoDBStore) []map[string]types.AttributeValue {
	t.Helper()
	var items []map[string]types.AttributeValue
	p := dynamodb.NewScanPaginator(d.DB, &dynamodb.ScanInput{TableName: &d.Table, ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, page.Items...)
	}
	return items
}

func str(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}

// streamRecord is a REMOVE record as DynamoDB Streams delivers it to
// Lambda (NEW_AND_OLD_IMAGES); byTTL adds the userIdentity DynamoDB sets
// on its TTL deletions.
func streamRecord(item map[string]types.AttributeValue, seq string, byTTL bool) map[string]any {
	r := map[string]any{
		"eventID": "ev-" + seq, "eventName": "REMOVE", "eventVersion": "1.1", "eventSource": "aws:dynamodb", "awsRegion": "us-east-1",
		"dynamodb": map[string]any{
			"ApproximateCreationDateTime": 1796000000,
			"Keys":                        map[string]any{"PK": wire(item["PK"]), "SK": wire(item["SK"])},
			"OldImage":                    wireMap(item),
			"SequenceNumber":              seq, "SizeBytes": 100, "StreamViewType": "NEW_AND_OLD_IMAGES",
		},
		"eventSourceARN": "arn:aws:dynamodb:us-east-1:123456789012:table/t/stream/2026-01-01T00:00:00.000",
	}
	if byTTL {
		r["userIdentity"] = map[string]any{"type": "Service", "principalId": "dynamodb.amazonaws.com"}
	}
	return r
}

func wireMap(m map[string]types.AttributeValue) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = wire(v)
	}
	return out
}

// wire renders an attribute value in DynamoDB's JSON, as stream records carry it.
func wire(v types.AttributeValue) any {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": v.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}
	case *types.AttributeValueMemberB:
		return map[string]any{"B": base64.StdEncoding.EncodeToString(v.Value)}
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": true}
	case *types.AttributeValueMemberSS:
		return map[string]any{"SS": v.Value}
	case *types.AttributeValueMemberNS:
		return map[string]any{"NS": v.Value}
	case *types.AttributeValueMemberL:
		l := make([]any, len(v.Value))
		for i, e := range v.Value {
			l[i] = wire(e)
		}
		return map[string]any{"L": l}
	case *types.AttributeValueMemberM:
		return map[string]any{"M": wireMap(v.Value)}
	}
	return map[string]any{"NULL": true}
}
