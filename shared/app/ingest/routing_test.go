package ingest_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/routing"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/threading"
)

// routedDesk is a routed tenant on DynamoDB Local: agents a00.. in team "support",
// a form channel "web" routing to the team with the given distribution.
type routedDesk struct {
	svc     *ingest.Service
	tickets *desk.Service
	st      *store.Store
	db      *dynamodb.Client
	table   string
	agents  []string
	outbox  *memOutbox
}

type memOutbox struct {
	mu   sync.Mutex
	jobs []string
}

func (o *memOutbox) Publish(_ context.Context, body string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.jobs = append(o.jobs, body)
	return nil
}

func newDesk(t testing.TB, n int, dist helpdesk.Distribution, agent func(i int) helpdesk.Agent) routedDesk {
	db, table := testbed.Table(t)
	st := store.New(db, table)
	ctx := context.Background()
	d := routedDesk{st: st, db: db, table: table, outbox: &memOutbox{}}
	for i := range n {
		a := helpdesk.Agent{ID: fmt.Sprintf("a%02d", i), Email: fmt.Sprintf("a%02d@acme.example", i), Name: fmt.Sprintf("Agent %d", i), Seat: true, Active: true}
		if agent != nil {
			a = agent(i)
		}
		if err := st.PutAgent(ctx, a); err != nil {
			t.Fatal(err)
		}
		d.agents = append(d.agents, a.ID)
	}
	if err := st.PutTeam(ctx, helpdesk.Team{ID: "support", Name: "Support", MemberIDs: d.agents}); err != nil {
		t.Fatal(err)
	}
	ch := formChannel
	ch.Routing = helpdesk.RoutingRule{Kind: helpdesk.RouteUsersTeams, Distribution: dist, TeamIDs: []string{"support"}}
	if err := st.PutChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	d.svc = &ingest.Service{Store: st, Threader: threading.Submission, Settings: settings.Fixed(helpdesk.DefaultSettings()),
		Now: time.Now, Log: quiet, MaxAttempts: 50,
		Router:   &routing.Router{Store: st, Now: time.Now, Rand: rand.IntN},
		Outbound: d.outbox}
	d.tickets = &desk.Service{Store: st, Settings: settings.Fixed(helpdesk.DefaultSettings()), Now: time.Now}
	return d
}

// applyAll applies n new-ticket submissions with `workers` concurrent routers.
func (d routedDesk) applyAll(t testing.TB, n, workers int) []ingest.Result {
	t.Helper()
	results := make([]ingest.Result, n)
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				m := submission(fmt.Sprintf("s%05d", i), fmt.Sprintf("customer%05d@example.com", i))
				m.ReceivedAt = time.Now().UTC()
				r, err := d.svc.Apply(context.Background(), m)
				if err != nil {
					errs <- fmt.Errorf("submission %d: %w", i, err)
					return
				}
				results[i] = r
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	return results
}

// openTickets scans every ticket item (the ground truth the counters must match).
func (d routedDesk) allTickets(t testing.TB) []helpdesk.Ticket {
	t.Helper()
	var out []helpdesk.Ticket
	p := dynamodb.NewScanPaginator(d.db, &dynamodb.ScanInput{
		TableName:                 &d.table,
		FilterExpression:          aws.String("SK = :sk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":sk": &types.AttributeValueMemberS{Value: "TICKET"}},
		ConsistentRead:            aws.Bool(true),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var ts []helpdesk.Ticket
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &ts); err != nil {
			t.Fatal(err)
		}
		out = append(out, ts...)
	}
	return out
}

// checkCounters recounts every agent's open tickets from the ticket items and
// compares with the load counters; it returns the recount.
func (d routedDesk) checkCounters(t testing.TB) map[string]int {
	t.Helper()
	now := time.Now()
	recount := map[string]int{}
	for _, tk := range d.allTickets(t) {
		if tk.Counted(now) {
			recount[tk.OwnerID]++
		}
	}
	loads, err := d.st.Loads(context.Background(), d.agents, helpdesk.TypeEmailOther, now)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range d.agents {
		if loads[a].Count != recount[a] {
			t.Errorf("agent %s: counter %d, recount %d", a, loads[a].Count, recount[a])
		}
	}
	return recount
}

func spread(counts map[string]int, agents []string) (lo, hi int) {
	lo, hi = 1<<30, -1
	for _, a := range agents {
		lo, hi = min(lo, counts[a]), max(hi, counts[a])
	}
	return lo, hi
}

// checkAssignedOnce checks every ticket exists once and is owned by exactly
// the agent the router reported, and that the views agree.
func (d routedDesk) checkAssignedOnce(t testing.TB, res []ingest.Result) {
	t.Helper()
	byID := map[string]helpdesk.Ticket{}
	for _, tk := range d.allTickets(t) {
		if _, dup := byID[tk.ID]; dup {
			t.Fatalf("ticket %s stored twice", tk.ID)
		}
		byID[tk.ID] = tk
	}
	if len(byID) != len(res) {
		t.Fatalf("%d tickets stored for %d submissions", len(byID), len(res))
	}
	for _, r := range res {
		tk, ok := byID[r.TicketID]
		if !ok || !r.Created || r.OwnerID == "" || tk.OwnerID != r.OwnerID {
			t.Fatalf("submission result %+v, stored ticket %+v", r, tk)
		}
	}
	// The owner view (GSI1) lists each ticket under its owner, and nothing is unassigned.
	seen := map[string]bool{}
	for _, a := range append([]string{""}, d.agents...) {
		ids := d.ownerView(t, a)
		if a == "" && len(ids) > 0 {
			t.Fatalf("%d tickets left unassigned", len(ids))
		}
		for _, id := range ids {
			if seen[id] {
				t.Fatalf("ticket %s listed under two owners", id)
			}
			seen[id] = true
		}
	}
	if len(seen) != len(res) {
		t.Fatalf("owner views list %d tickets, want %d", len(seen), len(res))
	}
}

func (d routedDesk) ownerView(t testing.TB, owner string) []string {
	pk := "OWNER#" + owner + "#open"
	if owner == "" {
		pk = "OWNER#-#open"
	}
	var ids []string
	p := dynamodb.NewQueryPaginator(d.db, &dynamodb.QueryInput{
		TableName: &d.table, IndexName: aws.String(store.IndexOwner),
		KeyConditionExpression:    aws.String("GSI1PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}},
	})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page.Items {
			ids = append(ids, it["id"].(*types.AttributeValueMemberS).Value)
		}
	}
	return ids
}

const (
	concurrentTickets = 2000
	concurrentRouters = 8
	concurrentAgents  = 10
)

// 8 concurrent routers create and assign 2,000 tickets across 10 agents, once
// per distribution: no ticket is assigned twice or lost, every counter equals
// a recount, and the distribution is fair.
func TestConcurrentRoutingIsAtomicAndFair(t *testing.T) {
	if testing.Short() {
		t.Skip("2,000-ticket concurrency test skipped in -short mode")
	}
	for _, dist := range []helpdesk.Distribution{helpdesk.DistLoadBalanced, helpdesk.DistRoundRobin, helpdesk.DistRandom} {
		t.Run(string(dist), func(t *testing.T) {
			d := newDesk(t, concurrentAgents, dist, nil)
			start := time.Now()
			res := d.applyAll(t, concurrentTickets, concurrentRouters)
			elapsed := time.Since(start)
			d.checkAssignedOnce(t, res)
			counts := d.checkCounters(t)
			lo, hi := spread(counts, d.agents)
			retries := 0
			for _, r := range res {
				retries += r.Attempts - 1
			}
			t.Logf("%s: %d tickets in %v (%.0f/s), per agent %d..%d, %d re-decisions", dist, concurrentTickets,
				elapsed.Round(time.Millisecond), float64(concurrentTickets)/elapsed.Seconds(), lo, hi, retries)
			switch dist {
			case helpdesk.DistLoadBalanced, helpdesk.DistRoundRobin:
				if hi-lo > 1 {
					t.Fatalf("counts range %d..%d, want within 1: %v", lo, hi, counts)
				}
			case helpdesk.DistRandom:
				// Binomial(2000, 0.1): mean 200, sd 13.4; ±60 is ±4.5 sd.
				if lo < 140 || hi > 260 {
					t.Fatalf("counts range %d..%d, not plausibly uniform: %v", lo, hi, counts)
				}
			}
			if dist == helpdesk.DistLoadBalanced {
				d.churn(t, res)
			}
		})
	}
}

// churn closes, reopens, reassigns, marks spam, deletes and merges a few
// hundred tickets concurrently, then recounts.
func (d routedDesk) churn(t *testing.T, res []ingest.Result) {
	ids := make([]string, len(res))
	for i, r := range res {
		ids[i] = r.TicketID
	}
	rng := rand.New(rand.NewPCG(1, 2))
	rng.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	type op struct {
		name string
		run  func(ctx context.Context) error
	}
	var ops []op
	add := func(name string, n int, f func(ctx context.Context, id string, i int) error) {
		for i := 0; i < n; i++ {
			id := ids[0]
			ids = ids[1:]
			ops = append(ops, op{name, func(ctx context.Context) error { return f(ctx, id, i) }})
		}
	}
	add("close", 150, func(ctx context.Context, id string, _ int) error {
		_, err := d.tickets.SetStatus(ctx, id, "closed", "a00")
		return err
	})
	add("close+reopen", 50, func(ctx context.Context, id string, _ int) error {
		if _, err := d.tickets.SetStatus(ctx, id, "closed", "a00"); err != nil {
			return err
		}
		_, err := d.tickets.SetStatus(ctx, id, "waiting_on_us", "a00")
		return err
	})
	add("reassign", 150, func(ctx context.Context, id string, i int) error {
		_, err := d.tickets.Assign(ctx, id, d.agents[i%len(d.agents)], "", "a01")
		return err
	})
	add("unassign", 30, func(ctx context.Context, id string, _ int) error {
		_, err := d.tickets.Assign(ctx, id, "", "", "a01")
		return err
	})
	add("spam", 50, func(ctx context.Context, id string, _ int) error {
		_, err := d.tickets.MarkSpam(ctx, id, "a02")
		return err
	})
	add("delete", 100, func(ctx context.Context, id string, _ int) error {
		_, err := d.tickets.Delete(ctx, id)
		return err
	})
	pairs := ids[:80]
	for i := 0; i+1 < len(pairs); i += 2 {
		p, s := pairs[i], pairs[i+1]
		ops = append(ops, op{"merge", func(ctx context.Context) error { _, err := d.tickets.Merge(ctx, p, s, "a03"); return err }})
	}
	// The same tickets touched by two changes at once: both must apply.
	hot := ids[80:100]
	for i, id := range hot {
		ops = append(ops,
			op{"race-close", func(ctx context.Context) error { _, err := d.tickets.SetStatus(ctx, id, "closed", "a04"); return err }},
			op{"race-assign", func(ctx context.Context) error {
				_, err := d.tickets.Assign(ctx, id, d.agents[(i+3)%len(d.agents)], "", "a05")
				return err
			}})
	}
	rng.Shuffle(len(ops), func(i, j int) { ops[i], ops[j] = ops[j], ops[i] })

	var next atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	for range concurrentRouters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(ops) {
					return
				}
				if err := ops[i].run(context.Background()); err != nil {
					mu.Lock()
					failures = append(failures, ops[i].name+": "+err.Error())
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	sort.Strings(failures)
	for _, f := range failures {
		t.Error(f)
	}
	counts := d.checkCounters(t)
	total := 0
	for _, c := range counts {
		total += c
	}
	t.Logf("after %d concurrent changes: %d tickets still counted, per agent %v", len(ops), total, counts)
	// Merged secondaries leave every view; deleted tickets are gone.
	for i := 0; i+1 < len(pairs); i += 2 {
		conv, err := d.st.GetTicket(context.Background(), pairs[i+1])
		if err != nil || conv.Ticket.State != helpdesk.StateMerged || conv.Ticket.MergedInto != pairs[i] {
			t.Fatalf("merged ticket %s: %+v %v", pairs[i+1], conv.Ticket, err)
		}
	}
}
