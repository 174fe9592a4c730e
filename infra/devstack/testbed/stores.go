package testbed

import (
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/store/memstore"
	"github.com/stackdesk/stackdesk/shared/store/storetest"
)

// Store is the tenant's store as scenario tests build services on it:
// every method of the table's store (the contract of storetest).
type Store = storetest.Store

// Backend is one implementation of Store a scenario can run on.
type Backend struct {
	// Name names the scenario's subtest: "mem" or "dynamodb".
	Name string
	// Open returns a new, empty store whose own timestamps come from now
	// (time.Now when nil).
	Open func(t testing.TB, now func() time.Time) Store
}

var (
	// Mem is the in-memory store (shared/store/memstore), always there.
	Mem = Backend{Name: "mem", Open: openMem}
	// DynamoDB is the DynamoDB store over a fresh table on DynamoDB Local
	// (a *DynamoDBStore). Like Table, it skips the test without the
	// emulator, and fails it under STACKDESK_REQUIRE_EMULATORS.
	DynamoDB = Backend{Name: "dynamodb", Open: openDynamoDB}
)

// Stores returns every backend: the in-memory store, then DynamoDB.
func Stores() []Backend { return []Backend{Mem, DynamoDB} }

// EachStore runs test once per backend, as subtests named after them: a
// scenario runs in memory always, and on DynamoDB Local too when the
// emulators are there.
func EachStore(t *testing.T, test func(t *testing.T, b Backend)) {
	t.Helper()
	for _, b := range Stores() {
		t.Run(b.Name, func(t *testing.T) { test(t, b) })
	}
}

// DynamoDBStore is the DynamoDB backend's store with its table, for the
// assertions that look at the table itself.
type DynamoDBStore struct {
	*store.Store
	DB    *dynamodb.Client
	Table string
}

func openMem(_ testing.TB, now func() time.Time) Store {
	var opts []memstore.Option
	if now != nil {
		opts = append(opts, memstore.WithClock(now))
	}
	return memstore.New(opts...)
}

func openDynamoDB(t testing.TB, now func() time.Time) Store {
	t.Helper()
	db, table := Table(t)
	var opts []store.Option
	if now != nil {
		opts = append(opts, store.WithClock(now))
	}
	return &DynamoDBStore{Store: store.New(db, table, opts...), DB: db, Table: table}
}
