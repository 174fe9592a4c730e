// Package slaview serves issue 15's "breaching in the next hour" list from
// the sweep's index, never a scan: GSI6 (sparse) holds SLA.NextCheckAt for
// every ticket with a running target, and NextCheckAt is never after a
// running target's due date (it is its warning, or the due date itself),
// so the tickets due within the hour are among those whose NextCheckAt is
// within the hour. It reads their headers, keeps those the caller may see
// whose earliest running due date is within the window, and sorts them by
// that due date. Not wired into the agent API yet (docs/wip/i15-badges.md).
package slaview

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Store is what the list reads: the sweep's index and ticket headers.
type Store interface {
	DueSLAChecks(ctx context.Context, now time.Time, after string, limit int32) (ids []string, last string, err error)
	GetTicketHeader(ctx context.Context, id string) (helpdesk.Ticket, error)
}

// pageSize is the index page read at a time; MaxRead bounds the headers
// read for one list (a backlog beyond it is reported as Truncated).
const (
	pageSize = 100
	MaxRead  = 1000
)

// Row is a ticket due within the window, with its earliest running due
// date and that target's kind.
type Row struct {
	Ticket helpdesk.Ticket
	DueAt  time.Time
	Kind   helpdesk.SLATargetKind
}

// Result is the list, soonest first.
type Result struct {
	Rows []Row
	// Truncated: more than MaxRead tickets were due for a check within the
	// window; the rows are from the first MaxRead.
	Truncated bool
}

// EarliestDue is the earliest due date of a ticket's running, unpaused,
// not yet breached targets (ok false when it has none).
func EarliestDue(s *helpdesk.SLA) (due time.Time, kind helpdesk.SLATargetKind, ok bool) {
	if s == nil {
		return time.Time{}, "", false
	}
	for _, t := range s.Targets {
		if !t.Running() || t.Paused() || !t.BreachedAt.IsZero() || t.DueAt.IsZero() {
			continue
		}
		if !ok || t.DueAt.Before(due) {
			due, kind, ok = t.DueAt, t.Kind, true
		}
	}
	return due, kind, ok
}

// BreachingSoon lists the open tickets canSee allows whose earliest running
// due date is at or before now+within, soonest first (then by id).
func BreachingSoon(ctx context.Context, st Store, now time.Time, within time.Duration, canSee func(helpdesk.Ticket) bool) (Result, error) {
	until := now.Add(within)
	var res Result
	read, after := 0, ""
	for {
		ids, last, err := st.DueSLAChecks(ctx, until, after, pageSize)
		if err != nil {
			return Result{}, fmt.Errorf("slaview: due checks by %s: %w", until.Format(time.RFC3339), err)
		}
		for _, id := range ids {
			if read == MaxRead {
				res.Truncated = true
				break
			}
			read++
			tk, err := st.GetTicketHeader(ctx, id)
			if helpdesk.IsCode(err, helpdesk.ENotFound) {
				continue // deleted since the index was read
			}
			if err != nil {
				return Result{}, fmt.Errorf("slaview: ticket %s: %w", id, err)
			}
			if tk.State != helpdesk.StateOpen || (canSee != nil && !canSee(tk)) {
				continue
			}
			if due, kind, ok := EarliestDue(tk.SLA); ok && !due.After(until) {
				res.Rows = append(res.Rows, Row{Ticket: tk, DueAt: due, Kind: kind})
			}
		}
		if res.Truncated || last == "" || len(ids) < pageSize {
			break
		}
		after = last
	}
	slices.SortFunc(res.Rows, func(a, b Row) int {
		return cmp.Or(a.DueAt.Compare(b.DueAt), cmp.Compare(a.Ticket.ID, b.Ticket.ID))
	})
	return res, nil
}
