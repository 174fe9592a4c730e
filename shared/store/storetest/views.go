package storetest

import (
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/routing"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// This file holds the cases of what is read across tickets: loads, the
// outbox index, the ticket views, notification feeds and counters.

// loads commits one change of load counters only.
func (f *fixture) loads(changes ...ticket.LoadChange) error {
	return f.st.Commit(f.ctx, ticket.Change{Loads: changes})
}

// An agent's load is the sum of the last helpdesk.LoadWindowDays UTC days
// at the time asked, per ticket type; every change increments its version;
// days past the window are named as expired, days ahead are neither.
func testLoadsCountTheWindow(t *testing.T, f *fixture) {
	today := helpdesk.DayNumber(T0)
	typ := helpdesk.TypeEmailOther
	for _, c := range []ticket.LoadChange{
		{AgentID: "ann", Type: typ, Day: today, Delta: 1},
		{AgentID: "ann", Type: typ, Day: today, Delta: 1},
		{AgentID: "ann", Type: typ, Day: today - helpdesk.LoadWindowDays + 1, Delta: 1}, // the window's first day
		{AgentID: "ann", Type: typ, Day: today - helpdesk.LoadWindowDays, Delta: 1},     // a day past it
		{AgentID: "ann", Type: typ, Day: today + 1, Delta: 1},                           // tomorrow
		{AgentID: "ann", Type: typ, Day: today, Delta: -1},
		{AgentID: "ann", Type: helpdesk.TypeMessage, Day: today, Delta: 1},
		{AgentID: "bob", Type: typ, Day: today, Delta: 1},
	} {
		if err := f.loads(c); err != nil {
			t.Fatal(err)
		}
	}
	got, err := f.st.Loads(f.ctx, []string{"ann", "bob", "nobody", "ann"}, typ, T0)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]routing.Load{
		"ann": {Count: 2, Version: 6, Expired: []string{fmt.Sprintf("d%d", today-helpdesk.LoadWindowDays)}},
		"bob": {Count: 1, Version: 1},
	}
	if !sameLoads(got, want) {
		t.Fatalf("Loads = %+v, want %+v (an agent never counted is absent)", got, want)
	}
	if l, _ := f.st.Loads(f.ctx, []string{"ann"}, helpdesk.TypeMessage, T0); l["ann"].Count != 1 || l["ann"].Version != 1 {
		t.Fatalf("ann's message load = %+v, want 1 at version 1", l["ann"])
	}
	// A day later, the window's first day has left it and tomorrow is today.
	later, _ := f.st.Loads(f.ctx, []string{"ann"}, typ, T0.Add(24*time.Hour))
	if l := later["ann"]; l.Count != 2 || len(l.Expired) != 2 {
		t.Fatalf("ann's load a day later = %+v, want 2 with two expired days", l)
	}
	if got, err := f.st.Loads(f.ctx, nil, typ, T0); err != nil || len(got) != 0 {
		t.Fatalf("Loads of nobody = %v, %v", got, err)
	}
}

// sameLoads compares loads, the expired days in any order.
func sameLoads(a, b map[string]routing.Load) bool {
	return maps.EqualFunc(a, b, func(x, y routing.Load) bool {
		return x.Count == y.Count && x.Version == y.Version &&
			slices.Equal(slices.Sorted(slices.Values(x.Expired)), slices.Sorted(slices.Values(y.Expired)))
	})
}

// A routing decision's +1 is conditioned on the load it read: a load that
// changed since refuses the change (ErrLoadChanged) and writes nothing;
// the load it read drops the expired days. Only the +1 is conditioned.
func testLoadConditions(t *testing.T, f *fixture) {
	today := helpdesk.DayNumber(T0)
	typ := helpdesk.TypeEmailOther
	old := today - helpdesk.LoadWindowDays - 3
	for _, c := range []ticket.LoadChange{
		{AgentID: "ann", Type: typ, Day: today, Delta: 1},
		{AgentID: "ann", Type: typ, Day: old, Delta: 1},
	} {
		if err := f.loads(c); err != nil {
			t.Fatal(err)
		}
	}
	read := f.load("ann")
	if read.Count != 1 || read.Version != 2 || len(read.Expired) != 1 {
		t.Fatalf("ann's load = %+v", read)
	}

	stale := read
	stale.Version--
	wantErr(t, "a +1 on a load that changed", f.loads(
		ticket.LoadChange{AgentID: "bob", Type: typ, Day: today, Delta: 1},
		ticket.LoadChange{AgentID: "ann", Type: typ, Day: today, Delta: 1, Expect: &stale}), store.ErrLoadChanged)
	if l := f.load("ann"); l.Count != 1 || l.Version != 2 {
		t.Fatalf("a refused load change wrote: %+v", l)
	}
	if _, ok := f.loadOf("bob"); ok {
		t.Fatal("a refused load change wrote bob's load")
	}

	// A -1 is not conditioned, whatever it expects.
	if err := f.loads(ticket.LoadChange{AgentID: "ann", Type: typ, Day: today, Delta: -1, Expect: &stale}); err != nil {
		t.Fatalf("a -1 with a stale expectation: %v", err)
	}
	read = f.load("ann")
	if read.Count != 0 || read.Version != 3 || len(read.Expired) != 1 {
		t.Fatalf("ann's load after -1 = %+v, want 0 at version 3, the expired day kept", read)
	}
	if err := f.loads(ticket.LoadChange{AgentID: "ann", Type: typ, Day: today, Delta: 1, Expect: &read}); err != nil {
		t.Fatalf("a +1 on the load read: %v", err)
	}
	if l := f.load("ann"); l.Count != 1 || l.Version != 4 || len(l.Expired) != 0 {
		t.Fatalf("ann's load after the conditioned +1 = %+v, want 1 at version 4, expired days dropped", l)
	}
	// A load never written meets any expectation.
	if err := f.loads(ticket.LoadChange{AgentID: "cid", Type: typ, Day: today, Delta: 1, Expect: &routing.Load{Version: 7}}); err != nil {
		t.Fatalf("a +1 on a new load: %v", err)
	}
	if l := f.load("cid"); l.Count != 1 || l.Version != 1 {
		t.Fatalf("cid's load = %+v", l)
	}
}

// loadOf returns an agent's load and whether one was ever written.
func (f *fixture) loadOf(agentID string) (routing.Load, bool) {
	f.t.Helper()
	ls, err := f.st.Loads(f.ctx, []string{agentID}, helpdesk.TypeEmailOther, f.clk.Now())
	if err != nil {
		f.t.Fatal(err)
	}
	l, ok := ls[agentID]
	return l, ok
}

// A ticket whose outbox holds jobs is pending from its last change until
// the jobs are cleared; the relay lists the pending oldest first.
// Clearing leaves the version alone.
func testOutboxIndex(t *testing.T, f *fixture) {
	a1, a2 := agent("a1"), agent("a2")
	a1.Notify.EmailOnTeamUnassigned, a2.Notify.EmailOnTeamUnassigned = true, true
	team := map[string]helpdesk.Agent{"a1": a1, "a2": a2}
	// withJobs opens a ticket for the team, unassigned: one email per member.
	withJobs := func(id string, at time.Time) {
		c := f.arrival(id, id+"@example.com", at)
		ticket.Route(&c, routing.Plan{Decision: routing.Decision{TeamID: "support",
			Record: helpdesk.RoutingRecord{Rule: helpdesk.RouteTeamOnly, Reason: routing.ReasonTeamOnly, TeamID: "support"}},
			Recipients: team}, at)
		if len(c.Jobs) != 2 {
			t.Fatalf("routing to the team decided %d jobs, want 2", len(c.Jobs))
		}
		f.commit(c)
	}
	withJobs("b", T0.Add(time.Minute))
	withJobs("a", T0)
	f.open("c", "c@example.com", T0) // no jobs

	if got := f.pending(T0.Add(time.Hour), 10); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("pending = %v, want a, b (oldest first)", got)
	}
	if got := f.pending(T0.Add(time.Minute), 10); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("pending before b's change = %v, want a", got)
	}
	if got := f.pending(T0, 10); len(got) != 0 {
		t.Fatalf("pending before anything = %v", got)
	}
	if got := f.pending(T0.Add(time.Hour), 1); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("pending, limit 1 = %v", got)
	}
	// Paging: the second page starts after the first's last ticket.
	first, last, err := f.st.PendingOutboxes(f.ctx, T0.Add(time.Hour), "", 1)
	if err != nil || !slices.Equal(first, []string{"a"}) || last == "" {
		t.Fatalf("first page = %v, %q, %v", first, last, err)
	}
	second, last2, err := f.st.PendingOutboxes(f.ctx, T0.Add(time.Hour), last, 1)
	if err != nil || !slices.Equal(second, []string{"b"}) {
		t.Fatalf("second page = %v, %v; want b", second, err)
	}
	if third, _, err := f.st.PendingOutboxes(f.ctx, T0.Add(time.Hour), last2, 1); err != nil || len(third) != 0 {
		t.Fatalf("third page = %v, %v; want none", third, err)
	}
	if err := f.st.LeaveOutboxIndex(f.ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if got := f.pending(T0.Add(time.Hour), 10); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("pending = %v after LeaveOutboxIndex of a ticket whose outbox holds jobs: it must stay", got)
	}

	box, err := f.st.PendingOutbox(f.ctx, "a")
	if err != nil || len(box) != 2 {
		t.Fatalf("a's outbox = %v, %v", box, err)
	}
	jobs := slices.Sorted(maps.Keys(box))
	before := f.header("a")
	if err := f.st.ClearOutbox(f.ctx, "a", jobs[:1]); err != nil {
		t.Fatal(err)
	}
	if got, _ := f.st.PendingOutbox(f.ctx, "a"); len(got) != 1 || got[jobs[1]] != box[jobs[1]] {
		t.Fatalf("a's outbox after clearing one job = %v", got)
	}
	if got := f.pending(T0.Add(time.Hour), 10); !slices.Equal(got, []string{"a", "b"}) {
		t.Fatalf("pending after clearing one of a's jobs = %v", got)
	}
	if err := f.st.ClearOutbox(f.ctx, "a", jobs); err != nil { // one already gone
		t.Fatal(err)
	}
	if got, _ := f.st.PendingOutbox(f.ctx, "a"); len(got) != 0 {
		t.Fatalf("a's outbox after clearing = %v", got)
	}
	if got := f.pending(T0.Add(time.Hour), 10); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("pending after clearing a = %v", got)
	}
	if after := f.header("a"); after.Version != before.Version || !after.UpdatedAt.Equal(before.UpdatedAt) || len(after.Outbox) != 0 {
		t.Fatalf("clearing changed the ticket: %+v, was %+v", after, before)
	}
	for _, c := range []struct {
		id  string
		ids []string
	}{{"a", jobs}, {"b", nil}, {"c", []string{"x"}}, {"404", []string{"x"}}} {
		if err := f.st.ClearOutbox(f.ctx, c.id, c.ids); err != nil {
			t.Errorf("ClearOutbox(%s, %v) = %v, want nil", c.id, c.ids, err)
		}
	}
	if got := f.pending(T0.Add(time.Hour), 10); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("pending after no-op clears = %v", got)
	}
	if _, err := f.st.PendingOutbox(f.ctx, "404"); !helpdesk.IsCode(err, helpdesk.ENotFound) {
		t.Fatalf("PendingOutbox of a missing ticket = %v, want ErrNotFound", err)
	}

	// A later change with a job puts a back, pending since that change.
	ann := agent("ann")
	ann.Notify.EmailOnAssignment = true
	later := T0.Add(2 * time.Hour)
	f.change("a", func(t helpdesk.Ticket) (ticket.Change, error) { return ticket.Assign(t, &ann, "", "bob", later) })
	if got := f.pending(T0.Add(time.Hour), 10); !slices.Equal(got, []string{"b"}) {
		t.Fatalf("pending before a's new change = %v, want b", got)
	}
	if got := f.pending(later.Add(time.Second), 10); !slices.Equal(got, []string{"b", "a"}) {
		t.Fatalf("pending after a's new change = %v, want b, a", got)
	}
}

// A view lists the tickets of one state, newest first (by creation, then
// id), up to a limit; a ticket moves between views with its state.
func testListTicketsNewestFirst(t *testing.T, f *fixture) {
	f.open("1", "one@example.com", T0)
	f.open("2", "two@example.com", T0.Add(time.Hour))
	f.open("3", "three@example.com", T0.Add(time.Hour))
	f.open("0", "zero@example.com", T0.Add(2*time.Hour).Add(-time.Nanosecond))
	if got := f.list(helpdesk.StateOpen); !slices.Equal(got, []string{"0", "3", "2", "1"}) {
		t.Fatalf("open view %v, want 0, 3, 2, 1", got)
	}
	two, err := f.st.ListTickets(f.ctx, helpdesk.StateOpen, 2)
	if err != nil || len(two) != 2 || two[0].ID != "0" || two[1].ID != "3" || two[1].Subject != "Question 3" {
		t.Fatalf("open view, limit 2 = %+v, %v", two, err)
	}
	f.change("3", func(t helpdesk.Ticket) (ticket.Change, error) { return ticket.MarkSpam(t, "ann", T0.Add(3*time.Hour)) })
	if got := f.list(helpdesk.StateOpen); !slices.Equal(got, []string{"0", "2", "1"}) {
		t.Fatalf("open view after spam %v", got)
	}
	if got := f.list(helpdesk.StateSpam); !slices.Equal(got, []string{"3"}) {
		t.Fatalf("spam view %v", got)
	}
	if got := f.list(helpdesk.StateClosed); len(got) != 0 {
		t.Fatalf("closed view %v, want empty", got)
	}
}

// A recipient's feed lists its notifications newest first, up to a limit.
func testNotificationsNewestFirst(t *testing.T, f *fixture) {
	ann, team := helpdesk.AgentRecipient("ann"), helpdesk.TeamRecipient("support")
	var ns []helpdesk.Notification
	for i, r := range []string{ann, ann, team, ann} {
		ns = append(ns, helpdesk.Notification{ID: fmt.Sprintf("n%d", i), Recipient: r, Kind: helpdesk.NotifyAssigned,
			TicketID: fmt.Sprint(i), Subject: "s", At: T0.Add(time.Duration(i%3) * time.Minute)})
	}
	f.commit(ticket.Change{Notifications: ns})
	got, err := f.st.Notifications(f.ctx, ann, 2)
	if err != nil || len(got) != 2 || got[0].ID != "n1" || got[1].ID != "n3" || got[0].TicketID != "1" || !got[0].At.Equal(T0.Add(time.Minute)) {
		t.Fatalf("ann's two newest = %+v, %v; want n1, n3", got, err)
	}
	if got := f.notes(ann); len(got) != 3 || got[2].ID != "n0" {
		t.Fatalf("ann's feed = %+v", got)
	}
	if got := f.notes(team); len(got) != 1 || got[0].ID != "n2" || got[0].Recipient != team {
		t.Fatalf("the team's feed = %+v", got)
	}
	if got := f.notes(helpdesk.AgentRecipient("bob")); got == nil || len(got) != 0 {
		t.Fatalf("bob's feed = %#v, want empty (a list, for JSON)", got)
	}
	if got, err := f.st.ListTickets(f.ctx, helpdesk.StateClosed, 10); err != nil || got == nil || len(got) != 0 {
		t.Fatalf("an empty view = %#v, %v; want empty (a list, for JSON)", got, err)
	}
}

// Ticket numbers and round-robin slots are never handed out twice, however
// many callers ask at once.
func testCountersAreUniqueUnderConcurrency(t *testing.T, f *fixture) {
	for want := range []string{"1", "2"} {
		if id, err := f.st.NextTicketNumber(f.ctx); err != nil || id != fmt.Sprint(want+1) {
			t.Fatalf("ticket number %q, %v; want %d", id, err, want+1)
		}
	}
	if slot, err := f.st.NextSlot(f.ctx, "web#email_other"); err != nil || slot != 0 {
		t.Fatalf("first slot %d, %v; want 0", slot, err)
	}
	const n = 24
	numbers := make([]string, n)
	slots := make([]int64, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			var err error
			if numbers[i], err = f.st.NextTicketNumber(f.ctx); err != nil {
				t.Error(err)
			}
			if slots[i], err = f.st.NextSlot(f.ctx, "web#email_other"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var wantNumbers []string
	var wantSlots []int64
	for i := range n {
		wantNumbers = append(wantNumbers, fmt.Sprint(i+3))
		wantSlots = append(wantSlots, int64(i+1))
	}
	if got := slices.Sorted(slices.Values(numbers)); !slices.Equal(got, slices.Sorted(slices.Values(wantNumbers))) {
		t.Fatalf("concurrent ticket numbers %v, want each of 3..%d once", numbers, n+2)
	}
	if got := slices.Sorted(slices.Values(slots)); !slices.Equal(got, wantSlots) {
		t.Fatalf("concurrent slots %v, want each of 1..%d once", got, n)
	}
	if slot, err := f.st.NextSlot(f.ctx, "other"); err != nil || slot != 0 {
		t.Fatalf("another rotation's first slot %d, %v; want 0", slot, err)
	}
}
