package agent

import (
	"context"
	"slices"
	"strings"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// ViewStore is what views read and keep: filtered queries and counts of
// the view partitions, and the saved views. No Scan: every read is a
// Query of one index partition or a GetItem.
type ViewStore interface {
	QueryTickets(ctx context.Context, q helpdesk.TicketQuery, after string, forward bool, limit int32) ([]helpdesk.Ticket, string, error)
	CountTickets(ctx context.Context, q helpdesk.TicketQuery) (int, error)
	PutView(ctx context.Context, v helpdesk.View) error
	GetView(ctx context.Context, id string) (helpdesk.View, error)
	DeleteView(ctx context.Context, id string) error
	ListViews(ctx context.Context, holders []string) ([]helpdesk.View, error)
}

// allStates is what a view without a state filter covers.
var allStates = []helpdesk.State{helpdesk.StateOpen, helpdesk.StateClosed, helpdesk.StateSpam}

// plan is how a view is read for one caller: disjoint index partitions,
// each with the view's filter and the caller's access in it, so what the
// partitions return is exactly what the caller may see of the view.
type plan struct {
	parts []helpdesk.TicketQuery
	sort  helpdesk.ViewSort
}

// planView picks the narrowest partitions the view's filter and the
// caller's scope allow: an owner's partitions (GSI1) when the view names
// its owners, a team's (GSI2) when it names its teams, else the state's
// (GSI3); one per state. Access is pushed down: an own-scoped caller reads
// their own partition only; a team-scoped one their own plus their teams'
// (without their own tickets, which the first gives), or, when the view
// names owners or teams, those partitions restricted to what they may see.
func planView(f helpdesk.ViewFilter, s helpdesk.ViewSort, p helpdesk.Principal) plan {
	tf := resolve(f, p)
	states := f.States
	if len(states) == 0 {
		states = allStates
	}
	pl := plan{sort: s.Normal()}
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
	byOwner := len(tf.Owners) > 0 && !slices.Contains(tf.Owners, "")
	byTeam := !byOwner && len(tf.Teams) > 0 && !slices.Contains(tf.Teams, "")
	byOwner = byOwner || !byTeam && len(tf.Owners) > 0
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
// "unassigned" and "none" are "".
func resolve(f helpdesk.ViewFilter, p helpdesk.Principal) helpdesk.TicketFilter {
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
	}
	for _, pr := range none(f.Priorities, helpdesk.FilterNone) {
		tf.Priorities = append(tf.Priorities, helpdesk.Priority(pr))
	}
	return tf
}

// page reads one page of a planned view after the position pos (a sort
// key, "" from the start) and returns it with the position of its last
// ticket when the view may go on.
//
// Sorted by creation, each partition is read in index order from pos, up
// to limit tickets each (a whole team partition in its unassigned and
// assigned halves), and the partitions are merged: a page costs about
// limit tickets read per partition, plus what the filter leaves out.
// Sorted otherwise, the index cannot give the order: every partition is
// read whole, sorted here, and the page is the limit tickets after pos,
// so a page costs the whole of the view's partitions.
func (a *API) page(ctx context.Context, p helpdesk.Principal, pl plan, pos string, limit int) ([]helpdesk.Ticket, string, error) {
	asc := pl.sort.Order == helpdesk.OrderAsc
	var all []helpdesk.Ticket
	more := false
	for _, q := range pl.parts {
		if pl.sort.By != helpdesk.SortCreated {
			ts, _, err := a.Store.QueryTickets(ctx, q, "", false, 0)
			if err != nil {
				return nil, "", err
			}
			all = append(all, ts...)
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
			all = append(all, ts...)
			more = more || next != ""
		}
	}
	keys := make(map[string]string, len(all))
	for _, t := range all {
		keys[t.ID] = helpdesk.SortKey(t, pl.sort.By)
	}
	slices.SortFunc(all, func(x, y helpdesk.Ticket) int {
		c := strings.Compare(keys[x.ID], keys[y.ID])
		if asc {
			return c
		}
		return -c
	})
	if pos != "" && pl.sort.By != helpdesk.SortCreated {
		i, _ := slices.BinarySearchFunc(all, pos, func(t helpdesk.Ticket, pos string) int {
			c := strings.Compare(keys[t.ID], pos)
			if c == 0 {
				return -1 // the ticket at pos is before what follows it
			}
			if asc {
				return c
			}
			return -c
		})
		all = all[i:]
	}
	if len(all) > limit {
		all, more = all[:limit], true
	}
	out := make([]helpdesk.Ticket, 0, len(all))
	for _, t := range all {
		// The partitions hold only what the caller may see; the check
		// stays as the last guard.
		if p.CanSee(t) {
			out = append(out, t)
		}
	}
	next := ""
	if more && len(all) > 0 {
		next = keys[all[len(all)-1].ID]
	}
	return out, next, nil
}

// count is how many tickets paging through the view would give the
// caller: a Select COUNT per partition, with the same filter.
func (a *API) count(ctx context.Context, pl plan) (int, error) {
	n := 0
	for _, q := range pl.parts {
		c, err := a.Store.CountTickets(ctx, q)
		if err != nil {
			return 0, err
		}
		n += c
	}
	return n, nil
}
