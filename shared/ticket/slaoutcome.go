package ticket

import (
	"slices"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// slaOutcomes records the SLA targets this change decided, once each: a
// target (kind and start) that was undecided on the ticket as read (no
// MetAt, no BreachedAt) and is met or breached on the ticket written. Met
// in time is "met"; a breach, whether the sweep records it at the due date
// or a late reply or close records it with the met, is "breached" and the
// target is not recorded again when it is met later. A target stopped
// unmet and not due (a response target of a ticket closed without an
// answer, a policy dropped) has no outcome: it neither met nor missed a
// target. Recomputed on every finish, so a change finished twice records
// once; the store writes each outcome only if absent.
func (c *Change) slaOutcomes(now time.Time) {
	c.SLAOutcomes = nil
	for _, w := range c.Tickets {
		t := w.After
		if t == nil || t.SLA == nil {
			continue
		}
		var before *helpdesk.SLA
		if w.Before != nil {
			before = w.Before.SLA
		}
		clk := clockFor(c.set, t.SLA.CalendarID)
		for _, tg := range t.SLA.Targets {
			if tg.MetAt.IsZero() && tg.BreachedAt.IsZero() {
				continue
			}
			old, had := sameTarget(before, tg)
			if had && (!old.MetAt.IsZero() || !old.BreachedAt.IsZero()) {
				continue // decided before: recorded then
			}
			o := helpdesk.SLAOutcome{TicketID: t.ID, Kind: tg.Kind, PolicyID: t.SLA.PolicyID, TeamID: t.TeamID,
				OwnerID: t.OwnerID, Priority: t.Priority, ChannelKind: t.ChannelKind, StartedAt: tg.StartedAt,
				Outcome: helpdesk.SLAOutcomeMet, BudgetMs: tg.Budget.Milliseconds(), RecordedAt: now.UTC()}
			at := now
			if !tg.MetAt.IsZero() {
				at = tg.MetAt
			} else if !tg.StoppedAt.IsZero() {
				at = tg.StoppedAt
			}
			if !tg.BreachedAt.IsZero() {
				o.Outcome = helpdesk.SLAOutcomeBreached
			}
			o.ElapsedMs = max(0, used(clk, tg, old, had, at).Milliseconds())
			c.SLAOutcomes = append(c.SLAOutcomes, o)
		}
	}
	slices.SortFunc(c.SLAOutcomes, func(a, b helpdesk.SLAOutcome) int {
		if a.TicketID != b.TicketID {
			return strings.Compare(a.TicketID, b.TicketID)
		}
		return strings.Compare(string(a.Kind), string(b.Kind))
	})
}

// sameTarget finds tg (same kind, same start) in the SLA as read.
func sameTarget(s *helpdesk.SLA, tg helpdesk.SLATarget) (helpdesk.SLATarget, bool) {
	if s == nil {
		return helpdesk.SLATarget{}, false
	}
	for _, o := range s.Targets {
		if o.Kind == tg.Kind && o.StartedAt.Equal(tg.StartedAt) {
			return o, true
		}
	}
	return helpdesk.SLATarget{}, false
}

// used is the time tg used until `at`, in its clock: its budget less what
// was left of it then (so pauses, and a policy change's moved due date,
// count as the model counted them). A target paused when it was decided
// (its due date cleared) used its budget less the time it had left at the
// pause, as read; one with no due date and no pause to go by, the clock
// time since it started.
func used(clk Clock, tg, old helpdesk.SLATarget, had bool, at time.Time) time.Duration {
	switch {
	case !tg.DueAt.IsZero():
		return tg.Budget - remaining(clk, at, tg.DueAt)
	case had && old.Paused():
		return tg.Budget - old.Remaining
	case !at.After(tg.StartedAt):
		return 0
	default:
		return clk.Between(tg.StartedAt, at)
	}
}
