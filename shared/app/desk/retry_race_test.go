package desk_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// A client that retries while its first request is still running sends
// the same request twice at once: on DynamoDB Local both merges succeed
// with the same primary and make one tombstone, both unmerges succeed and
// record one unmerge, and both splits succeed
// with the same new ticket, made once (the one that loses the race
// decides again and finds the split done).
func TestTheSameRequestTwiceAtOnceHasOneEffect(t *testing.T) {
	if testing.Short() {
		t.Skip("concurrency test skipped in -short mode")
	}
	f := mailFixture(t, testbed.DynamoDB)
	for round := range 5 {
		p, s := f.newTicket(t, fmt.Sprintf("p%d", round)), f.newTicket(t, fmt.Sprintf("s%d", round))
		var wg sync.WaitGroup
		got, errs := make([]helpdesk.Ticket, 2), make([]error, 2)
		for i := range 2 {
			wg.Go(func() { got[i], errs[i] = f.svc.Merge(f.ctx, p, s, "ann") })
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || got[0].ID != p || got[1].ID != p {
			t.Fatalf("round %d, merges: %v %v (%s %s)", round, errs[0], errs[1], got[0].ID, got[1].ID)
		}
		if c := f.ticket(t, p).Ticket; len(c.MergedFrom) != 1 || c.MessageCount != 2 || f.ticket(t, s).Ticket.MergedInto != p {
			t.Fatalf("round %d: the primary %+v", round, c)
		}
		if acts := f.ticket(t, s).Activities; len(acts) != 2 || acts[1].Kind != helpdesk.ActivityMerged {
			t.Fatalf("round %d: the secondary's timeline %+v, want its routing and one merge", round, acts)
		}
		uerrs := make([]error, 2)
		for i := range 2 {
			wg.Go(func() { _, _, uerrs[i] = f.svc.Unmerge(f.ctx, s, 0, "ann") })
		}
		wg.Wait()
		if uerrs[0] != nil || uerrs[1] != nil {
			t.Fatalf("round %d, unmerges: %v %v", round, uerrs[0], uerrs[1])
		}
		if acts := f.ticket(t, s).Activities; len(acts) != 3 || acts[2].Kind != helpdesk.ActivityUnmerged || f.ticket(t, p).Ticket.MessageCount != 1 {
			t.Fatalf("round %d: the secondary's timeline %+v, want its routing, one merge, one unmerge", round, acts)
		}

		pre := fmt.Sprintf("r%d.", round)
		old := f.mail(t, pre+"a1@example.com", "").TicketID
		f.mail(t, pre+"a2@example.com", pre+"a1@example.com")
		a2 := f.ticket(t, old).Messages[1].ID
		req := desk.SplitRequest{TicketID: old, MessageIDs: []string{a2}, Subject: "Again", AgentID: "ann"}
		res, errs := make([]desk.SplitResult, 2), make([]error, 2)
		for i := range 2 {
			wg.Go(func() { res[i], errs[i] = f.svc.Split(f.ctx, req) })
		}
		wg.Wait()
		if errs[0] != nil || errs[1] != nil || res[0].Ticket.ID != res[1].Ticket.ID || res[0].Again == res[1].Again {
			t.Fatalf("round %d, splits: %v %v (%s again=%v, %s again=%v)", round, errs[0], errs[1],
				res[0].Ticket.ID, res[0].Again, res[1].Ticket.ID, res[1].Again)
		}
		if o, n := f.ticket(t, old), f.ticket(t, res[0].Ticket.ID); len(o.Messages) != 1 || o.Ticket.MessageCount != 1 ||
			len(n.Messages) != 1 || n.Ticket.MessageCount != 1 {
			t.Fatalf("round %d: old %d/%d, new %d/%d", round, len(o.Messages), o.Ticket.MessageCount, len(n.Messages), n.Ticket.MessageCount)
		}
	}
	open, err := f.st.ListTickets(f.ctx, helpdesk.StateOpen, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 20 { // per round: the two unmerged, the old mail ticket, the one split off
		t.Fatalf("%d open tickets, want 20", len(open))
	}
}
