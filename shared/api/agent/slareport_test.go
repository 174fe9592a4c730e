package agent_test

import (
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// The SLA report groups the outcomes recorded in the period (committed
// with their tickets' changes, as the model decides them), only for those
// who see every ticket; bad input is a 400 with its reason.
func TestSLAReport(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		seed := func(id string, os ...helpdesk.SLAOutcome) {
			t.Helper()
			tk, err := f.st.GetTicketHeader(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			c, _, err := ticket.Note(tk, ticket.NoteInput{AgentID: "ann", Text: "seed"}, nil, t0.Add(time.Minute))
			if err != nil {
				t.Fatal(err)
			}
			c.SLAOutcomes = os
			if err := f.st.Commit(t.Context(), c); err != nil {
				t.Fatal(err)
			}
		}
		o := func(id, team, owner string, kind helpdesk.SLATargetKind, outcome string, min int, at time.Time) helpdesk.SLAOutcome {
			return helpdesk.SLAOutcome{TicketID: id, Kind: kind, PolicyID: "std", TeamID: team, OwnerID: owner, Priority: helpdesk.PriorityMedium,
				ChannelKind: helpdesk.ChannelEmail, StartedAt: t0, Outcome: outcome, ElapsedMs: int64(min) * 60000, BudgetMs: 3600000, RecordedAt: at}
		}
		seed("1", o("1", "A", "", helpdesk.SLAFirstResponse, "met", 20, t0.Add(time.Hour)), o("1", "A", "", helpdesk.SLAClose, "breached", 300, t0.Add(5*time.Hour)))
		seed("2", o("2", "B", "cat", helpdesk.SLAFirstResponse, "breached", 70, t0.Add(2*time.Hour)))
		seed("3", o("3", "", "bob", helpdesk.SLAFirstResponse, "met", 40, t0.Add(40*24*time.Hour))) // outside the period

		path := "/api/reports/sla?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&by=team"
		var r response
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			r = f.do(t, "GET", path, "ann", "")
			if total, _ := r.body["total"].(map[string]any); r.status != 200 || total["count"] == 3.0 || time.Now().After(deadline) {
				break
			}
		}
		total, _ := r.body["total"].(map[string]any)
		groups, _ := r.body["groups"].([]any)
		if r.status != 200 || total["count"] != 3.0 || total["met"] != 1.0 || len(groups) != 2 {
			t.Fatalf("the report: %d %s", r.status, r.raw)
		}
		fr := total["kinds"].([]any)[0].(map[string]any)
		if fr["kind"] != "first_response" || fr["count"] != 2.0 || fr["share_met"] != 0.5 || fr["median_ms"] != 1200000.0 || fr["p90_ms"] != 4200000.0 {
			t.Fatalf("first responses in total: %v", fr)
		}
		if a := groups[0].(map[string]any); a["key"] != "A" || a["count"] != 2.0 || len(a["kinds"].([]any)) != 2 {
			t.Fatalf("team A: %v", a)
		}
		if r := f.do(t, "GET", "/api/reports/sla?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z", "ann", ""); r.status != 200 || r.body["by"] != "team" {
			t.Fatalf("default grouping: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "GET", path, "bob", ""); r.status != 403 {
			t.Fatalf("bob (his teams only) reads the report: %d", r.status)
		}
		for _, bad := range []string{
			"/api/reports/sla?from=2026-11-01T00:00:00Z&to=2026-12-01T00:00:00Z&by=contact",
			"/api/reports/sla?from=yesterday&to=2027-01-01T00:00:00Z",
			"/api/reports/sla?from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z",
			"/api/reports/sla?from=2020-01-01T00:00:00Z&to=2027-01-01T00:00:00Z",
		} {
			if r := f.do(t, "GET", bad, "ann", ""); r.status != 400 {
				t.Errorf("GET %s: %d %s, want 400", bad, r.status, r.raw)
			}
		}
	})
}
