package agent

import (
	"context"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// DueIndexStore reads the SLA sweep's index (GSI6): the tickets with a
// warning or a breach to record by a time, earliest first.
type DueIndexStore interface {
	DueSLAChecks(ctx context.Context, now time.Time, after string, limit int32) (ids []string, last string, err error)
}

// maxDueRead bounds the tickets a view read from the due-date index reads
// for one page or count: a backlog beyond it is cut short (and logged).
const maxDueRead = 1000

// dueTickets is every ticket of a planned view read from the due-date
// index: the view keeps tickets due (helpdesk.SLA.Due) from now to a
// bound, and a ticket due in that window has a ticking target, so it is in
// the sweep's index (GSI6, sparse: open tickets with a running target)
// with a NextCheckAt no later than its due date. The index's entries up
// to the bound are read in one call (ids only, each shard's in one
// Query), their tickets fetched by id, and the view's filter and the
// caller's access applied here. A desk with few tickets due reads few
// items, whatever its size: no partition is read. Every page and count
// reads them all again: they are what is due within the window.
func (a *API) dueTickets(ctx context.Context, p helpdesk.Principal, pl plan) ([]helpdesk.Ticket, error) {
	until := pl.filter.Due.To
	ids, _, err := a.Store.DueSLAChecks(ctx, until, "", maxDueRead+1)
	if err != nil {
		return nil, fmt.Errorf("due-date index by %s: %w", until.Format(time.RFC3339), err)
	}
	if len(ids) > maxDueRead {
		a.Log.WarnContext(ctx, "due-date view cut short", "due_by", until, "read", maxDueRead)
		ids = ids[:maxDueRead]
	}
	// Eventually consistent, like the index they were found in: half the
	// read units of a consistent read.
	byID, err := a.Store.GetTicketHeaders(ctx, ids)
	if err != nil {
		return nil, err
	}
	now := a.now()
	out := make([]helpdesk.Ticket, 0, len(byID))
	for _, t := range byID {
		if pl.keeps(t, now) && p.CanSee(t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// dueCount is count for a view read from the due-date index.
func (a *API) dueCount(ctx context.Context, p helpdesk.Principal, pl plan, upTo int) (int, bool, error) {
	ts, err := a.dueTickets(ctx, p, pl)
	if err != nil {
		return 0, false, err
	}
	return min(len(ts), upTo), len(ts) > upTo, nil
}
