package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// A filtered view partition pages in creation order both ways with its
// filter applied (pages full whatever it drops), counts what it pages,
// gives the sort keys after a position, and refuses a position on a whole
// team partition; tickets read by id leave the missing out.
func testFilteredViewPartitions(t *testing.T, f *fixture) {
	// id: owner, team, priority, unread
	layout := []struct {
		id, owner, team string
		prio            helpdesk.Priority
		unread          bool
	}{
		{"1", "", "a", "high", true}, {"2", "ann", "a", "", false}, {"3", "", "b", "low", true}, {"4", "ann", "", "high", true},
		{"5", "bob", "a", "urgent", false}, {"6", "", "a", "high", false}, {"7", "ann", "a", "high", true}, {"8", "bob", "a", "", true},
	}
	for i, l := range layout {
		c := f.arrival(l.id, "c"+l.id+"@example.com", T0.Add(time.Duration(i)*time.Minute))
		tk := c.Ticket()
		tk.OwnerID, tk.TeamID, tk.Priority, tk.Unread = l.owner, l.team, l.prio, l.unread
		tk.UpdatedAt = T0.Add(time.Duration(10-i) * time.Hour)
		if l.owner != "" {
			tk.AssignedAt = T0
		}
		f.commit(c)
	}
	open := helpdesk.StateOpen
	yes, ann := true, "ann"
	page := func(q helpdesk.TicketQuery, forward bool, limit int32) []string {
		var got []string
		after := ""
		for range 20 {
			ts, next, err := f.st.QueryTickets(f.ctx, q, after, forward, limit)
			if err != nil {
				t.Fatal(err)
			}
			if next != "" && len(ts) < int(limit) {
				t.Fatalf("a page of %d of %d goes on", len(ts), limit)
			}
			for _, tk := range ts {
				got = append(got, tk.ID)
			}
			if next == "" {
				return got
			}
			after = next
		}
		t.Fatal("endless")
		return nil
	}
	for _, c := range []struct {
		name string
		q    helpdesk.TicketQuery
		want []string // newest first
	}{
		{"state, high or urgent, unread", helpdesk.TicketQuery{ViewQuery: helpdesk.ViewQuery{State: open},
			Filter: helpdesk.TicketFilter{Priorities: []helpdesk.Priority{"high", "urgent"}, Unread: &yes}}, []string{"7", "4", "1"}},
		{"ann's, no priority or high, team a", helpdesk.TicketQuery{ViewQuery: helpdesk.ViewQuery{State: open, Owner: &ann},
			Filter: helpdesk.TicketFilter{Priorities: []helpdesk.Priority{"", "high"}, Teams: []string{"a"}}}, []string{"7", "2"}},
		{"team a assigned, not ann's", helpdesk.TicketQuery{ViewQuery: helpdesk.ViewQuery{State: open, Team: "a"}, AssignedOnly: true,
			Filter: helpdesk.TicketFilter{OwnerNot: "ann"}}, []string{"8", "5"}},
		{"team a unassigned", helpdesk.TicketQuery{ViewQuery: helpdesk.ViewQuery{State: open, Team: "a", UnassignedOnly: true}}, []string{"6", "1"}},
		{"unassigned in teams a or none", helpdesk.TicketQuery{ViewQuery: helpdesk.ViewQuery{State: open},
			Filter: helpdesk.TicketFilter{Owners: []string{""}, TeamIn: []string{"a", "b"}}}, []string{"6", "3", "1"}},
		{"updated in a window", helpdesk.TicketQuery{ViewQuery: helpdesk.ViewQuery{State: open},
			Filter: helpdesk.TicketFilter{Updated: &helpdesk.TimeRange{From: T0.Add(5 * time.Hour), To: T0.Add(8 * time.Hour)}}}, []string{"6", "5", "4"}},
		{"in no team's list", helpdesk.TicketQuery{ViewQuery: helpdesk.ViewQuery{State: open}, Filter: helpdesk.TicketFilter{TeamIn: []string{}}}, nil},
		{"closed", helpdesk.TicketQuery{ViewQuery: helpdesk.ViewQuery{State: helpdesk.StateClosed}}, nil},
	} {
		for _, limit := range []int32{1, 2, 10} {
			if got := page(c.q, false, limit); !slices.Equal(got, c.want) {
				t.Errorf("%s, newest first by %d: %v, want %v", c.name, limit, got, c.want)
			}
			back := slices.Clone(c.want)
			slices.Reverse(back)
			if got := page(c.q, true, limit); !slices.Equal(got, back) {
				t.Errorf("%s, oldest first by %d: %v, want %v", c.name, limit, got, back)
			}
		}
		if n, more, err := f.st.CountTickets(f.ctx, c.q, 0); err != nil || n != len(c.want) || more {
			t.Errorf("%s: count %d (more %v), %v; want %d", c.name, n, more, err, len(c.want))
		}
		// A bound past the partition's size counts exactly.
		if n, more, err := f.st.CountTickets(f.ctx, c.q, 1); err != nil || n != len(c.want) || more {
			t.Errorf("%s: count up to 1, reading 10 of at most 8: %d (more %v), %v; want %d", c.name, n, more, err, len(c.want))
		}
	}
	whole := helpdesk.TicketQuery{ViewQuery: helpdesk.ViewQuery{State: open, Team: "a"}}
	if ts, _, err := f.st.QueryTickets(f.ctx, whole, "", false, 0); err != nil || len(ts) != 6 {
		t.Errorf("a whole team partition: %d tickets, %v; want 6", len(ts), err)
	}
	if _, _, err := f.st.QueryTickets(f.ctx, whole, "2026-11-21T09:30:00.000000000Z#1", false, 2); !errors.Is(err, store.ErrInvalidCursor) {
		t.Errorf("a position on a whole team partition: %v, want ErrInvalidCursor", err)
	}

	// Sort keys after a position, by priority then creation.
	all, err := f.st.SortKeys(f.ctx, helpdesk.TicketQuery{ViewQuery: helpdesk.ViewQuery{State: open}}, helpdesk.SortPriority, "", false)
	if err != nil || len(all) != 8 {
		t.Fatalf("sort keys: %v, %v", all, err)
	}
	h6, _ := f.st.GetTicketHeader(f.ctx, "6")
	pos := helpdesk.SortKey(h6, helpdesk.SortPriority)
	below, err := f.st.SortKeys(f.ctx, helpdesk.TicketQuery{ViewQuery: helpdesk.ViewQuery{State: open}, Filter: helpdesk.TicketFilter{Unread: &yes}}, helpdesk.SortPriority, pos, false)
	var ids []string
	for _, k := range below {
		ids = append(ids, k.ID)
	}
	slices.Sort(ids)
	if err != nil || !slices.Equal(ids, []string{"1", "3", "4", "8"}) { // unread, and high before 6, or lower
		t.Errorf("unread after 6 by priority: %v, %v", ids, err)
	}
	for _, k := range below {
		if tk, _ := f.st.GetTicketHeader(f.ctx, k.ID); k.Key != helpdesk.SortKey(tk, helpdesk.SortPriority) {
			t.Errorf("ticket %s's key %q, want %q", k.ID, k.Key, helpdesk.SortKey(tk, helpdesk.SortPriority))
		}
	}
	got, err := f.st.GetTickets(f.ctx, []string{"5", "404", "2"})
	if err != nil || len(got) != 2 {
		t.Errorf("GetTickets(5, 404, 2) = %d tickets, %v", len(got), err)
	}
}

// Saved views are kept per holder, listed by name, and deleted.
func testSavedViews(t *testing.T, f *fixture) {
	views := []helpdesk.View{
		{ID: "v2", Name: "Zeta", OwnerID: "ann", Filter: helpdesk.ViewFilter{Owners: []string{"me"}}, CreatedAt: T0, UpdatedAt: T0},
		{ID: "v1", Name: "Alpha", OwnerID: "ann", Sort: helpdesk.ViewSort{By: "priority"}, CreatedAt: T0, UpdatedAt: T0},
		{ID: "v3", Name: "Team", OwnerID: "ann", TeamID: "a", CreatedAt: T0, UpdatedAt: T0,
			Filter: helpdesk.ViewFilter{Created: &helpdesk.TimeRange{From: T0}, States: []helpdesk.State{"open"}}},
		{ID: "v4", Name: "Bob's", OwnerID: "bob", CreatedAt: T0, UpdatedAt: T0},
	}
	for _, v := range views {
		if err := f.st.PutView(f.ctx, v); err != nil {
			t.Fatal(err)
		}
	}
	got, err := f.st.ListViews(f.ctx, []string{"agent:ann", "team:a", "team:b"})
	var ids []string
	for _, v := range got {
		ids = append(ids, v.ID)
	}
	if err != nil || !slices.Equal(ids, []string{"v1", "v2", "v3"}) {
		t.Fatalf("ann's and team a's views = %v, %v", ids, err)
	}
	v3, err := f.st.GetView(f.ctx, "v3")
	if err != nil || !v3.Filter.Created.From.Equal(T0) || v3.Filter.States[0] != "open" || v3.TeamID != "a" {
		t.Fatalf("v3 = %+v, %v", v3, err)
	}
	if err := f.st.DeleteView(f.ctx, "v3"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.GetView(f.ctx, "v3"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a deleted view: %v", err)
	}
	if err := f.st.DeleteView(f.ctx, "v3"); err != nil {
		t.Fatalf("deleting it again: %v", err)
	}
	if got, err := f.st.ListViews(f.ctx, nil); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("no holders: %#v, %v", got, err)
	}
}

// A count reads at most CountReadBudget(upTo) items of a partition: past
// that it says "at least", so counting a big partition costs a bounded
// read; within it, it is exact.
func testCountsStopAtTheirBound(t *testing.T, f *fixture) {
	for i := range 25 {
		f.commit(f.arrival(fmt.Sprintf("%d", i+1), fmt.Sprintf("b%d@example.com", i), T0.Add(time.Duration(i)*time.Minute)))
	}
	open := helpdesk.TicketQuery{ViewQuery: helpdesk.ViewQuery{State: helpdesk.StateOpen}}
	urgent := open
	urgent.Filter.Priorities = []helpdesk.Priority{"urgent"}
	for _, c := range []struct {
		name     string
		q        helpdesk.TicketQuery
		upTo     int
		n        int
		wantMore bool
	}{
		{"all, up to 2 (reads 20 of 25)", open, 2, 2, true},
		{"all, up to 3 (a full first page of 25: at least 3)", open, 3, 3, true},
		{"all, up to 30 (a page of 30 reads all 25)", open, 30, 25, false},
		{"all, unbounded", open, 0, 25, false},
		{"none match, up to 2: at least none", urgent, 2, 0, true},
		{"none match, up to 3 (25, then an empty page: exact)", urgent, 3, 0, false},
	} {
		if n, more, err := f.st.CountTickets(f.ctx, c.q, c.upTo); err != nil || n != c.n || more != c.wantMore {
			t.Errorf("%s: %d (more %v), %v; want %d (more %v)", c.name, n, more, err, c.n, c.wantMore)
		}
	}
}
