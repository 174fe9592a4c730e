package localrun_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// checks records the SLA checks the local sweep asks for.
type checks struct {
	mu  sync.Mutex
	ids []string
	at  []time.Time
}

func (c *checks) CheckSLA(_ context.Context, id string, now time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.ids, c.at = append(c.ids, id), append(c.at, now)
	return nil
}

// POST /local/sla/sweep runs sla-sweep as its schedule does, on the
// stack's clock: a ticket whose SLA check is due by then is checked, one
// not yet due is not.
func TestSLASweepRunsOnTheStacksClock(t *testing.T) {
	s := startClocked(t, time.Hour)
	ctx := context.Background()
	now := time.Now()
	due := now.Add(30 * time.Minute)
	tk := helpdesk.Ticket{ID: "9001", Subject: "Where is my order?", Pipeline: "support", Status: "new", State: helpdesk.StateOpen,
		Type: helpdesk.TypeEmailOther, ChannelID: "email:support", ChannelKind: helpdesk.ChannelEmail, ContactID: "c-9001",
		CreatedAt: now, UpdatedAt: now, LastCustomerMessageAt: now, Version: 1,
		SLA: &helpdesk.SLA{PolicyID: "standard", NextCheckAt: due, Targets: []helpdesk.SLATarget{
			{Kind: helpdesk.SLAFirstResponse, StartedAt: now, DueAt: due}}}}
	if err := s.r.Store.Commit(ctx, ticket.Change{Tickets: []ticket.Write{{After: &tk}}}); err != nil {
		t.Fatal(err)
	}
	c := &checks{}
	s.r.SLASweep().Checker = c

	if code, out := s.post(t, "/local/sla/sweep", "", nil); code != http.StatusOK || out["checked"] != 0.0 || len(c.ids) != 0 {
		t.Fatalf("before it is due: %d %v, checks %v", code, out, c.ids)
	}
	s.ahead.Store(int64(31 * time.Minute))
	code, out := s.post(t, "/local/sla/sweep", "", nil)
	if code != http.StatusOK || out["checked"] != 1.0 || len(c.ids) != 1 || c.ids[0] != "9001" || c.at[0].Before(due) {
		t.Fatalf("once due: %d %v, checks %v at %v (due %v)", code, out, c.ids, c.at, due)
	}
}
