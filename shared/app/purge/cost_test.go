package purge_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/store"
)

// The cost of purging a ticket of n mails (each with an attachment and a
// body in the bucket, its Message-ID a thread key, about 10 distinct
// search terms) plus a note, measured on DynamoDB Local with
// testbed.CapacityMeter: reads as DynamoDB Local reports them, writes
// computed from the items (a delete of an item under 1 KB: 1 unit, 2 in
// a transaction). Run: go test -run '^$' -bench PurgeCost ./shared/app/purge/
func BenchmarkPurgeCost(b *testing.B) {
	for _, n := range []int{1, 10, 50} {
		b.Run(fmt.Sprintf("messages=%d", n), func(b *testing.B) {
			var wcu, rcu float64
			for range b.N {
				db, table := testbed.Table(b)
				meter := &testbed.CapacityMeter{DB: db, Table: table}
				s := &scenario{t: b, ctx: b.Context(), now: t0.Add(2 * time.Hour)}
				s.st = &testbed.DynamoDBStore{Store: store.New(meter, table, store.WithClock(func() time.Time { return s.now })), DB: db, Table: table}
				s.files = newMemBucket()
				s.openMailTicket("4242", "spammer@spam.example", "", n)
				meter.Reset()
				if err := s.service().PurgeTicket(s.ctx, "4242"); err != nil {
					b.Fatal(err)
				}
				wcu += meter.Write
				rcu += meter.Read
			}
			b.ReportMetric(wcu/float64(b.N), "WCU/purge")
			b.ReportMetric(rcu/float64(b.N), "RCU/purge")
		})
	}
}
