package agent

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// DueIndexStore reads the SLA sweep's index (GSI6): the tickets with a
// warning or a breach to record by a time, earliest first.
type DueIndexStore interface {
	DueSLAChecks(ctx context.Context, now time.Time, after string, limit int32) (ids []string, last string, err error)
}

// Bounds of a view read from the due-date index: index page size, and the
// tickets read for one page or count (a backlog beyond it is cut short).
const (
	duePageSize = 100
	maxDueRead  = 1000
)

// dueTickets is every ticket of a planned view read from the due-date
// index: the view keeps tickets due (helpdesk.SLA.Due) from now to a
// bound, and a ticket due in that window has a ticking target, so it is in
// the sweep's index (GSI6, sparse: open tickets with a running target)
// with a NextCheckAt no later than its due date. The index's entries up
// to the bound are read (ids only), their tickets fetched by id, and the
// view's filter and the caller's access applied here. A desk with few
// tickets due reads few items, whatever its size: no partition is read.
func (a *API) dueTickets(ctx context.Context, p helpdesk.Principal, pl plan) ([]helpdesk.Ticket, error) {
	until := pl.filter.Due.To
	var ids []string
	for after := ""; len(ids) < maxDueRead; {
		page, last, err := a.Store.DueSLAChecks(ctx, until, after, duePageSize)
		if err != nil {
			return nil, fmt.Errorf("due-date index by %s: %w", until.Format(time.RFC3339), err)
		}
		ids = append(ids, page...)
		if last == "" || len(page) < duePageSize {
			break
		}
		after = last
	}
	if len(ids) > maxDueRead {
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
		if slices.Contains(pl.states, t.State) && pl.filter.Match(t) && !t.Expired(now) && p.CanSee(t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// duePage is page for a view read from the due-date index: the same keyset
// over the view's sort key.
func (a *API) duePage(ctx context.Context, p helpdesk.Principal, pl plan, pos string, limit int) ([]helpdesk.Ticket, string, error) {
	ts, err := a.dueTickets(ctx, p, pl)
	if err != nil {
		return nil, "", err
	}
	asc := pl.sort.Order == helpdesk.OrderAsc
	type keyed struct {
		key string
		t   helpdesk.Ticket
	}
	var rows []keyed
	for _, t := range ts {
		k := helpdesk.SortKey(t, pl.sort.By)
		if pos == "" || asc && k > pos || !asc && k < pos {
			rows = append(rows, keyed{k, t})
		}
	}
	slices.SortFunc(rows, func(x, y keyed) int {
		if asc {
			return strings.Compare(x.key, y.key)
		}
		return strings.Compare(y.key, x.key)
	})
	next := ""
	if len(rows) > limit {
		rows, next = rows[:limit], rows[limit-1].key
	}
	out := make([]helpdesk.Ticket, len(rows))
	for i, r := range rows {
		out[i] = r.t
	}
	return out, next, nil
}

// dueCount is count for a view read from the due-date index.
func (a *API) dueCount(ctx context.Context, p helpdesk.Principal, pl plan, upTo int) (int, bool, error) {
	ts, err := a.dueTickets(ctx, p, pl)
	if err != nil {
		return 0, false, err
	}
	return min(len(ts), upTo), len(ts) > upTo, nil
}
