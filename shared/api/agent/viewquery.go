package agent

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// ViewStore is what views read and keep: filtered queries and counts of
// the view partitions, and the saved views. No Scan: every read is a
// Query of one index partition or a GetItem.
type ViewStore interface {
	QueryTickets(ctx context.Context, q helpdesk.TicketQuery, after string, forward bool, limit int32) ([]helpdesk.Ticket, string, error)
	CountTickets(ctx context.Context, q helpdesk.TicketQuery, upTo int) (int, bool, error)
	SortKeys(ctx context.Context, q helpdesk.TicketQuery, by, after string, asc bool) ([]helpdesk.Keyed, error)
	GetTickets(ctx context.Context, ids []string) ([]helpdesk.Ticket, error)
	PutView(ctx context.Context, v helpdesk.View) error
	GetView(ctx context.Context, id string) (helpdesk.View, error)
	DeleteView(ctx context.Context, id string) error
	ListViews(ctx context.Context, holders []string) ([]helpdesk.View, error)
}

// maxNamedPartitions is how many owners or teams a view may name and still
// be read from their partitions.
const maxNamedPartitions = 4

// allStates is what a view without a state filter covers.
var allStates = []helpdesk.State{helpdesk.StateOpen, helpdesk.StateClosed, helpdesk.StateSpam}

// plan is how a view is read for one caller: disjoint index partitions,
// each with the view's filter and the caller's access in it, so what the
// partitions return is exactly what the caller may see of the view.
type plan struct {
	parts  []helpdesk.TicketQuery
	sort   helpdesk.ViewSort
	states []helpdesk.State
	filter helpdesk.TicketFilter // the view's, without the caller's access
	// byDue: the view keeps only tickets due within a window from now, and
	// is read from the sweep's due-date index instead (dueview.go).
	byDue bool
}

// keeps reports whether t belongs to the view at now (the caller's access
// aside): read by a sort key or from the due-date index, a ticket may have
// changed since it was found.
func (pl plan) keeps(t helpdesk.Ticket, now time.Time) bool {
	return slices.Contains(pl.states, t.State) && pl.filter.Match(t) && !t.Expired(now)
}

// planView picks the narrowest partitions the view's filter and the
// caller's scope allow: an owner's partitions (GSI1) when the view names
// its owners, a team's (GSI2) when it names its teams, else the state's
// (GSI3); one per state. Access is pushed down: an own-scoped caller reads
// their own partition only; a team-scoped one their own plus their teams'
// (without their own tickets, which the first gives), or, when the view
// names owners or teams, those partitions restricted to what they may see.
//
// An open-tickets view keeping only tickets due within a window from now
// (not overdue ones) is read from the SLA sweep's index instead
// (dueview.go).
func (a *API) planView(f helpdesk.ViewFilter, s helpdesk.ViewSort, p helpdesk.Principal) plan {
	tf := resolve(f, p, a.now())
	states := f.States
	if len(states) == 0 {
		states = allStates
	}
	pl := plan{sort: s.Normal(), states: states, filter: tf}
	// The index holds open tickets only (a spam ticket's clocks run
	// unchecked; a closed ticket's are stopped).
	if f.SLA != nil && !f.SLA.Overdue && f.SLA.DueWithinMinutes > 0 && slices.Equal(states, []helpdesk.State{helpdesk.StateOpen}) {
		pl.byDue = true
		return pl
	}
	me := p.Agent.ID
	add := func(q helpdesk.ViewQuery, extra func(*helpdesk.TicketFilter)) {
		for _, st := range states {
			q := q
			q.State = st
			tq := helpdesk.TicketQuery{ViewQuery: q, Filter: tf}
			if extra != nil {
				extra(&tq.Filter)
			}
			pl.parts = append(pl.parts, tq)
		}
	}
	owner := func(o string) helpdesk.ViewQuery { return helpdesk.ViewQuery{Owner: &o} }
	team := func(t string) helpdesk.ViewQuery {
		return helpdesk.ViewQuery{Team: t, UnassignedOnly: len(tf.Owners) == 1 && tf.Owners[0] == ""}
	}
	// A view naming many owners or teams reads the wider partitions with
	// the filter instead: fewer Queries a page.
	byOwner := len(tf.Owners) > 0 && len(tf.Owners) <= maxNamedPartitions && !slices.Contains(tf.Owners, "")
	byTeam := !byOwner && len(tf.Teams) > 0 && len(tf.Teams) <= maxNamedPartitions && !slices.Contains(tf.Teams, "")
	byOwner = byOwner || !byTeam && len(tf.Owners) > 0 && len(tf.Owners) <= maxNamedPartitions
	switch p.Scope() {
	case helpdesk.ScopeAll:
		switch {
		case byOwner:
			for _, o := range tf.Owners {
				add(owner(o), nil)
			}
		case byTeam:
			for _, t := range tf.Teams {
				add(team(t), nil)
			}
		default:
			add(helpdesk.ViewQuery{}, nil)
		}
	case helpdesk.ScopeTeams:
		switch {
		case byOwner:
			for _, o := range tf.Owners {
				if o == me {
					add(owner(o), nil)
				} else if len(p.Teams) > 0 {
					add(owner(o), func(f *helpdesk.TicketFilter) { f.TeamIn = p.Teams })
				}
			}
		case byTeam:
			for _, t := range tf.Teams {
				if slices.Contains(p.Teams, t) {
					add(team(t), nil)
				} else if q := team(t); !q.UnassignedOnly {
					add(q, func(f *helpdesk.TicketFilter) { f.OwnerIs = me })
				}
			}
		default:
			add(owner(me), nil)
			for _, t := range p.Teams {
				add(team(t), func(f *helpdesk.TicketFilter) { f.OwnerNot = me })
			}
		}
	default: // own
		if len(tf.Owners) == 0 || slices.Contains(tf.Owners, me) {
			add(owner(me), nil)
		}
	}
	return pl
}

// resolve turns a saved filter into the stores' form: "me" is the caller,
// "unassigned" and "none" are "", and a due window is read at now.
func resolve(f helpdesk.ViewFilter, p helpdesk.Principal, now time.Time) helpdesk.TicketFilter {
	none := func(list []string, word string) []string {
		var out []string
		for _, v := range list {
			switch {
			case v == word:
				v = ""
			case v == helpdesk.FilterMe && word == helpdesk.FilterUnassigned:
				v = p.Agent.ID
			}
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
		return out
	}
	tf := helpdesk.TicketFilter{
		Statuses: f.Statuses, Channels: f.Channels,
		Owners:     none(f.Owners, helpdesk.FilterUnassigned),
		Teams:      none(f.Teams, helpdesk.FilterNone),
		Categories: none(f.Categories, helpdesk.FilterNone),
		Unread:     f.Unread, Created: f.Created, Updated: f.Updated, LastCustomerMessage: f.LastCustomerMessage,
		Due: f.SLA.Range(now),
	}
	for _, pr := range none(f.Priorities, helpdesk.FilterNone) {
		tf.Priorities = append(tf.Priorities, helpdesk.Priority(pr))
	}
	return tf
}

// page reads one page of a planned view after the position pos (a sort
// key, "" from the start) and returns it with the position of its last
// ticket when the view may go on. The pages are a keyset over the sort
// key (sort value, then id), so a ticket whose key and membership do not
// change is on exactly one page, whatever other tickets do.
//
// Sorted by creation (the indexes' order), each partition is read in index
// order after pos, up to limit tickets each (a whole team partition in its
// unassigned and assigned halves), and the partitions are merged: a page
// reads about limit tickets per partition, plus what the filter leaves out.
// Sorted otherwise, the index cannot give the order: each partition's
// keys after pos are read (the whole partition is read and billed; only
// ids and keys travel), sorted here, and the page's limit tickets are
// fetched by id (BatchGetItem).
func (a *API) page(ctx context.Context, p helpdesk.Principal, pl plan, pos string, limit int) ([]helpdesk.Ticket, string, error) {
	asc := pl.sort.Order == helpdesk.OrderAsc
	order := func(x, y string) int {
		if asc {
			return strings.Compare(x, y)
		}
		return strings.Compare(y, x)
	}
	var keyed []helpdesk.Keyed
	byID := map[string]helpdesk.Ticket{}
	more := false
	byKey := pl.sort.By != helpdesk.SortCreated // keys read, tickets fetched by id after the cut
	parts := pl.parts
	if pl.byDue {
		parts, byKey = nil, false
		// Read whole from the due-date index (dueview.go), then the same
		// keyset as every view.
		ts, err := a.dueTickets(ctx, p, pl)
		if err != nil {
			return nil, "", err
		}
		for _, t := range ts {
			if k := helpdesk.SortKey(t, pl.sort.By); pos == "" || order(k, pos) > 0 {
				keyed = append(keyed, helpdesk.Keyed{ID: t.ID, Key: k})
				byID[t.ID] = t
			}
		}
	}
	for _, q := range parts {
		if byKey {
			ks, err := a.Store.SortKeys(ctx, q, pl.sort.By, pos, asc)
			if err != nil {
				return nil, "", err
			}
			keyed = append(keyed, ks...)
			continue
		}
		halves := []helpdesk.TicketQuery{q}
		if !q.SortedByCreation() {
			u, as := q, q
			u.UnassignedOnly, as.AssignedOnly = true, true
			halves = []helpdesk.TicketQuery{u, as}
		}
		for _, h := range halves {
			ts, next, err := a.Store.QueryTickets(ctx, h, pos, asc, int32(limit))
			if err != nil {
				return nil, "", err
			}
			for _, t := range ts {
				if t.Expired(a.now()) {
					continue // past its spam expiry: purged soon
				}
				keyed = append(keyed, helpdesk.Keyed{ID: t.ID, Key: helpdesk.SortKey(t, helpdesk.SortCreated)})
				byID[t.ID] = t
			}
			more = more || next != ""
		}
	}
	slices.SortFunc(keyed, func(x, y helpdesk.Keyed) int { return order(x.Key, y.Key) })
	if len(keyed) > limit {
		keyed, more = keyed[:limit], true
	}
	if byKey && len(keyed) > 0 {
		ids := make([]string, len(keyed))
		for i, k := range keyed {
			ids[i] = k.ID
		}
		ts, err := a.Store.GetTickets(ctx, ids)
		if err != nil {
			return nil, "", err
		}
		for _, t := range ts {
			// Changed since its key was read: kept only if it still
			// belongs to the view (its place is the one it was read at).
			if pl.keeps(t, a.now()) {
				byID[t.ID] = t
			}
		}
	}
	out := make([]helpdesk.Ticket, 0, len(keyed))
	for _, k := range keyed {
		// The partitions hold only what the caller may see; the check
		// stays as the last guard.
		if t, ok := byID[k.ID]; ok && p.CanSee(t) {
			out = append(out, t)
		}
	}
	next := ""
	if more && len(keyed) > 0 {
		next = keyed[len(keyed)-1].Key
	}
	return out, next, nil
}

// DefaultCountUpTo is where a sidebar count stops being exact ("100+"):
// a count reads at most 10 × that many items per partition, whatever the
// view's size (counting a 10,000-ticket desk exactly cost 1,700 RCU).
const DefaultCountUpTo = 100

// count is how many tickets paging through the view would give the
// caller, up to the API's CountUpTo (more: at least that many): a Select
// COUNT per partition, with the same filter.
func (a *API) count(ctx context.Context, p helpdesk.Principal, pl plan) (n int, more bool, err error) {
	upTo := a.CountUpTo
	if upTo == 0 {
		upTo = DefaultCountUpTo
	}
	if pl.byDue {
		return a.dueCount(ctx, p, pl, upTo)
	}
	for _, q := range pl.parts {
		left := upTo - n
		if left <= 0 {
			// Whether the partitions left hold any ticket is not worth a
			// read: "100+" may mean exactly 100.
			return upTo, true, nil
		}
		c, m, err := a.Store.CountTickets(ctx, q, left)
		if err != nil {
			return 0, false, err
		}
		n += c
		if m || n > upTo {
			return min(n, upTo), true, nil
		}
	}
	return n, false, nil
}
