package agent_test

import (
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	appcsat "github.com/stackdesk/stackdesk/shared/app/csat"
)

// A closed ticket's rating shows on its page, moves neither its version
// nor its ETag, and counts in the report, which only those who see every
// ticket read.
func TestCSATOnTheTicketPageAndInTheReport(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		if r := f.do(t, "PATCH", "/api/tickets/3", "bob", `{"status":"closed"}`, "If-Match", `"1"`); r.status != 200 {
			t.Fatalf("close: %d %s", r.status, r.raw)
		}
		before := f.do(t, "GET", "/api/tickets/3", "bob", "")
		if before.status != 200 || before.body["rating"] != nil {
			t.Fatalf("an unrated ticket's page: %d %v", before.status, before.body["rating"])
		}
		svc := &appcsat.Service{Store: f.st, Tenant: "acme", Secret: []byte("k"), Now: func() time.Time { return t0.Add(2 * time.Hour) }}
		if _, err := svc.Rate(t.Context(), "3", "c3", 4, "Fast and kind"); err != nil {
			t.Fatal(err)
		}
		after := f.do(t, "GET", "/api/tickets/3", "bob", "")
		rating, _ := after.body["rating"].(map[string]any)
		if after.status != 200 || rating["score"] != 4.0 || rating["comment"] != "Fast and kind" || rating["owner_id"] != "bob" {
			t.Fatalf("the rated ticket's page: %d %v", after.status, after.body["rating"])
		}
		if after.header.Get("ETag") != before.header.Get("ETag") {
			t.Fatalf("rating moved the ticket's ETag: %s → %s", before.header.Get("ETag"), after.header.Get("ETag"))
		}

		path := "/api/reports/csat?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z&by=agent"
		var r response
		for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
			if r = f.do(t, "GET", path, "ann", ""); r.status != 200 || r.body["responses"] != 0.0 || time.Now().After(deadline) {
				break
			}
		}
		groups, _ := r.body["groups"].([]any)
		if r.status != 200 || r.body["responses"] != 1.0 || len(groups) != 1 {
			t.Fatalf("the report: %d %s", r.status, r.raw)
		}
		g := groups[0].(map[string]any)
		if g["key"] != "bob" || g["responses"] != 1.0 || g["shares"].([]any)[3] != 1.0 || g["counts"].([]any)[3] != 1.0 {
			t.Fatalf("bob's row: %v", g)
		}
		if r := f.do(t, "GET", path, "bob", ""); r.status != 403 {
			t.Fatalf("bob (his teams only) reads the report: %d", r.status)
		}
		for _, bad := range []string{
			"/api/reports/csat?from=2026-01-01T00:00:00Z&to=2027-01-01T00:00:00Z&by=contact",
			"/api/reports/csat?from=yesterday&to=2027-01-01T00:00:00Z",
			"/api/reports/csat?from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z",
			"/api/reports/csat?from=2020-01-01T00:00:00Z&to=2027-01-01T00:00:00Z",
		} {
			if r := f.do(t, "GET", bad, "ann", ""); r.status != 400 {
				t.Errorf("GET %s: %d %s, want 400", bad, r.status, r.raw)
			}
		}
	})
}
