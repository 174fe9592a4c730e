package store_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// indexUnits writes each Put of a ticket-only transaction as a PutItem
// asking DynamoDB (Local) for the capacity it consumed per index: Local
// reports a single put's index writes as DynamoDB bills them (an entry
// added or removed 1 unit per KB of the projected entry, a moved key 2, an
// entry whose keys and projection are unchanged 0), which its figures for
// transactions do not (testbed.CapacityMeter).
type indexUnits struct {
	store.DB
	table string
	mu    sync.Mutex
	units map[string]float64 // "table", "GSI1" ... "GSI6"
}

func (d *indexUnits) TransactWriteItems(ctx context.Context, in *dynamodb.TransactWriteItemsInput, _ ...func(*dynamodb.Options)) (*dynamodb.TransactWriteItemsOutput, error) {
	for _, it := range in.TransactItems {
		if it.Put == nil {
			return nil, errors.New("indexUnits measures ticket puts only")
		}
		out, err := d.DB.PutItem(ctx, &dynamodb.PutItemInput{TableName: &d.table, Item: it.Put.Item,
			ReturnConsumedCapacity: types.ReturnConsumedCapacityIndexes})
		if err != nil {
			return nil, err
		}
		d.mu.Lock()
		if cc := out.ConsumedCapacity; cc != nil {
			if cc.Table != nil {
				d.units["table"] += aws.ToFloat64(cc.Table.CapacityUnits)
			}
			for name, c := range cc.GlobalSecondaryIndexes {
				d.units[name] += aws.ToFloat64(c.CapacityUnits)
			}
		}
		d.mu.Unlock()
	}
	return &dynamodb.TransactWriteItemsOutput{}, nil
}

func (d *indexUnits) take() map[string]float64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	u := d.units
	d.units = map[string]float64{}
	return u
}

// slaTicket is a ticket as the list views hold it, ~1 KB, with an SLA of
// two running targets when next is not zero.
func slaTicket(next time.Time, version int64) helpdesk.Ticket {
	tk := helpdesk.Ticket{ID: "1042", Subject: "Where is my order #55120? It was due on Monday", Pipeline: "support", Status: "open",
		State: helpdesk.StateOpen, Priority: helpdesk.PriorityHigh, Category: "orders", Type: helpdesk.TypeEmailOther,
		ChannelID: "email:support@acme.example", ChannelKind: helpdesk.ChannelEmail, ContactID: "c-7d1f0a4e", OwnerID: "agent-ann", TeamID: "support",
		Description:  strings.Repeat("Hello, I ordered a blue kettle two weeks ago and it has not arrived. ", 3),
		Participants: []string{"email#ann.lee@example.com"}, ThreadKeys: []string{"msgid#CAF=x8a1b2c3d4@mail.gmail.com", "ticket#1042"},
		CreatedAt: t0, UpdatedAt: t0, LastCustomerMessageAt: t0, AssignedAt: t0, Version: version}
	if !next.IsZero() {
		tk.SLA = &helpdesk.SLA{PolicyID: "urgent-high", CalendarID: "office", NextCheckAt: next, Targets: []helpdesk.SLATarget{
			{Kind: helpdesk.SLAFirstResponse, StartedAt: t0, WarnAt: next, DueAt: next.Add(15 * time.Minute)},
			{Kind: helpdesk.SLAClose, StartedAt: t0, WarnAt: t0.Add(23 * time.Hour), DueAt: t0.Add(24 * time.Hour)}}}
	}
	return tk
}

// What the due-date index adds to a ticket write, measured: GSI6's write
// units for each kind of ticket event (DynamoDB Local's per-index report
// of the same put), and the CapacityMeter's computed figure for the
// ticket put with and without its GSI6 key.
//
//	go test -count=1 -v -run TestSLAIndexWriteUnits ./shared/store/
func TestSLAIndexWriteUnits(t *testing.T) {
	db, table := testbed.Table(t)
	ctx := context.Background()
	d := &indexUnits{DB: db, table: table, units: map[string]float64{}}
	s := store.New(d, table)
	due := t0.Add(45 * time.Minute)
	steps := []struct {
		what       string
		before     *helpdesk.Ticket
		after      helpdesk.Ticket
		wantGSI6   float64
		wantInGSI6 bool
	}{
		{"ticket created, no SLA policy", nil, slaTicket(time.Time{}, 1), 0, false},
		{"policy applied: a check to make (entry added)", ptr(slaTicket(time.Time{}, 1)), slaTicket(due, 2), 1, true},
		{"a change that keeps NextCheckAt (note, tag, read)", ptr(slaTicket(due, 2)), withUnread(slaTicket(due, 3)), 0, true},
		{"a change that moves NextCheckAt (warning made, reply, pause/resume)", ptr(slaTicket(due, 3)), slaTicket(due.Add(15*time.Minute), 4), 2, true},
		{"nothing left to check (met, closed; entry removed)", ptr(slaTicket(due.Add(15*time.Minute), 4)), slaTicket(time.Time{}, 5), 1, false},
	}
	for _, st := range steps {
		w := ticket.Write{Before: st.before, After: &st.after}
		if err := s.Commit(ctx, ticket.Change{Tickets: []ticket.Write{w}}); err != nil {
			t.Fatalf("%s: %v", st.what, err)
		}
		u := d.take()
		t.Logf("%-70s GSI6 %v WCU (table %v, GSI1-4 %v)", st.what, u["GSI6"], u["table"], u["GSI1"]+u["GSI2"]+u["GSI3"]+u["GSI4"])
		if u["GSI6"] != st.wantGSI6 {
			t.Errorf("%s: GSI6 took %v write units, want %v", st.what, u["GSI6"], st.wantGSI6)
		}
		ids, _, err := s.DueSLAChecks(ctx, t0.Add(24*time.Hour), "", 10)
		if err != nil || (len(ids) == 1) != st.wantInGSI6 {
			t.Errorf("%s: in the index: %v, %v; want %v", st.what, ids, err, st.wantInGSI6)
		}
	}

	// The meter (transactional puts computed from the item): the same new
	// ticket with and without its GSI6 key; it sizes GSI6's entry by its
	// keys, as the per-index figures above show (1 unit, whatever the
	// ticket's size).
	for _, next := range []time.Time{{}, due} {
		db2, table2 := testbed.Table(t)
		m := &testbed.CapacityMeter{DB: db2, Table: table2}
		tk := slaTicket(next, 1)
		if err := store.New(m, table2).Commit(ctx, ticket.Change{Tickets: []ticket.Write{{After: &tk}}}); err != nil {
			t.Fatal(err)
		}
		t.Logf("meter: new ticket put, SLA next check %v: %v WCU", !next.IsZero(), m.Write)
	}
}

func ptr(t helpdesk.Ticket) *helpdesk.Ticket { return &t }

func withUnread(t helpdesk.Ticket) helpdesk.Ticket { t.Unread = true; return t }

// What one run's read of the index costs: a Query per shard, eventually
// consistent, keys only. An empty run reads 0.5 RCU per shard (DynamoDB's
// minimum for a Query); 100 due tickets a few more.
//
//	go test -count=1 -v -run TestSLAIndexReadUnits ./shared/store/
func TestSLAIndexReadUnits(t *testing.T) {
	db, table := testbed.Table(t)
	ctx := context.Background()
	m := &testbed.CapacityMeter{DB: db, Table: table}
	s := store.New(m, table)
	now := t0.Add(time.Hour)
	if _, _, err := s.DueSLAChecks(ctx, now, "", 100); err != nil {
		t.Fatal(err)
	}
	// DynamoDB Local reports 0 for a Query that finds nothing; DynamoDB
	// bills the minimum, 0.5 RCU for an eventually consistent read.
	t.Logf("empty index: %v RCU a run as DynamoDB Local reports it; DynamoDB bills %v (0.5 x %d shards)",
		m.Read, 0.5*float64(store.SLACheckShards), store.SLACheckShards)
	for i := range 100 {
		tk := slaTicket(t0.Add(time.Duration(i)*time.Second), 1)
		tk.ID = fmt.Sprintf("%d", 2000+i)
		if err := s.Commit(ctx, ticket.Change{Tickets: []ticket.Write{{After: &tk}}}); err != nil {
			t.Fatal(err)
		}
	}
	m.Reset()
	ids, _, err := s.DueSLAChecks(ctx, now, "", 100)
	if err != nil || len(ids) != 100 {
		t.Fatalf("%d due, %v", len(ids), err)
	}
	t.Logf("100 due tickets: %v RCU a run", m.Read)
	if m.Read > 4 { // keys only: ~90 bytes an entry; whole tickets (~1.5 KB) would read ~19
		t.Errorf("100 due tickets read %v RCU; the index should hold keys only", m.Read)
	}
}
