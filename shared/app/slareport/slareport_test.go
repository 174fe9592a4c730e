package slareport_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/app/slareport"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

var t0 = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

func TestNearestRank(t *testing.T) {
	ten := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, c := range []struct {
		vals []int64
		p    float64
		want int64
	}{
		{ten, 0.5, 5}, {ten, 0.9, 9}, {ten, 1, 10},
		{[]int64{10, 20, 30, 40}, 0.5, 20}, {[]int64{10, 20, 30, 40}, 0.9, 40},
		{[]int64{7}, 0.5, 7}, {[]int64{7}, 0.9, 7}, {nil, 0.5, 0},
		{[]int64{1, 2, 3}, 0.5, 2}, {[]int64{1, 2, 3}, 0.9, 3},
		{append(ten, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20), 0.9, 18},
	} {
		if got := slareport.NearestRank(c.vals, c.p); got != c.want {
			t.Errorf("NearestRank(%v, %v) = %d, want %d", c.vals, c.p, got, c.want)
		}
	}
}

func out(id, team, owner string, prio helpdesk.Priority, ch helpdesk.ChannelKind, kind helpdesk.SLATargetKind, outcome string, min int) helpdesk.SLAOutcome {
	return helpdesk.SLAOutcome{TicketID: id, Kind: kind, PolicyID: "p", TeamID: team, OwnerID: owner, Priority: prio, ChannelKind: ch,
		StartedAt: t0, Outcome: outcome, ElapsedMs: int64(min) * 60000, BudgetMs: 60 * 60000, RecordedAt: t0.Add(time.Hour)}
}

const (
	fr = helpdesk.SLAFirstResponse
	cl = helpdesk.SLAClose
)

func TestComputeGroupsAndFigures(t *testing.T) {
	os := []helpdesk.SLAOutcome{
		out("1", "support", "ann", "high", "email", fr, "met", 10),
		out("2", "support", "bob", "low", "email", fr, "met", 30),
		out("3", "support", "", "low", "whatsapp", fr, "breached", 70),
		out("4", "sales", "ann", "high", "email", fr, "met", 20),
		out("1", "support", "ann", "high", "email", cl, "met", 50),
		out("5", "", "", "low", "form", cl, "breached", 90),
	}
	r := slareport.Compute(t0, t0.Add(24*time.Hour), "team", os)
	wantTotal := slareport.Group{Key: "", Count: 6, Met: 4, Kinds: []slareport.KindStats{
		{Kind: fr, Count: 4, Met: 3, Breached: 1, ShareMet: 0.75, MedianMs: 20 * 60000, P90Ms: 70 * 60000},
		{Kind: cl, Count: 2, Met: 1, Breached: 1, ShareMet: 0.5, MedianMs: 50 * 60000, P90Ms: 90 * 60000},
	}}
	if !reflect.DeepEqual(r.Total, wantTotal) {
		t.Fatalf("total %+v\nwant  %+v", r.Total, wantTotal)
	}
	var keys []string
	for _, g := range r.Groups {
		keys = append(keys, g.Key)
	}
	if !reflect.DeepEqual(keys, []string{"", "sales", "support"}) {
		t.Fatalf("team groups %q", keys)
	}
	sup := r.Groups[2]
	if sup.Count != 4 || sup.Met != 3 || len(sup.Kinds) != 2 || sup.Kinds[0].Count != 3 || sup.Kinds[0].MedianMs != 30*60000 || sup.Kinds[0].ShareMet != 2.0/3 {
		t.Fatalf("support %+v", sup)
	}
	for by, want := range map[string][]string{"agent": {"", "ann", "bob"}, "priority": {"high", "low"}, "channel": {"email", "form", "whatsapp"}} {
		r := slareport.Compute(t0, t0.Add(time.Hour), by, os)
		var keys []string
		for _, g := range r.Groups {
			keys = append(keys, g.Key)
		}
		if !reflect.DeepEqual(keys, want) {
			t.Errorf("by %s: groups %q, want %q", by, keys, want)
		}
	}
	if r := slareport.Compute(t0, t0.Add(time.Hour), "team", nil); r.Total.Count != 0 || len(r.Groups) != 0 || r.Groups == nil || r.Total.Kinds == nil {
		t.Fatalf("empty report %+v: want zero counts and empty (not null) lists", r)
	}
}

type reader struct {
	os       []helpdesk.SLAOutcome
	from, to time.Time
}

func (r *reader) SLAOutcomes(ctx context.Context, from, to time.Time) ([]helpdesk.SLAOutcome, error) {
	r.from, r.to = from, to
	return r.os, nil
}

func TestReadRefusesBadInput(t *testing.T) {
	rd := &reader{os: []helpdesk.SLAOutcome{out("1", "s", "a", "low", "email", fr, "met", 1)}}
	for _, c := range []struct {
		from, to time.Time
		by, code string
	}{
		{t0, t0.Add(time.Hour), "queue", "invalid_by"},
		{t0, t0, "team", "invalid_period"},
		{t0, t0.Add(367 * 24 * time.Hour), "team", "invalid_period"},
	} {
		var he *helpdesk.Error
		if _, err := slareport.Read(context.Background(), rd, c.from, c.to, c.by); !errors.As(err, &he) || he.Reason != c.code {
			t.Errorf("%+v: %v, want %s", c, err, c.code)
		}
	}
	r, err := slareport.Read(context.Background(), rd, t0, t0.Add(time.Hour), "priority")
	if err != nil || r.Total.Count != 1 || !rd.from.Equal(t0) || !rd.to.Equal(t0.Add(time.Hour)) {
		t.Fatalf("report %+v %v (read %v..%v)", r, err, rd.from, rd.to)
	}
}

// By period, outcomes group by the UTC day, the week (its Monday) or the
// month they were recorded in, in time order.
func TestComputeGroupsByPeriod(t *testing.T) {
	at := func(s string) helpdesk.SLAOutcome {
		o := out("1", "support", "ann", "high", "email", fr, "met", 10)
		o.RecordedAt, _ = time.Parse(time.RFC3339, s)
		return o
	}
	os := []helpdesk.SLAOutcome{
		at("2026-11-29T23:59:59Z"), // Sunday: the week of Monday 23
		at("2026-11-30T00:00:00Z"), // Monday: a new week
		at("2026-12-06T23:00:00+00:00"),
		at("2026-12-07T01:00:00+02:00"), // 6 Dec 23:00 UTC
		at("2026-11-01T00:00:00Z"),
	}
	for by, want := range map[string][]string{
		"day":   {"2026-11-01", "2026-11-29", "2026-11-30", "2026-12-06"},
		"week":  {"2026-10-26", "2026-11-23", "2026-11-30"},
		"month": {"2026-11", "2026-12"},
	} {
		r := slareport.Compute(t0, t0.Add(60*24*time.Hour), by, os)
		var keys []string
		n := 0
		for _, g := range r.Groups {
			keys = append(keys, g.Key)
			n += g.Count
		}
		if !reflect.DeepEqual(keys, want) || n != len(os) {
			t.Errorf("by %s: groups %q (%d outcomes), want %q (%d)", by, keys, n, want, len(os))
		}
	}
}
