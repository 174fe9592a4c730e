package desk_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Two agents split the same mail off at the same instant while the
// customer's reply to another mail of the thread arrives: on DynamoDB Local
// exactly one split wins (the other, deciding again, finds the mail gone:
// 400 unknown_messages), the mail is in exactly one ticket, the reply lands
// in the old ticket, and every count equals a recount.
func TestConcurrentSplitsOfOneMailMakeOneTicket(t *testing.T) {
	f := mailFixture(t, testbed.DynamoDB)
	for round := range 5 {
		p := fmt.Sprintf("r%d.", round)
		old := f.mail(t, p+"a1@example.com", "").TicketID
		f.mail(t, p+"a2@example.com", p+"a1@example.com")
		f.mail(t, p+"a3@example.com", p+"a2@example.com")
		a2 := f.ticket(t, old).Messages[1].ID

		// The reply comes an hour later; the clock moves before any
		// goroutine reads it (moving it after raced with the splits).
		f.clk.t = f.clk.t.Add(time.Hour)
		var wg sync.WaitGroup
		results := make([]error, 2)
		made := make([]string, 2)
		for i, agent := range []string{"ann", "bob"} {
			wg.Go(func() {
				res, err := f.svc.Split(f.ctx, desk.SplitRequest{TicketID: old, MessageIDs: []string{a2}, Subject: "By " + agent, AgentID: agent})
				results[i], made[i] = err, res.Ticket.ID
			})
		}
		var reply ingest.Result
		var replyErr error
		wg.Go(func() { reply, replyErr = f.applyMail(p+"b3@example.com", p+"a3@example.com") })
		wg.Wait()
		if replyErr != nil {
			t.Fatal(replyErr)
		}

		won := ""
		for i, err := range results {
			var he *helpdesk.Error
			switch {
			case err == nil:
				if won != "" {
					t.Fatalf("round %d: both splits succeeded (%s and %s)", round, won, made[i])
				}
				won = made[i]
			case !errors.As(err, &he) || he.Reason != "unknown_messages":
				t.Fatalf("round %d: the losing split: %v", round, err)
			}
		}
		if won == "" {
			t.Fatalf("round %d: no split succeeded: %v", round, results)
		}
		if reply.TicketID != old {
			t.Fatalf("round %d: the reply to a3 landed in %s, want %s", round, reply.TicketID, old)
		}
		o, n := f.ticket(t, old), f.ticket(t, won)
		if len(o.Messages) != 3 || o.Ticket.MessageCount != 3 || len(n.Messages) != 1 || n.Ticket.MessageCount != 1 || n.Messages[0].ID != a2 {
			t.Fatalf("round %d: old %d/%d, new %d/%d", round, len(o.Messages), o.Ticket.MessageCount, len(n.Messages), n.Ticket.MessageCount)
		}
	}
	// Every open ticket is bob's (the channel routes to him): his load is
	// their number.
	open, err := f.st.ListTickets(f.ctx, helpdesk.StateOpen, 100)
	if err != nil {
		t.Fatal(err)
	}
	if _, bob := f.loads(t); bob != len(open) || len(open) != 10 {
		t.Fatalf("bob's load %d, %d open tickets (want 10)", bob, len(open))
	}
}
