package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// SLACheckStore is the SLA sweep's read (issue 15): the tickets whose SLA
// check is due, from the sparse due-date index.
type SLACheckStore interface {
	DueSLAChecks(ctx context.Context, now time.Time, after string, limit int32) ([]string, string, error)
}

// setNextCheck commits ticket id with its SLA's next check at `at` (zero:
// nothing to check; nil SLA when none), as the ticket model would.
func (f *fixture) setNextCheck(id string, at time.Time, sla bool) {
	f.t.Helper()
	f.change(id, func(t helpdesk.Ticket) (ticket.Change, error) {
		after := t
		after.Version++
		after.SLA = nil
		if sla {
			after.SLA = &helpdesk.SLA{PolicyID: "p1", NextCheckAt: at, Targets: []helpdesk.SLATarget{
				{Kind: helpdesk.SLAFirstResponse, StartedAt: t.CreatedAt, DueAt: at}}}
		}
		return ticket.Change{Tickets: []ticket.Write{{Before: &t, After: &after}}}, nil
	})
}

func (f *fixture) due(now time.Time, limit int32) []string {
	f.t.Helper()
	ids, _, err := f.st.DueSLAChecks(f.ctx, now, "", limit)
	if err != nil {
		f.t.Fatal(err)
	}
	return ids
}

func testDueSLAChecks(t *testing.T, f *fixture) {
	now := T0.Add(time.Hour)
	// Twelve tickets due one minute apart before now (so in every shard),
	// inserted out of order; their ids say their order.
	var want []string
	for i := 12; i >= 1; i-- {
		id := fmt.Sprintf("t%02d", i)
		f.open(id, id+"@example.com", T0)
		f.setNextCheck(id, now.Add(time.Duration(i-13)*time.Minute), true)
	}
	for i := 1; i <= 12; i++ {
		want = append(want, fmt.Sprintf("t%02d", i))
	}
	// The boundary: due exactly now is due; a nanosecond or a millisecond
	// later is not; no SLA, or nothing to check, is not in the index.
	f.open("exact", "exact@example.com", T0)
	f.setNextCheck("exact", now, true)
	f.open("ns", "ns@example.com", T0)
	f.setNextCheck("ns", now.Add(time.Nanosecond), true)
	f.open("ms", "ms@example.com", T0)
	f.setNextCheck("ms", now.Add(time.Millisecond), true)
	f.open("met", "met@example.com", T0)
	f.setNextCheck("met", time.Time{}, true)
	f.open("none", "none@example.com", T0)

	all := append(slices.Clone(want), "exact")
	if got := f.due(now, 100); !slices.Equal(got, all) {
		t.Fatalf("due at now = %v\nwant %v (earliest first, due exactly now included)", got, all)
	}
	if got := f.due(now.Add(time.Millisecond), 100); !slices.Equal(got, append(slices.Clone(all), "ns", "ms")) {
		t.Fatalf("due a millisecond later = %v; want the nanosecond and the millisecond too", got)
	}
	if got := f.due(now.Add(-time.Minute-time.Nanosecond), 100); !slices.Equal(got, want[:11]) {
		t.Fatalf("due before the last = %v, want %v", got, want[:11])
	}
	if got := f.due(T0, 100); len(got) != 0 {
		t.Fatalf("due before any = %v", got)
	}

	// Pages of 5 across the shards: each starts after the previous one's
	// last ticket, and together they are the whole list, once each.
	var paged []string
	after := ""
	for range 10 {
		ids, last, err := f.st.DueSLAChecks(f.ctx, now, after, 5)
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, ids...)
		if len(ids) < 5 {
			break
		}
		after = last
	}
	if !slices.Equal(paged, all) {
		t.Fatalf("paged = %v\nwant %v", paged, all)
	}
	if _, _, err := f.st.DueSLAChecks(f.ctx, now, "", 0); err == nil {
		t.Fatal("a limit of 0 was accepted")
	}

	// A check done moves the ticket: later (a warning made, the breach to
	// come) or out (nothing left to check); a deleted ticket leaves.
	f.setNextCheck("t01", now.Add(time.Hour), true)
	f.setNextCheck("t02", time.Time{}, true)
	f.setNextCheck("t03", time.Time{}, false)
	f.change("t04", func(tk helpdesk.Ticket) (ticket.Change, error) {
		return ticket.Change{Tickets: []ticket.Write{{Before: &tk}}}, nil
	})
	if got := f.due(now, 100); !slices.Equal(got, all[4:]) {
		t.Fatalf("due after the checks = %v, want %v", got, all[4:])
	}
	if got := f.due(now.Add(time.Hour), 100); !slices.Contains(got, "t01") || slices.Contains(got, "t02") {
		t.Fatalf("due an hour later = %v; want t01 back, t02 never", got)
	}
	if h := f.header("t01"); h.SLA == nil || !h.SLA.NextCheckAt.Equal(now.Add(time.Hour)) || len(h.SLA.Targets) != 1 {
		t.Fatalf("t01's SLA reads back as %+v", h.SLA)
	}
}
