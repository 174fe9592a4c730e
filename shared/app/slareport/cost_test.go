package slareport_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/slareport"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// The cost of the SLA report over 1,000 outcomes (one query of the
// outcomes' GSI3 partition), and of an outcome item in its change (WCU
// each, with its GSI3 copy), measured on DynamoDB Local with
// testbed.CapacityMeter.
// Run: STACKDESK_REQUIRE_EMULATORS=1 go test -run '^$' -bench SLAReportCost -benchtime 5x ./shared/app/slareport/
func BenchmarkSLAReportCost(b *testing.B) {
	db, table := testbed.Table(b)
	meter := &testbed.CapacityMeter{DB: db, Table: table}
	st := store.New(meter, table)
	ctx := b.Context()
	owners, teams := []string{"ann", "bob", "cat", ""}, []string{"support", "sales", ""}
	kinds := []helpdesk.SLATargetKind{helpdesk.SLAFirstResponse, helpdesk.SLANextResponse, helpdesk.SLAClose}
	var wcu float64
	for batch := range 10 {
		var c ticket.Change // outcomes only: the store writes them as any change's
		for i := range 100 {
			n := batch*100 + i
			outcome := helpdesk.SLAOutcomeMet
			if n%5 == 0 {
				outcome = helpdesk.SLAOutcomeBreached
			}
			c.SLAOutcomes = append(c.SLAOutcomes, helpdesk.SLAOutcome{TicketID: fmt.Sprintf("%d", 10000+n), Kind: kinds[n%3], PolicyID: "standard",
				TeamID: teams[n%3], OwnerID: owners[n%4], Priority: helpdesk.PriorityMedium, ChannelKind: helpdesk.ChannelEmail,
				StartedAt: t0.Add(time.Duration(n) * time.Minute), Outcome: outcome, ElapsedMs: int64(n) * 1000, BudgetMs: 7200000,
				RecordedAt: t0.Add(time.Duration(n)*time.Minute + time.Hour)})
		}
		meter.Reset()
		if err := st.Commit(ctx, c); err != nil {
			b.Fatal(err)
		}
		wcu += meter.Write
	}
	b.ResetTimer()
	var rcu float64
	for range b.N {
		meter.Reset()
		rep, err := slareport.Read(ctx, st, t0, t0.Add(30*24*time.Hour), "team")
		if err != nil || rep.Total.Count != 1000 {
			b.Fatalf("report: %d outcomes, %v", rep.Total.Count, err)
		}
		rcu += meter.Read
	}
	b.ReportMetric(rcu/float64(b.N), "RCU/report")
	b.ReportMetric(wcu/1000, "WCU/outcome")
}
