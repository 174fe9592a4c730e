package desk_test

import (
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// raceFixture is newFixture on DynamoDB Local (the in-memory store
// serialises every write, so it could not lose a race), with tickets
// routed round robin to ann and bob.
func raceFixture(t *testing.T) (*fixture, *testbed.DynamoDBStore) {
	t.Helper()
	if testing.Short() {
		t.Skip("concurrency test skipped in -short mode")
	}
	f := newFixture(t, testbed.DynamoDB)
	ch, err := f.st.GetChannel(f.ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	ch.Routing.UserIDs = []string{"ann", "bob"}
	if err := f.st.PutChannel(f.ctx, ch); err != nil {
		t.Fatal(err)
	}
	f.apply.MaxAttempts = 40
	return f, f.st.(*testbed.DynamoDBStore)
}

// mergeRefused reports a merge refused because the other merge won: one of
// its tickets is merged now (or it lost its races every round).
func mergeRefused(err error) bool {
	_, conflict := desk.AsMergeConflict(err)
	return conflict || ticket.Lost(err)
}

// Two agents merge A into B and B into A at the same instant: exactly one
// succeeds, the other is refused (409, the tickets as they now are), and
// the tickets end as the winner left them. Twenty pairs, each released
// at once.
func TestMergeBothWaysAtOnceOneWins(t *testing.T) {
	f, db := raceFixture(t)
	const pairs = 20
	for i := range pairs {
		a, b := f.newTicket(t, fmt.Sprintf("pair %d a", i)), f.newTicket(t, fmt.Sprintf("pair %d b", i))
		start := make(chan struct{})
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for k, m := range [][2]string{{b, a}, {a, b}} { // {primary, secondary}
			wg.Go(func() {
				<-start
				_, errs[k] = f.svc.Merge(f.ctx, m[0], m[1], "ann")
			})
		}
		close(start)
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !mergeRefused(err):
				t.Fatalf("pair %d: a merge failed otherwise: %v", i, err)
			}
		}
		if won != 1 {
			t.Fatalf("pair %d: %d merges succeeded (%v), want exactly 1", i, won, errs)
		}
		ta, _ := db.GetTicketHeader(f.ctx, a)
		tb, _ := db.GetTicketHeader(f.ctx, b)
		if (ta.State == helpdesk.StateMerged) == (tb.State == helpdesk.StateMerged) {
			t.Fatalf("pair %d: states %s and %s, want exactly one merged", i, ta.State, tb.State)
		}
	}
	checkCounts(t, f, db)
}

// Fifty merges at once over thirty tickets while customers reply to every
// ticket's thread (through app/ingest, as the router applies mail): no
// reply is lost or orphaned (each shows in the conversation of the ticket
// its thread leads to now), no ticket is merged twice, and every count
// (message counts, agents' open counts) equals a recount of the table.
func TestFiftyConcurrentMergesWithRepliesArriving(t *testing.T) {
	f, db := raceFixture(t)
	const (
		tickets = 30
		merges  = 50
		replies = 60
	)
	ids := make([]string, tickets)
	subjects := map[string]string{}
	for i := range ids {
		ids[i] = f.newTicket(t, fmt.Sprintf("case %02d", i))
		subjects[ids[i]] = fmt.Sprintf("case %02d", i)
	}
	rng := rand.New(rand.NewPCG(12, 2026))
	type pair struct{ primary, secondary string }
	plan := make([]pair, merges)
	for i := range plan {
		p, s := rng.IntN(tickets), rng.IntN(tickets-1)
		if s >= p {
			s++
		}
		plan[i] = pair{ids[p], ids[s]}
	}
	replyTo := make([]int, replies)
	for i := range replyTo {
		replyTo[i] = rng.IntN(tickets)
	}

	start := make(chan struct{})
	var wg sync.WaitGroup
	var merged atomic.Int32
	won := make([]bool, merges)
	for i, m := range plan {
		wg.Go(func() {
			<-start
			_, err := f.svc.Merge(f.ctx, m.primary, m.secondary, "ann")
			switch {
			case err == nil:
				merged.Add(1)
				won[i] = true
			case !mergeRefused(err):
				t.Errorf("merge %s into %s: %v", m.secondary, m.primary, err)
			}
		})
	}
	applied := make([]string, replies) // message ids
	for i, k := range replyTo {
		wg.Go(func() {
			<-start
			res, err := f.apply.Apply(f.ctx, &helpdesk.InboundMessage{
				Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelForm, ChannelID: "web",
				ProviderMessageID: fmt.Sprintf("reply-%d", i), ReceivedAt: f.clk.t.Add(time.Duration(i) * time.Millisecond),
				Sender: helpdesk.Sender{Email: "customer@example.com"}, Subject: subjects[ids[k]], Text: fmt.Sprintf("reply %d", i),
			})
			if err != nil {
				t.Errorf("reply %d to ticket %s: %v", i, ids[k], err)
				return
			}
			if res.Created {
				t.Errorf("reply %d to ticket %s started ticket %s", i, ids[k], res.TicketID)
			}
			applied[i] = res.MessageID
		})
	}
	close(start)
	wg.Wait()
	if t.Failed() {
		return
	}

	r := testbed.RecountTable(t, db.DB, db.Table, f.clk.t)
	// No ticket merged twice: each tombstone is in exactly one ticket's
	// MergedFrom, the one it names; as many tombstones as merges that won.
	into := map[string][]string{}
	for _, tk := range r.Tickets {
		for _, s := range tk.MergedFrom {
			into[s] = append(into[s], tk.ID)
		}
	}
	tombstones := 0
	for _, tk := range r.Tickets {
		if tk.State != helpdesk.StateMerged {
			if len(into[tk.ID]) != 0 {
				t.Errorf("ticket %s is not merged but %v lists it as merged into them", tk.ID, into[tk.ID])
			}
			continue
		}
		tombstones++
		if len(into[tk.ID]) != 1 || into[tk.ID][0] != tk.MergedInto {
			t.Errorf("ticket %s merged into %s, listed by %v", tk.ID, tk.MergedInto, into[tk.ID])
		}
	}
	// The same merge planned twice succeeds twice (the second finds it
	// done: a retry) but makes one tombstone.
	done := map[pair]bool{}
	for i, m := range plan {
		if won[i] {
			done[m] = true
		}
	}
	if tombstones != len(done) {
		t.Errorf("%d merged tickets, but %d distinct merges succeeded", tombstones, len(done))
	}
	// No reply orphaned: each is in the conversation its thread leads to.
	where := map[string]string{} // message id → the partition holding it
	for id, ms := range r.Messages {
		for _, m := range ms {
			where[m.ID] = id
		}
	}
	for i, mid := range applied {
		part, ok := where[mid]
		root := r.Root(ids[replyTo[i]])
		switch {
		case !ok:
			t.Errorf("reply %d (%s) was not written", i, mid)
		case r.Root(part) != root:
			t.Errorf("reply %d sits in ticket %s, shown in %s, but its thread leads to %s", i, part, r.Root(part), root)
		}
		conv, err := db.GetTicket(f.ctx, root)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, m := range conv.Messages {
			if m.ID == mid {
				found++
			}
		}
		if found != 1 {
			t.Errorf("reply %d shows %d times in ticket %s's conversation", i, found, root)
		}
	}
	checkRecount(t, f, db, r)
	t.Logf("%d of %d merges won, %d replies applied; %d tickets left", merged.Load(), merges, replies, tickets-tombstones)
}

// checkCounts recounts the table and compares (checkRecount).
func checkCounts(t *testing.T, f *fixture, db *testbed.DynamoDBStore) {
	t.Helper()
	checkRecount(t, f, db, testbed.RecountTable(t, db.DB, db.Table, f.clk.t))
}

// checkRecount holds every counter to the recount: each shown ticket's
// message count to the messages its conversation shows, each agent's load
// to the open tickets they own.
func checkRecount(t *testing.T, f *fixture, db *testbed.DynamoDBStore, r testbed.Recount) {
	t.Helper()
	for id, tk := range r.Tickets {
		if tk.State == helpdesk.StateMerged {
			continue
		}
		if n := r.ShownMessages(id); tk.MessageCount != n {
			t.Errorf("ticket %s: message count %d, its conversation shows %d", id, tk.MessageCount, n)
		}
	}
	loads, err := db.Loads(f.ctx, []string{"ann", "bob"}, helpdesk.TypeEmailOther, f.clk.t)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []string{"ann", "bob"} {
		if got, want := loads[a].Count, r.Loads[a][helpdesk.TypeEmailOther]; got != want {
			t.Errorf("agent %s: load counter %d, recount %d", a, got, want)
		}
	}
}

// An unmerge racing a reply through the secondary's thread: whichever
// commits first, the reply ends in the secondary (its thread's ticket),
// exactly once, and every count equals a recount. Ten rounds, each
// released at once.
func TestUnmergeRacingARepliesThroughTheSecondarysThread(t *testing.T) {
	f, db := raceFixture(t)
	for i := range 10 {
		p, s := f.newTicket(t, fmt.Sprintf("u%d p", i)), f.newTicket(t, fmt.Sprintf("u%d s", i))
		if _, err := f.svc.Merge(f.ctx, p, s, "ann"); err != nil {
			t.Fatal(err)
		}
		start := make(chan struct{})
		var wg sync.WaitGroup
		var res ingestResult
		var unErr error
		wg.Go(func() {
			<-start
			_, _, unErr = f.svc.Unmerge(f.ctx, s, 0, "bob")
		})
		wg.Go(func() {
			<-start
			r, err := f.apply.Apply(f.ctx, &helpdesk.InboundMessage{
				Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelForm, ChannelID: "web",
				ProviderMessageID: fmt.Sprintf("u%d-reply", i), ReceivedAt: f.clk.t,
				Sender: helpdesk.Sender{Email: "customer@example.com"}, Subject: fmt.Sprintf("u%d s", i), Text: "still there?",
			})
			res = ingestResult{r.MessageID, err}
		})
		close(start)
		wg.Wait()
		if unErr != nil || res.err != nil {
			t.Fatalf("round %d: unmerge %v, reply %v", i, unErr, res.err)
		}
		r := testbed.RecountTable(t, db.DB, db.Table, f.clk.t)
		in := ""
		for id, ms := range r.Messages {
			for _, m := range ms {
				if m.ID == res.id {
					in += id
				}
			}
		}
		if in != s || r.Tickets[s].State == helpdesk.StateMerged || len(r.Tickets[p].MergedFrom) != 0 {
			for _, m := range r.Messages[in] {
				t.Logf("%s: %+v", in, m)
			}
			t.Logf("s: %+v", r.Tickets[s])
			t.Fatalf("round %d: the reply is in %q, want %s; %s is %s", i, in, s, s, r.Tickets[s].State)
		}
		checkRecount(t, f, db, r)
	}
}

type ingestResult struct {
	id  string
	err error
}
