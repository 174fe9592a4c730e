// Package slareport is the SLA report (issue 15): over the SLA outcomes
// recorded in a period (helpdesk.SLAOutcome, decided once each by the
// ticket model and read by one query of their index, never a scan), per
// group (team, agent, priority, channel, or day, week or month) and in total, per target kind:
// how many targets were decided, met and breached, the share met, and the
// median and 90th percentile of the time they used.
//
// Percentiles are exact order statistics by the nearest-rank method: the
// p-th percentile of n values is the value of rank ceil(p*n) in ascending
// order (so the median of an even count is the lower middle value, and
// every figure is a time some target really took). Times are the
// outcome's ElapsedMs: the time used in the policy's clock (business time
// for a business-hours policy, pauses excluded) until the event that met
// it, or until the breach was recorded (so a breach counts at least its
// budget).
package slareport

import (
	"context"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Groupings are the report's by values: who or what had the ticket, or
// the period (UTC day, week from Monday, month) the outcome was recorded in.
var Groupings = []string{"team", "agent", "priority", "channel", "day", "week", "month"}

// Report is the SLA report over outcomes recorded in [From, To).
type Report struct {
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
	By   string    `json:"by"`
	// Total is every outcome of the period (its key is "").
	Total Group `json:"total"`
	// Groups are by key, ascending; "" is the group of outcomes with no
	// team (or no owner) when they were recorded. By period the key is the
	// UTC date ("2026-11-30"; a week's Monday) or month ("2026-11"), so the
	// groups are in time order.
	Groups []Group `json:"groups"`
}

// Group is one team's, agent's, priority's or channel kind's outcomes.
type Group struct {
	Key   string      `json:"key"`
	Count int         `json:"count"`
	Met   int         `json:"met"`
	Kinds []KindStats `json:"kinds"` // first_response, next_response, close: those with outcomes
}

// KindStats are one target kind's figures in a group.
type KindStats struct {
	Kind     helpdesk.SLATargetKind `json:"kind"`
	Count    int                    `json:"count"`
	Met      int                    `json:"met"`
	Breached int                    `json:"breached"`
	ShareMet float64                `json:"share_met"` // Met / Count
	MedianMs int64                  `json:"median_ms"`
	P90Ms    int64                  `json:"p90_ms"`
}

// OutcomesReader reads SLA outcomes by period (the agent API's store is
// one: *store.Store, *memstore.Store).
type OutcomesReader interface {
	SLAOutcomes(ctx context.Context, from, to time.Time) ([]helpdesk.SLAOutcome, error)
}

// Read returns the report over outcomes recorded in [from, to), grouped by
// by: one query of the outcomes' index.
func Read(ctx context.Context, st OutcomesReader, from, to time.Time, by string) (Report, error) {
	if !slices.Contains(Groupings, by) {
		return Report{}, helpdesk.Errorf(helpdesk.EInvalid, "invalid_by", "by must be team, agent, priority, channel, day, week or month")
	}
	if err := helpdesk.CheckReportPeriod(from, to); err != nil {
		return Report{}, err
	}
	os, err := st.SLAOutcomes(ctx, from, to)
	if err != nil {
		return Report{}, fmt.Errorf("sla report: %w", err)
	}
	return Compute(from, to, by, os), nil
}

// Compute is the report over os (outcomes of [from, to)), grouped by by.
func Compute(from, to time.Time, by string, os []helpdesk.SLAOutcome) Report {
	r := Report{From: from.UTC(), To: to.UTC(), By: by, Total: group("", os), Groups: []Group{}}
	keyed := map[string][]helpdesk.SLAOutcome{}
	for _, o := range os {
		k := keyOf(by, o)
		keyed[k] = append(keyed[k], o)
	}
	keys := make([]string, 0, len(keyed))
	for k := range keyed {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		r.Groups = append(r.Groups, group(k, keyed[k]))
	}
	return r
}

func keyOf(by string, o helpdesk.SLAOutcome) string {
	switch by {
	case "agent":
		return o.OwnerID
	case "priority":
		return string(o.Priority)
	case "channel":
		return string(o.ChannelKind)
	case "day":
		return o.RecordedAt.UTC().Format(time.DateOnly)
	case "week": // its Monday
		d := o.RecordedAt.UTC()
		return d.AddDate(0, 0, -(int(d.Weekday())+6)%7).Format(time.DateOnly)
	case "month":
		return o.RecordedAt.UTC().Format("2006-01")
	}
	return o.TeamID
}

var kinds = []helpdesk.SLATargetKind{helpdesk.SLAFirstResponse, helpdesk.SLANextResponse, helpdesk.SLAClose}

func group(key string, os []helpdesk.SLAOutcome) Group {
	g := Group{Key: key, Kinds: []KindStats{}}
	for _, k := range kinds {
		s := KindStats{Kind: k}
		var times []int64
		for _, o := range os {
			if o.Kind != k {
				continue
			}
			s.Count++
			if o.Outcome == helpdesk.SLAOutcomeMet {
				s.Met++
			} else {
				s.Breached++
			}
			times = append(times, o.ElapsedMs)
		}
		if s.Count == 0 {
			continue
		}
		s.ShareMet = float64(s.Met) / float64(s.Count)
		slices.Sort(times)
		s.MedianMs, s.P90Ms = NearestRank(times, 0.5), NearestRank(times, 0.9)
		g.Count += s.Count
		g.Met += s.Met
		g.Kinds = append(g.Kinds, s)
	}
	return g
}

// NearestRank is the p-th percentile (0 < p <= 1) of sorted by the
// nearest-rank method: the value of rank ceil(p*n); 0 for no values.
func NearestRank(sorted []int64, p float64) int64 {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	// Rounded first, so 0.9*10 (8.999... in floating point) is rank 9.
	rank := int(math.Ceil(math.Round(p*float64(n)*1e9) / 1e9))
	rank = max(1, min(rank, n))
	return sorted[rank-1]
}
