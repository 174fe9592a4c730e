package agent_test

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// tableState is what a retried request must leave as it was: the
// conversations of tickets (ticket, messages, timeline: versions and
// counts with them) on either store, and on DynamoDB every item of the
// table (a Scan: tests only).
type tableState struct {
	convs map[string]helpdesk.Conversation
	items []string
}

func (f *fixture) state(t *testing.T, ids ...string) tableState {
	t.Helper()
	s := tableState{convs: map[string]helpdesk.Conversation{}}
	for _, id := range ids {
		c, err := f.st.GetTicket(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		s.convs[id] = c
	}
	if d, ok := f.st.(*testbed.DynamoDBStore); ok {
		p := dynamodb.NewScanPaginator(d.DB, &dynamodb.ScanInput{TableName: &d.Table, ConsistentRead: aws.Bool(true)})
		for p.HasMorePages() {
			page, err := p.NextPage(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			for _, av := range page.Items {
				var m map[string]any
				if err := attributevalue.UnmarshalMap(av, &m); err != nil {
					t.Fatal(err)
				}
				s.items = append(s.items, fmt.Sprintf("%v", m)) // maps print sorted by key
			}
		}
		slices.Sort(s.items)
	}
	return s
}

// sameState fails t when anything in before changed since.
func (f *fixture) sameState(t *testing.T, what string, before tableState) {
	t.Helper()
	ids := make([]string, 0, len(before.convs))
	for id := range before.convs {
		ids = append(ids, id)
	}
	after := f.state(t, ids...)
	for id, c := range before.convs {
		if !reflect.DeepEqual(after.convs[id], c) {
			t.Errorf("%s changed ticket %s (version %d, was %d)", what, id, after.convs[id].Ticket.Version, c.Ticket.Version)
		}
	}
	if len(after.items) != len(before.items) || !slices.Equal(after.items, before.items) {
		t.Errorf("%s changed the table: %d items, were %d", what, len(after.items), len(before.items))
	}
}

// sameAnswer fails t unless the retry r answered as the first request did:
// status, ETag, Location and body.
func sameAnswer(t *testing.T, what string, first, r response) {
	t.Helper()
	if r.status != first.status || r.header.Get("ETag") != first.header.Get("ETag") ||
		r.header.Get("Location") != first.header.Get("Location") || !reflect.DeepEqual(r.body, first.body) {
		t.Fatalf("%s answered %d (ETag %s) %s\nthe first %d (ETag %s) %s", what, r.status, r.header.Get("ETag"), r.raw,
			first.status, first.header.Get("ETag"), first.raw)
	}
}

// A merge request sent again once it succeeded (its answer lost) answers
// 200 with the primary as the first did, and writes nothing; merging the
// tombstone into another ticket is still 409 already_merged.
func TestARetriedMergeRequestAnswersTheSame(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		body := `{"into":"1","into_version":1}`
		first := f.do(t, "POST", "/api/tickets/3/merge", "bob", body, "If-Match", `"1"`)
		if first.status != 200 || first.body["id"] != "1" {
			t.Fatalf("merge: %d %s", first.status, first.raw)
		}
		before := f.state(t, "1", "2", "3")
		again := f.do(t, "POST", "/api/tickets/3/merge", "bob", body, "If-Match", `"1"`)
		sameAnswer(t, "the retried merge", first, again)
		f.sameState(t, "the retried merge", before)

		if r := f.do(t, "POST", "/api/tickets/3/merge", "ann", `{"into":"2"}`); r.status != 409 || reason(r) != "already_merged" {
			t.Fatalf("the tombstone into another ticket: %d %s", r.status, r.raw)
		}
		f.sameState(t, "the refused merge", before)
	})
}

// An unmerge request sent again once it succeeded answers 200 with both
// tickets as the first did (its If-Match, from before the unmerge, is not
// checked again), and writes nothing. A ticket never merged, or the
// primary, is still 409 not_merged; so is the retry of someone who sees
// the unmerged ticket but not the one it came out of.
func TestARetriedUnmergeRequestAnswersTheSame(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		if r := f.do(t, "POST", "/api/tickets/3/merge", "ann", `{"into":"1"}`); r.status != 200 {
			t.Fatalf("merge: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/2/merge", "ann", `{"into":"1"}`); r.status != 200 {
			t.Fatalf("merge: %d %s", r.status, r.raw)
		}
		h, err := f.st.GetTicketHeader(context.Background(), "3")
		if err != nil {
			t.Fatal(err)
		}
		ifMatch := fmt.Sprintf(`"%d"`, h.Version)
		first := f.do(t, "POST", "/api/tickets/3/unmerge", "bob", "", "If-Match", ifMatch)
		if first.status != 200 || first.body["ticket"].(map[string]any)["id"] != "3" || first.body["from"].(map[string]any)["id"] != "1" {
			t.Fatalf("unmerge: %d %s", first.status, first.raw)
		}
		before := f.state(t, "1", "2", "3")
		again := f.do(t, "POST", "/api/tickets/3/unmerge", "bob", "", "If-Match", ifMatch)
		sameAnswer(t, "the retried unmerge", first, again)
		f.sameState(t, "the retried unmerge", before)

		if r := f.do(t, "POST", "/api/tickets/1/unmerge", "bob", ""); r.status != 409 || reason(r) != "not_merged" {
			t.Fatalf("unmerging the primary: %d %s", r.status, r.raw)
		}
		// cat sees 2 (hers), not 1: once 2 is unmerged, her retry is refused
		// as before rather than show her ticket 1.
		if r := f.do(t, "POST", "/api/tickets/2/unmerge", "ann", ""); r.status != 200 {
			t.Fatalf("unmerge 2: %d %s", r.status, r.raw)
		}
		before = f.state(t, "1", "2", "3")
		if r := f.do(t, "POST", "/api/tickets/2/unmerge", "cat", ""); r.status != 409 || reason(r) != "not_merged" {
			t.Fatalf("cat's retry: %d %s", r.status, r.raw)
		}
		f.sameState(t, "the refused unmerges", before)
	})
}

// A split request sent again once it succeeded answers 201 with the new
// ticket and the old one as the first did (Location included; its
// If-Match, from before the split, is not checked again), and writes
// nothing, the ticket counter included. Another request for the same
// mail (another subject, or a message still in the ticket) is still 400
// unknown_messages.
func TestARetriedSplitRequestAnswersTheSame(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		f.twoMore(t)
		path := "/api/tickets/1/split"
		body := `{"message_ids":["msg-m2"],"subject":"Second question","priority":"high","owner_id":"bob"}`
		first := f.do(t, "POST", path, "bob", body, "If-Match", `"3"`)
		if first.status != 201 {
			t.Fatalf("split: %d %s", first.status, first.raw)
		}
		id := first.body["ticket"].(map[string]any)["id"].(string)
		before := f.state(t, "1", id)
		again := f.do(t, "POST", path, "bob", body, "If-Match", `"3"`)
		sameAnswer(t, "the retried split", first, again)
		f.sameState(t, "the retried split", before)

		for _, c := range []string{
			`{"message_ids":["msg-m2"],"subject":"Another question","owner_id":"bob"}`,
			`{"message_ids":["msg-m2","msg-m3"],"subject":"Second question","owner_id":"bob"}`,
		} {
			if r := f.do(t, "POST", path, "bob", c); r.status != 400 || reason(r) != "unknown_messages" {
				t.Errorf("%s: %d %s, want 400 unknown_messages", c, r.status, r.raw)
			}
		}
	})
}
