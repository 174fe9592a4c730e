package portal_test

import (
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/store"
)

// The read units a customer's ticket list and a ticket page cost on
// DynamoDB (testbed.CapacityMeter; reads as DynamoDB Local reports them),
// the session check included. Run with -v to see the figures:
//
//	STACKDESK_REQUIRE_EMULATORS=1 go test -count=1 -v -run TestReadUnits ./shared/api/portal/
func TestReadUnits(t *testing.T) {
	var meter *testbed.CapacityMeter
	metered := testbed.Backend{Name: "dynamodb-metered", Open: func(t testing.TB, now func() time.Time) testbed.Store {
		db, table := testbed.Table(t)
		meter = &testbed.CapacityMeter{DB: db, Table: table, GSIKeys: []string{"GSI1PK", "GSI2PK", "GSI3PK", "GSI4PK", "GSI5PK"}}
		return &testbed.DynamoDBStore{Store: store.New(meter, table, store.WithClock(now)), DB: db, Table: table}
	}}
	f := newPortal(t, metered)
	s := f.signIn(t, "cus1@example.com")
	for _, c := range []struct {
		name, path string
		max        float64
	}{
		{"ticket list (2 tickets)", "/portal/api/tickets", 2},
		{"ticket page (3 messages, a note among them; 1 agent)", "/portal/api/tickets/1", 4},
		{"another customer's ticket (404)", "/portal/api/tickets/2", 2},
	} {
		meter.Reset()
		if r := f.do(t, "GET", c.path, s, ""); r.status != 200 && r.status != 404 {
			t.Fatalf("%s: %d %s", c.name, r.status, r.raw)
		}
		t.Logf("%s: %.1f RCU", c.name, meter.Read)
		if meter.Read > c.max {
			t.Errorf("%s: %.1f RCU, want at most %.1f", c.name, meter.Read, c.max)
		}
	}
}
