package ingest_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/routing"
	"github.com/stackdesk/stackdesk/shared/store"
)

// BenchmarkRouting measures assignment against DynamoDB Local with 1 and 8
// concurrent routers over 10 agents: new tickets routed load-balanced (the
// assignment is part of the creating transaction), and manual reassignment
// of existing tickets. It reports throughput, p50/p99 latency, re-decisions
// and capacity units per assignment. Latency is DynamoDB Local's on this
// machine, not AWS's.
func BenchmarkRouting(b *testing.B) {
	for _, workers := range []int{1, 8} {
		b.Run(fmt.Sprintf("route_new_ticket/c%d", workers), func(b *testing.B) {
			d := newDesk(b, concurrentAgents, helpdesk.DistLoadBalanced, nil)
			meter := &testbed.CapacityMeter{DB: d.db, Table: d.table}
			st := store.New(meter, d.table)
			d.svc.Store = st
			d.svc.Router = &routing.Router{Store: st, Now: time.Now, Rand: rand.IntN}
			var retries atomic.Int64
			run(b, workers, meter, func(ctx context.Context, i int) error {
				m := submission(fmt.Sprintf("b%07d", i), "known@example.com")
				m.ReceivedAt = time.Now().UTC()
				r, err := d.svc.Apply(ctx, m)
				retries.Add(int64(r.Attempts - 1))
				return err
			})
			b.ReportMetric(float64(retries.Load())/float64(b.N), "retries/op")
		})
		b.Run(fmt.Sprintf("reassign/c%d", workers), func(b *testing.B) {
			d := newDesk(b, concurrentAgents, helpdesk.DistLoadBalanced, nil)
			res := d.applyAll(b, 200, 8)
			meter := &testbed.CapacityMeter{DB: d.db, Table: d.table}
			svc := &desk.Service{Store: store.New(meter, d.table), Settings: settings.Fixed(helpdesk.DefaultSettings()), Now: time.Now}
			run(b, workers, meter, func(ctx context.Context, i int) error {
				id := res[i%len(res)].TicketID
				_, err := svc.Assign(ctx, id, d.agents[(i/len(res)+i+1)%len(d.agents)], "", "a00")
				return err
			})
		})
	}
}

// run calls op b.N times from `workers` goroutines and reports ops/s,
// p50/p99 latency and capacity units per op.
func run(b *testing.B, workers int, meter *testbed.CapacityMeter, op func(ctx context.Context, i int) error) {
	meter.Reset()
	lat := make([]time.Duration, b.N)
	var next atomic.Int64
	var wg sync.WaitGroup
	var failed atomic.Value
	b.ResetTimer()
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= b.N {
					return
				}
				t0 := time.Now()
				if err := op(context.Background(), i); err != nil {
					failed.Store(err)
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	if err, ok := failed.Load().(error); ok {
		b.Fatal(err)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "assign/s")
	b.ReportMetric(float64(lat[b.N/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[b.N*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(meter.Write/float64(b.N), "WCU/op")
	b.ReportMetric(meter.Read/float64(b.N), "RCU/op")
}
