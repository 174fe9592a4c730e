package agent_test

import (
	"slices"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// GET /api/sla/breaching lists the visible tickets whose earliest running
// target falls due within the hour, soonest first, from the sweep's index
// (the store's GSI6 on DynamoDB Local): not a ticket due in three hours,
// nor one the caller may not see.
func TestSLABreachingSoon(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		now := time.Now().UTC() // the API's clock is the wall clock here
		due := func(id string, in time.Duration) {
			t.Helper()
			tk, err := f.st.GetTicketHeader(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			c, _, err := ticket.Note(tk, ticket.NoteInput{AgentID: "ann", Text: "seed"}, nil, t0.Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			at := now.Add(in)
			c.Tickets[0].After.SLA = &helpdesk.SLA{PolicyID: "std", NextCheckAt: at, Targets: []helpdesk.SLATarget{
				{Kind: helpdesk.SLAFirstResponse, StartedAt: t0, DueAt: at}}}
			if err := f.st.Commit(t.Context(), c); err != nil {
				t.Fatal(err)
			}
		}
		due("1", 30*time.Minute)
		due("2", 3*time.Hour)
		due("3", 10*time.Minute)
		for who, want := range map[string][]string{
			"ann": {"3", "1"}, // admin: every ticket
			"vic": {"1"},      // team A's
			"cat": nil,        // her own, due in three hours
		} {
			r := f.do(t, "GET", "/api/sla/breaching", who, "")
			var ids []string
			tickets, _ := r.body["tickets"].([]any)
			for _, x := range tickets {
				ids = append(ids, x.(map[string]any)["id"].(string))
			}
			if r.status != 200 || !slices.Equal(ids, want) {
				t.Fatalf("breaching soon for %s: %d %v, want %v %s", who, r.status, ids, want, r.raw)
			}
		}
	})
}
