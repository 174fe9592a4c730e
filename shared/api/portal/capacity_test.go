package portal_test

import (
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/store"
)

// The read units a customer's ticket list and a ticket page cost on
// DynamoDB (testbed.CapacityMeter; reads as DynamoDB Local reports them),
// the session check included, the settings served by the function's cache
// (one read a minute per instance, measured apart). Run with -v to see the
// figures:
//
//	STACKDESK_REQUIRE_EMULATORS=1 go test -count=1 -v -run TestReadUnits ./shared/api/portal/
func TestReadUnits(t *testing.T) {
	var meter *testbed.CapacityMeter
	metered := testbed.Backend{Name: "dynamodb-metered", Open: func(t testing.TB, now func() time.Time) testbed.Store {
		db, table := testbed.Table(t)
		meter = &testbed.CapacityMeter{DB: db, Table: table}
		return &testbed.DynamoDBStore{Store: store.New(meter, table, store.WithClock(now)), DB: db, Table: table}
	}}
	f := newPortal(t, metered)
	s := f.signIn(t, "cus1@example.com")
	meter.Reset()
	if r := f.do(t, "GET", "/portal/api/tenant", "", ""); r.status != 200 {
		t.Fatalf("tenant: %d %s", r.status, r.raw)
	}
	t.Logf("settings, read by the cache once a minute per instance (GET /portal/api/tenant, cold): %.1f RCU", meter.Read)
	for _, c := range []struct {
		name, method, path string
		max                float64
	}{
		{"ticket list (2 tickets, 1 agent answered)", "GET", "/portal/api/tickets", 2.5},
		{"ticket page (3 messages, a note among them; 1 agent)", "GET", "/portal/api/tickets/1", 4},
		{"closed ticket page (+ its rating)", "GET", "/portal/api/tickets/3", 4},
		{"another customer's ticket (404)", "GET", "/portal/api/tickets/2", 2},
		{"search by subject (2 of 2 tickets: no conversation read)", "GET", "/portal/api/tickets?q=question", 2.5},
		{"search by body text (both tickets: 2 conversations read)", "GET", "/portal/api/tickets?q=help", 5.5},
		{"search, no match (the term records only)", "GET", "/portal/api/tickets?q=zeppelin", 2.5},
		{"me (the badge)", "GET", "/portal/api/me", 3},
		{"rating (ticket read once, rating put)", "POST", "/portal/api/tickets/3/rating", 2},
		{"tenant (cached settings)", "GET", "/portal/api/tenant", 0},
	} {
		meter.Reset()
		body := ""
		if c.method == "POST" {
			body = `{"score":5}`
		}
		if r := f.do(t, c.method, c.path, s, body); r.status >= 300 && r.status != 404 {
			t.Fatalf("%s: %d %s", c.name, r.status, r.raw)
		}
		t.Logf("%s: %.1f RCU, %.1f WCU", c.name, meter.Read, meter.Write)
		if meter.Read > c.max {
			t.Errorf("%s: %.1f RCU, want at most %.1f", c.name, meter.Read, c.max)
		}
	}
}
