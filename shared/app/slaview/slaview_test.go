package slaview_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/slaview"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/store/memstore"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

type tickets interface {
	slaview.Store
	Commit(ctx context.Context, c ticket.Change) error
}

// stores runs a case on the in-memory store and on DynamoDB Local (the
// real sparse index GSI6, created from template.yaml).
func stores(t *testing.T, run func(t *testing.T, st tickets)) {
	t.Run("memstore", func(t *testing.T) { run(t, memstore.New()) })
	t.Run("dynamodb", func(t *testing.T) {
		db, table := testbed.Table(t)
		run(t, store.New(db, table))
	})
}

var now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

func put(t *testing.T, st tickets, id, team string, state helpdesk.State, targets ...helpdesk.SLATarget) {
	t.Helper()
	next := time.Time{}
	for _, tg := range targets {
		at := tg.DueAt
		if !tg.WarnAt.IsZero() {
			at = tg.WarnAt
		}
		if tg.Running() && !tg.Paused() && tg.BreachedAt.IsZero() && !at.IsZero() && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	tk := helpdesk.Ticket{ID: id, Subject: "Order " + id, Pipeline: "support", Status: "new", State: state, TeamID: team,
		Type: helpdesk.TypeEmailOther, ChannelID: "email:support", ChannelKind: helpdesk.ChannelEmail, ContactID: "c-" + id,
		CreatedAt: now.Add(-time.Hour), UpdatedAt: now, LastCustomerMessageAt: now, Version: 1,
		SLA: &helpdesk.SLA{PolicyID: "standard", NextCheckAt: next, Targets: targets}}
	if err := st.Commit(context.Background(), ticket.Change{Tickets: []ticket.Write{{After: &tk}}}); err != nil {
		t.Fatal(err)
	}
}

func due(kind helpdesk.SLATargetKind, warn, at time.Duration) helpdesk.SLATarget {
	tg := helpdesk.SLATarget{Kind: kind, StartedAt: now.Add(-time.Hour), DueAt: now.Add(at)}
	if warn != 0 {
		tg.WarnAt = now.Add(warn)
	}
	return tg
}

// The list holds the visible open tickets whose earliest running due date
// is within the hour, soonest first; not those due later (even when warned
// within the hour), paused, met, already breached, closed or of another
// team; it reads the index, so a ticket without an SLA check is never read.
func TestBreachingSoonFromTheIndex(t *testing.T) {
	stores(t, func(t *testing.T, st tickets) {
		ctx := context.Background()
		fr, cl := helpdesk.SLAFirstResponse, helpdesk.SLAClose
		put(t, st, "a", "support", helpdesk.StateOpen, due(fr, 0, 50*time.Minute))
		put(t, st, "b", "support", helpdesk.StateOpen, due(cl, 0, 10*time.Minute), due(fr, 0, 3*time.Hour))
		put(t, st, "c", "support", helpdesk.StateOpen, due(fr, 30*time.Minute, 2*time.Hour)) // warned within, due later
		put(t, st, "d", "support", helpdesk.StateOpen, due(fr, 0, 60*time.Minute))           // due exactly at the hour
		put(t, st, "e", "sales", helpdesk.StateOpen, due(fr, 0, 5*time.Minute))              // not visible
		met := due(fr, 0, 5*time.Minute)
		met.MetAt = now
		put(t, st, "f", "support", helpdesk.StateOpen, met)
		paused := helpdesk.SLATarget{Kind: fr, StartedAt: now, PausedAt: now, Remaining: time.Minute}
		put(t, st, "g", "support", helpdesk.StateOpen, paused)
		put(t, st, "h", "support", helpdesk.StateClosed, due(fr, 0, 5*time.Minute))
		late := due(fr, 0, -time.Minute) // due, the sweep has not recorded it yet
		put(t, st, "i", "support", helpdesk.StateOpen, late)
		gone := due(fr, 0, -10*time.Minute)
		gone.BreachedAt = gone.DueAt
		put(t, st, "j", "support", helpdesk.StateOpen, gone, due(cl, 0, 61*time.Minute))
		put(t, st, "k", "support", helpdesk.StateOpen, due(fr, 0, 61*time.Minute))

		res, err := slaview.BreachingSoon(ctx, st, now, time.Hour, func(tk helpdesk.Ticket) bool { return tk.TeamID == "support" })
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range res.Rows {
			got = append(got, fmt.Sprintf("%s:%s:%v", r.Ticket.ID, r.Kind, r.DueAt.Sub(now)))
		}
		want := []string{"i:first_response:-1m0s", "b:close:10m0s", "a:first_response:50m0s", "d:first_response:1h0m0s"}
		if !slices.Equal(got, want) || res.Truncated {
			t.Fatalf("breaching within the hour: %v (truncated %v), want %v", got, res.Truncated, want)
		}
	})
}

// More tickets than one index page: every one is read, in due order.
func TestBreachingSoonPagesTheIndex(t *testing.T) {
	stores(t, func(t *testing.T, st tickets) {
		for i := range 130 {
			put(t, st, fmt.Sprintf("p%03d", i), "", helpdesk.StateOpen, due(helpdesk.SLAFirstResponse, 0, time.Duration(130-i)*10*time.Second))
		}
		res, err := slaview.BreachingSoon(context.Background(), st, now, time.Hour, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Rows) != 130 || res.Rows[0].Ticket.ID != "p129" || res.Rows[129].Ticket.ID != "p000" {
			t.Fatalf("%d rows, first %v", len(res.Rows), res.Rows[:min(2, len(res.Rows))])
		}
	})
}
