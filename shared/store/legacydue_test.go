package store_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// Tickets written before due dates were kept have no vDue: they sort as
// having none ("~#<id>", after every date), on every page of a due-sorted
// view, both ways, not only on the first (a keyset condition on a missing
// attribute is false, so the store makes their key up and compares it).
func TestDueSortKeepsTicketsWrittenBeforeDueDates(t *testing.T) {
	testbed.AWS(t, "DYNAMODB")
	s, db, table := newStore(t)
	ctx := context.Background()
	for i := 1; i <= 6; i++ {
		tk := helpdesk.Ticket{ID: fmt.Sprint(i), Subject: "s", Pipeline: "support", Status: "new", State: helpdesk.StateOpen,
			Type: helpdesk.TypeEmailOther, ChannelKind: helpdesk.ChannelEmail, CreatedAt: t0, UpdatedAt: t0, Version: 1}
		if i <= 2 { // due in i hours
			due := t0.Add(time.Duration(i) * time.Hour)
			tk.SLA = &helpdesk.SLA{PolicyID: "p", Targets: []helpdesk.SLATarget{{Kind: helpdesk.SLAClose, StartedAt: t0, DueAt: due}}}
		}
		if err := s.Commit(ctx, ticket.Change{Tickets: []ticket.Write{{After: &tk}}}); err != nil {
			t.Fatal(err)
		}
		if i >= 4 { // 4, 5 and 6 as written before SLAs
			if _, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: &table, UpdateExpression: aws.String("REMOVE vDue"),
				Key:                 map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "TICKET#" + tk.ID}, "SK": &types.AttributeValueMemberS{Value: "TICKET"}},
				ConditionExpression: aws.String("attribute_exists(vDue)")}); err != nil {
				t.Fatalf("ticket %s: %v", tk.ID, err)
			}
		}
	}
	// With a filter, so the keyset condition joins it (an OR in an AND).
	q := helpdesk.TicketQuery{ViewQuery: helpdesk.ViewQuery{State: helpdesk.StateOpen}, Filter: helpdesk.TicketFilter{Statuses: []string{"new"}}}
	ids := func(after string, asc bool) []string {
		ks, err := s.SortKeys(ctx, q, helpdesk.SortDue, after, asc)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(ks, func(a, b helpdesk.Keyed) int {
			if asc {
				return strings.Compare(a.Key, b.Key)
			}
			return strings.Compare(b.Key, a.Key)
		})
		var out []string
		for _, k := range ks {
			out = append(out, k.ID)
		}
		return out
	}
	for _, c := range []struct {
		after string
		asc   bool
		want  []string
	}{
		{"", true, []string{"1", "2", "3", "4", "5", "6"}},
		{helpdesk.SortTime(t0.Add(time.Hour)) + "#1", true, []string{"2", "3", "4", "5", "6"}}, // page 2 after ticket 1
		{helpdesk.NoDueKey + "#4", true, []string{"5", "6"}},
		{"", false, []string{"6", "5", "4", "3", "2", "1"}},
		{helpdesk.NoDueKey + "#5", false, []string{"4", "3", "2", "1"}},
	} {
		if got := ids(c.after, c.asc); !slices.Equal(got, c.want) {
			t.Errorf("after %q (asc %v): %v, want %v", c.after, c.asc, got, c.want)
		}
	}
}
