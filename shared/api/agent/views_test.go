package agent_test

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/api/agent"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// This file tests views: default and saved views against a model computed
// here from the seeded tickets, paging under concurrent changes, saved
// views' routes and visibility, and counts.

// viewer is a principal as the model sees it.
type viewer struct {
	id    string
	scope helpdesk.Scope
	teams []string
}

// The principals the exactness test reads as (newDesk's people; bob is
// also in team C, added by seed).
var viewers = []viewer{
	{"ann", helpdesk.ScopeAll, nil},
	{"bob", helpdesk.ScopeTeams, []string{"A", "C"}},
	{"cat", helpdesk.ScopeOwn, []string{"B"}},
	{"vic", helpdesk.ScopeTeams, []string{"A"}},
}

func (v viewer) sees(t helpdesk.Ticket) bool {
	switch v.scope {
	case helpdesk.ScopeAll:
		return true
	case helpdesk.ScopeTeams:
		return t.OwnerID == v.id || t.TeamID != "" && slices.Contains(v.teams, t.TeamID)
	}
	return t.OwnerID == v.id
}

// seedTickets adds team C (bob) and n tickets numbered from 101 with
// varied owner, team, state, status, priority, category, channel, unread
// and times (many sharing a time, so ties are ordered by id), each
// committed as one new ticket; it returns every ticket in the store.
func seedTickets(t *testing.T, f *fixture, n int) []helpdesk.Ticket {
	t.Helper()
	ctx := context.Background()
	if err := f.st.PutTeam(ctx, helpdesk.Team{ID: "C", Name: "Team C", MemberIDs: []string{"bob"}}); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, uint64(n)))
	slaRNG := rand.New(rand.NewPCG(15, uint64(n))) // apart: the other fields stay as they were
	pick := func(vs ...string) string { return vs[rng.IntN(len(vs))] }
	at := func(base time.Time, span time.Duration) time.Time {
		d := time.Duration(rng.Int64N(int64(span)))
		if rng.IntN(10) < 4 {
			return base.Add(-d).Truncate(time.Hour) // shared times: ties
		}
		return base.Add(-d).Truncate(time.Millisecond)
	}
	all := make([]helpdesk.Ticket, n)
	for i := range all {
		created := at(t0, 60*24*time.Hour)
		updated := created.Add(time.Duration(rng.Int64N(int64(10 * 24 * time.Hour)))).Truncate(time.Second)
		if rng.IntN(5) == 0 {
			updated = created
		}
		tk := helpdesk.Ticket{
			ID: fmt.Sprint(101 + i), Subject: "Seeded", Pipeline: "support", Type: helpdesk.TypeEmailOther,
			ChannelID: pick("email:support@acme.example", "form:web", "whatsapp:100"), ChannelKind: helpdesk.ChannelEmail,
			ContactID: fmt.Sprint("c", i%700), OwnerID: pick("", "", "ann", "bob", "cat", "eve"), TeamID: pick("", "A", "A", "B", "C"),
			Priority: helpdesk.Priority(pick("", "low", "medium", "high", "urgent")), Category: pick("", "billing", "bug", "question"),
			Unread: rng.IntN(3) == 0, MessageCount: 1, CreatedAt: created, UpdatedAt: updated, Version: 1,
		}
		if rng.IntN(6) > 0 {
			tk.LastCustomerMessageAt = created.Add(updated.Sub(created) / 2)
		}
		switch r := rng.IntN(20); {
		case r < 12:
			tk.State, tk.Status = helpdesk.StateOpen, pick("new", "waiting_on_contact", "waiting_on_us")
		case r < 17:
			tk.State, tk.Status, tk.ClosedAt = helpdesk.StateClosed, "closed", updated
		default:
			tk.State, tk.Status = helpdesk.StateSpam, pick("new", "closed")
		}
		if tk.OwnerID != "" {
			tk.AssignedAt = created
		}
		if slaRNG.IntN(3) == 0 { // SLA clocks, due around viewNow
			tk.SLA = &helpdesk.SLA{PolicyID: "standard"}
			for _, kind := range []helpdesk.SLATargetKind{helpdesk.SLAFirstResponse, helpdesk.SLAClose}[:1+slaRNG.IntN(2)] {
				due := viewNow.Add(3 * time.Hour).Add(-time.Duration(slaRNG.Int64N(int64(6 * time.Hour)))).Truncate(time.Minute)
				tg := helpdesk.SLATarget{Kind: kind, StartedAt: created, DueAt: due}
				switch slaRNG.IntN(6) {
				case 0:
					tg.MetAt = created
				case 1:
					tg.PausedAt, tg.DueAt, tg.Remaining = created, time.Time{}, time.Hour
				case 2:
					if tg.DueAt.Before(viewNow) {
						tg.BreachedAt = tg.DueAt
					}
				}
				if tk.State == helpdesk.StateClosed && tg.MetAt.IsZero() {
					tg.StoppedAt = tk.ClosedAt // closing stops the clocks
				}
				tk.SLA.Targets = append(tk.SLA.Targets, tg)
			}
			tk.SLA.NextCheckAt = nextCheckOf(tk.State, tk.SLA.Targets)
		}
		all[i] = tk
	}
	// Eight committers at once: seeding is not what is measured.
	var wg sync.WaitGroup
	work := make(chan int)
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			for i := range work {
				tk := all[i]
				if err := f.st.Commit(ctx, ticket.Change{Tickets: []ticket.Write{{After: &tk}}}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	for i := range all {
		select {
		case work <- i:
		case err := <-errs:
			close(work)
			wg.Wait()
			t.Fatal(err)
		}
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	for _, id := range []string{"1", "2", "3"} { // newDesk's
		tk, err := f.st.GetTicketHeader(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, tk)
	}
	return all
}

// modelView is what a view must give v: the tickets v sees that pass the
// filter, in the sort's order (written here apart from the API's code).
func modelView(all []helpdesk.Ticket, v viewer, f helpdesk.ViewFilter, s helpdesk.ViewSort) []string {
	word := func(list []string, val, none string) bool {
		if len(list) == 0 {
			return true
		}
		for _, w := range list {
			switch {
			case w == none && val == "",
				w == "me" && none == "unassigned" && val == v.id,
				w == val && val != "":
				return true
			}
		}
		return false
	}
	inRange := func(r *helpdesk.TimeRange, at time.Time) bool {
		return r == nil || (r.From.IsZero() || !at.Before(r.From)) && (r.To.IsZero() || at.Before(r.To))
	}
	// due: the earliest due date of a target neither met, stopped nor paused.
	due := func(t helpdesk.Ticket) (time.Time, bool) {
		var d time.Time
		if t.SLA == nil {
			return d, false
		}
		for _, tg := range t.SLA.Targets {
			if tg.MetAt.IsZero() && tg.StoppedAt.IsZero() && tg.PausedAt.IsZero() && (d.IsZero() || tg.DueAt.Before(d)) {
				d = tg.DueAt
			}
		}
		return d, !d.IsZero()
	}
	dueOK := func(t helpdesk.Ticket) bool {
		if f.SLA == nil {
			return true
		}
		d, ok := due(t)
		end := viewNow.Add(time.Duration(f.SLA.DueWithinMinutes) * time.Minute)
		switch {
		case !ok:
			return false
		case f.SLA.Overdue:
			return d.Before(end)
		default:
			return !d.Before(viewNow) && d.Before(end)
		}
	}
	states := f.States
	if len(states) == 0 {
		states = []helpdesk.State{helpdesk.StateOpen, helpdesk.StateClosed, helpdesk.StateSpam}
	}
	var out []helpdesk.Ticket
	for _, t := range all {
		if v.sees(t) && slices.Contains(states, t.State) &&
			word(f.Statuses, t.Status, "\x00") && word(f.Priorities, string(t.Priority), "none") &&
			word(f.Channels, t.ChannelID, "\x00") && word(f.Owners, t.OwnerID, "unassigned") &&
			word(f.Teams, t.TeamID, "none") && word(f.Categories, t.Category, "none") &&
			(f.Unread == nil || *f.Unread == t.Unread) &&
			inRange(f.Created, t.CreatedAt) && inRange(f.Updated, t.UpdatedAt) && inRange(f.LastCustomerMessage, t.LastCustomerMessageAt) &&
			dueOK(t) {
			out = append(out, t)
		}
	}
	rank := map[helpdesk.Priority]int{"": 0, "low": 1, "medium": 2, "high": 3, "urgent": 4}
	slices.SortFunc(out, func(a, b helpdesk.Ticket) int {
		var c int
		switch s.By {
		case "updated":
			c = a.UpdatedAt.Compare(b.UpdatedAt)
		case "last_customer_message":
			c = a.LastCustomerMessageAt.Compare(b.LastCustomerMessageAt)
		case "priority":
			c = cmp.Or(cmp.Compare(rank[a.Priority], rank[b.Priority]), a.CreatedAt.Compare(b.CreatedAt))
		case "due": // none after every date
			da, oka := due(a)
			db, okb := due(b)
			if c = cmp.Compare(b2i(okb), b2i(oka)); oka && okb {
				c = da.Compare(db)
			}
		default:
			c = a.CreatedAt.Compare(b.CreatedAt)
		}
		c = cmp.Or(c, strings.Compare(a.ID, b.ID))
		if s.Order == "asc" {
			return c
		}
		return -c
	})
	ids := make([]string, len(out))
	for i, t := range out {
		ids[i] = t.ID
	}
	return ids
}

// walk pages through a view with pages of `limit`, and returns every id
// in order and the number of pages. full: every page but the last must hold
// limit tickets (false where the view sorts by something other than
// creation while tickets change: a ticket that changed between the read of
// the keys and the read of the page, and left the view, leaves its page
// short, as documented).
func (f *fixture) walk(t *testing.T, who, path string, limit int, full bool) ([]string, int) {
	t.Helper()
	var got []string
	cursor := ""
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	for pages := 1; ; pages++ {
		r := f.do(t, "GET", fmt.Sprintf("%s%slimit=%d&cursor=%s", path, sep, limit, url.QueryEscape(cursor)), who, "")
		if r.status != 200 {
			t.Fatalf("%s %s: %d %.300s", who, path, r.status, r.raw)
		}
		tickets := r.body["tickets"].([]any)
		if len(tickets) > limit {
			t.Fatalf("%s %s: a page of %d, limit %d", who, path, len(tickets), limit)
		}
		for _, tk := range tickets {
			got = append(got, tk.(map[string]any)["id"].(string))
		}
		next, _ := r.body["next"].(string)
		if next == "" {
			return got, pages
		}
		if full && len(tickets) < limit {
			t.Fatalf("%s %s: page %d holds %d of %d and the view goes on: pages must be full", who, path, pages, len(tickets), limit)
		}
		if pages > 6000 {
			t.Fatalf("%s %s: endless", who, path)
		}
		cursor = next
	}
}

func ptr[T any](v T) *T { return &v }

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// viewNow is the API's clock in the exactness tests: the seeded due dates
// are around it, and due windows are read at it.
var viewNow = t0.Add(time.Hour)

// The custom views of the exactness test: every filter and sort, alone
// and together.
func customViews() []helpdesk.View {
	day := func(d int) time.Time { return t0.Add(time.Duration(-d) * 24 * time.Hour) }
	return []helpdesk.View{
		{Name: "urgent and high, open", Filter: helpdesk.ViewFilter{States: []helpdesk.State{"open"}, Priorities: []string{"urgent", "high"}}, Sort: helpdesk.ViewSort{By: "priority"}},
		{Name: "unassigned in A or no team", Filter: helpdesk.ViewFilter{Owners: []string{"unassigned"}, Teams: []string{"A", "none"}}},
		{Name: "mine, oldest update first", Filter: helpdesk.ViewFilter{Owners: []string{"me"}, States: []helpdesk.State{"open", "closed"}}, Sort: helpdesk.ViewSort{By: "updated", Order: "asc"}},
		{Name: "form, unread", Filter: helpdesk.ViewFilter{Channels: []string{"form:web"}, Unread: ptr(true)}},
		{Name: "closed billing or none", Filter: helpdesk.ViewFilter{States: []helpdesk.State{"closed"}, Categories: []string{"none", "billing"}}, Sort: helpdesk.ViewSort{By: "last_customer_message"}},
		{Name: "created in a fortnight", Filter: helpdesk.ViewFilter{Created: &helpdesk.TimeRange{From: day(30), To: day(16)}}, Sort: helpdesk.ViewSort{Order: "asc"}},
		{Name: "waiting, updated lately", Filter: helpdesk.ViewFilter{Statuses: []string{"waiting_on_contact", "waiting_on_us"}, Updated: &helpdesk.TimeRange{From: day(20)}}, Sort: helpdesk.ViewSort{By: "updated"}},
		{Name: "quiet customers, low", Filter: helpdesk.ViewFilter{LastCustomerMessage: &helpdesk.TimeRange{To: day(40)}, Priorities: []string{"none", "low"}}, Sort: helpdesk.ViewSort{By: "priority", Order: "asc"}},
		{Name: "bob's and cat's", Filter: helpdesk.ViewFilter{Owners: []string{"bob", "cat"}}},
		{Name: "teams B and C, open", Filter: helpdesk.ViewFilter{Teams: []string{"B", "C"}, States: []helpdesk.State{"open"}}, Sort: helpdesk.ViewSort{By: "last_customer_message", Order: "asc"}},
		{Name: "spam, read", Filter: helpdesk.ViewFilter{States: []helpdesk.State{"spam"}, Unread: ptr(false)}, Sort: helpdesk.ViewSort{By: "updated"}},
		{Name: "everything"},
		{Name: "unassigned, by update", Filter: helpdesk.ViewFilter{Owners: []string{"unassigned"}, States: []helpdesk.State{"open"}}, Sort: helpdesk.ViewSort{By: "updated"}},
		{Name: "mine or unassigned, A, bugs", Filter: helpdesk.ViewFilter{Owners: []string{"me", "unassigned"}, Teams: []string{"A"}, Categories: []string{"bug"}}, Sort: helpdesk.ViewSort{By: "priority"}},
		{Name: "overdue, soonest first", Filter: helpdesk.ViewFilter{States: []helpdesk.State{"open"}, SLA: &helpdesk.SLAFilter{Overdue: true}}, Sort: helpdesk.ViewSort{By: "due", Order: "asc"}},
		{Name: "due in two hours, A", Filter: helpdesk.ViewFilter{Teams: []string{"A"}, SLA: &helpdesk.SLAFilter{DueWithinMinutes: 120}}, Sort: helpdesk.ViewSort{By: "due"}},
		{Name: "overdue or due in the hour", Filter: helpdesk.ViewFilter{SLA: &helpdesk.SLAFilter{Overdue: true, DueWithinMinutes: 60}}, Sort: helpdesk.ViewSort{By: "priority"}},
		{Name: "everything by due", Sort: helpdesk.ViewSort{By: "due", Order: "asc"}},
	}
}

// viewBody is a view as POST /api/views takes it.
func viewBody(t *testing.T, v helpdesk.View) string {
	t.Helper()
	b, err := json.Marshal(map[string]any{"name": v.Name, "team_id": v.TeamID, "filter": v.Filter, "sort": v.Sort})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Views are exact: on 5,000 seeded tickets every default view and
// eighteen saved views give each principal (admin, team-scoped,
// own-scoped, a viewer) exactly the tickets the model says, in order,
// across pages of several sizes, and GET /api/views counts them exactly.
func TestViewsAreExact(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		t.Parallel() // the in-memory run alongside the DynamoDB one
		f := newDesk(t, b)
		f.api.CountUpTo = 1 << 30 // exact counts (TestViewCountsAreBounded tests the bound)
		f.api.Now = func() time.Time { return viewNow }
		start := time.Now()
		all := seedTickets(t, f, 5000)
		t.Logf("seeded %d tickets in %v", len(all), time.Since(start))
		start = time.Now()
		open := []helpdesk.State{"open"}
		defaults := map[string]helpdesk.ViewFilter{
			"unassigned": {States: open, Owners: []string{"unassigned"}},
			"my_open":    {States: open, Owners: []string{"me"}},
			"all_open":   {States: open},
			"spam":       {States: []helpdesk.State{"spam"}},
			"closed":     {States: []helpdesk.State{"closed"}},
			// Sorted by due date, soonest first (checkViewer).
			"breaching_soon": {States: open, SLA: &helpdesk.SLAFilter{DueWithinMinutes: 60}},
		}
		sizes := []int{100, 37, 100, 64}
		var mu sync.Mutex
		pages := 0
		check := func(t *testing.T, who viewer, path, name string, want []string, i int) {
			limit := sizes[i%len(sizes)]
			switch {
			case len(want) < 150:
				limit = []int{9, 4, 13}[i%3] // small pages on the small views
			case len(want) < 400:
				limit = 25
			case len(want)/limit > 20:
				limit = 100
			}
			w0 := time.Now()
			got, n := f.walk(t, who.id, path, limit, true)
			if testing.Verbose() {
				t.Logf("%s %s: %d pages of %d, %d tickets, %v", who.id, name, n, limit, len(got), time.Since(w0))
			}
			mu.Lock()
			pages += n
			mu.Unlock()
			if !slices.Equal(got, want) {
				t.Errorf("%s's %s (pages of %d): %d tickets, want %d; first difference at %d", who.id, name, limit, len(got), len(want), firstDiff(got, want))
			}
		}
		// The principals read at once, as a desk's agents do.
		t.Run("as", func(t *testing.T) {
			for _, who := range viewers {
				t.Run(who.id, func(t *testing.T) {
					t.Parallel()
					checkViewer(t, f, all, who, defaults, check)
				})
			}
		})
		t.Logf("%d pages in %v", pages, time.Since(start))
	})
}

// checkViewer walks every default view and the saved views as who, and
// checks the counts of GET /api/views.
func checkViewer(t *testing.T, f *fixture, all []helpdesk.Ticket, who viewer, defaults map[string]helpdesk.ViewFilter,
	check func(t *testing.T, who viewer, path, name string, want []string, i int)) {
	open := []helpdesk.State{"open"}
	i := 0
	counts := map[string]int{}
	for _, id := range slices.Sorted(maps.Keys(defaults)) {
		var sort helpdesk.ViewSort
		if defaults[id].SLA != nil {
			sort = helpdesk.ViewSort{By: "due", Order: "asc"}
		}
		want := modelView(all, who, defaults[id], sort)
		counts[id] = len(want)
		check(t, who, "/api/views/"+id+"/tickets", id, want, i)
		i++
	}
	for _, team := range who.teams {
		for _, id := range []string{"my_team_open", "my_team_unassigned"} {
			var owners []string
			if id == "my_team_unassigned" {
				owners = []string{"unassigned"}
			}
			want := modelView(all, who, helpdesk.ViewFilter{States: open, Teams: []string{team}, Owners: owners}, helpdesk.ViewSort{})
			if team == who.teams[0] {
				counts[id] = len(want)
			}
			check(t, who, "/api/views/"+id+"/tickets?team="+team, id+" of "+team, want, i)
			i++
		}
	}
	// A default view in another order.
	check(t, who, "/api/views/all_open/tickets?sort=priority&order=asc", "all_open by priority",
		modelView(all, who, defaults["all_open"], helpdesk.ViewSort{By: "priority", Order: "asc"}), i)
	for _, v := range customViews() {
		r := f.do(t, "POST", "/api/views", who.id, viewBody(t, v))
		if r.status != 201 {
			t.Fatalf("%s saving %q: %d %s", who.id, v.Name, r.status, r.raw)
		}
		id := r.body["id"].(string)
		want := modelView(all, who, v.Filter, v.Sort.Normal())
		counts[id] = len(want)
		check(t, who, "/api/views/"+id+"/tickets", v.Name, want, i)
		i++
	}
	r := f.do(t, "GET", "/api/views", who.id, "")
	if r.status != 200 {
		t.Fatalf("%s GET /api/views: %d %s", who.id, r.status, r.raw)
	}
	got := map[string]int{}
	for _, e := range r.body["views"].([]any) {
		e := e.(map[string]any)
		got[e["id"].(string)] = int(e["count"].(float64))
	}
	for id, n := range counts {
		if got[id] != n {
			t.Errorf("%s's count of %s = %d, want %d", who.id, id, got[id], n)
		}
	}
	if len(got) != len(counts) {
		t.Errorf("%s lists %d views, want %d", who.id, len(got), len(counts))
	}
}

func firstDiff(a, b []string) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// Paging neither repeats nor skips a ticket that does not change while
// others change: pages are read while other requests move tickets in and
// out of the view and along its order (owner, priority, status, read),
// and every unchanged ticket of the view shows exactly once.
func TestPagingUnderConcurrentChanges(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		all := seedTickets(t, f, 600)
		moving := map[string]bool{}
		var movers []string
		for i, tk := range all {
			if i%4 == 0 && tk.State == helpdesk.StateOpen {
				moving[tk.ID] = true
				movers = append(movers, tk.ID)
			}
		}
		for _, c := range []struct {
			who, path string
			filter    helpdesk.ViewFilter
			sort      helpdesk.ViewSort
		}{
			{"ann", "/api/views/all_open/tickets", helpdesk.ViewFilter{States: []helpdesk.State{"open"}}, helpdesk.ViewSort{}},
			{"ann", "/api/views/all_open/tickets?sort=priority", helpdesk.ViewFilter{States: []helpdesk.State{"open"}}, helpdesk.ViewSort{By: "priority"}},
			{"bob", "/api/views/all_open/tickets?sort=updated", helpdesk.ViewFilter{States: []helpdesk.State{"open"}}, helpdesk.ViewSort{By: "updated"}},
			{"bob", "/api/views/my_team_open/tickets", helpdesk.ViewFilter{States: []helpdesk.State{"open"}, Teams: []string{"A"}}, helpdesk.ViewSort{}},
		} {
			who := viewers[slices.IndexFunc(viewers, func(v viewer) bool { return v.id == c.who })]
			var want []string
			for _, id := range modelView(all, who, c.filter, c.sort.Normal()) {
				if !moving[id] {
					want = append(want, id)
				}
			}
			stop := make(chan struct{})
			var wg sync.WaitGroup
			changes := 0
			var mu sync.Mutex
			for g := range 4 {
				wg.Go(func() {
					rng := rand.New(rand.NewPCG(uint64(g), 9))
					for {
						select {
						case <-stop:
							return
						default:
						}
						id := movers[rng.IntN(len(movers))]
						body := []string{`{"priority":"urgent"}`, `{"priority":"low"}`, `{"owner_id":"bob"}`, `{"owner_id":""}`,
							`{"team_id":"A"}`, `{"team_id":"B"}`, `{"status":"closed"}`, `{"status":"new"}`}[rng.IntN(8)]
						r := f.do(t, "PATCH", "/api/tickets/"+id, "ann", body)
						if r.status != 200 && r.status != 412 {
							t.Errorf("PATCH %s %s: %d %s", id, body, r.status, r.raw)
							return
						}
						mu.Lock()
						changes++
						mu.Unlock()
					}
				})
			}
			got, pages := f.walk(t, c.who, c.path, 7, !strings.Contains(c.path, "sort="))
			close(stop)
			wg.Wait()
			seen := map[string]int{}
			for _, id := range got {
				seen[id]++
			}
			var kept []string
			for _, id := range got {
				if !moving[id] {
					kept = append(kept, id)
				}
			}
			if !slices.Equal(kept, want) {
				t.Errorf("%s %s: the unchanged tickets came %d, want %d, in order (first difference at %d)", c.who, c.path, len(kept), len(want), firstDiff(kept, want))
			}
			for id, n := range seen {
				if n > 1 && !moving[id] {
					t.Errorf("%s %s: unchanged ticket %s came %d times", c.who, c.path, id, n)
				}
			}
			mu.Lock()
			t.Logf("%s %s: %d pages while %d changes were made", c.who, c.path, pages, changes)
			if changes == 0 {
				t.Errorf("no change was made while paging: the test proved nothing")
			}
			mu.Unlock()
			// Put the movers back where the model has them, for the next view.
			for _, id := range movers {
				tk, err := f.st.GetTicketHeader(context.Background(), id)
				if err != nil {
					t.Fatal(err)
				}
				orig := all[slices.IndexFunc(all, func(x helpdesk.Ticket) bool { return x.ID == id })]
				orig.Version = tk.Version + 1
				orig.SLA = tk.SLA // as the changes left it: its outcomes are recorded
				if err := f.st.Commit(context.Background(), ticket.Change{Tickets: []ticket.Write{{Before: &tk, After: &orig}}}); err != nil {
					t.Fatal(err)
				}
			}
		}
	})
}

// Saved views: a personal view is its owner's alone (and an admin's); a
// team view its team's; only the creator or an admin changes one; default
// views cannot change; every refusal names the field.
func TestSavedViews(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		mine := f.do(t, "POST", "/api/views", "bob", `{"name":"My urgent","filter":{"priorities":["urgent"],"owners":["me"]},"sort":{"by":"priority"}}`)
		if mine.status != 201 || mine.body["owner_id"] != "bob" || mine.body["team_id"] != nil {
			t.Fatalf("a personal view: %d %s", mine.status, mine.raw)
		}
		team := f.do(t, "POST", "/api/views", "bob", `{"name":"A's unassigned","team_id":"A","filter":{"owners":["unassigned"],"states":["open"]}}`)
		if team.status != 201 || team.body["team_id"] != "A" {
			t.Fatalf("a team view: %d %s", team.status, team.raw)
		}
		mineID, teamID := mine.body["id"].(string), team.body["id"].(string)
		for _, c := range []struct {
			who, id string
			want    int
		}{
			{"bob", mineID, 200}, {"vic", mineID, 404}, {"cat", mineID, 404}, {"ann", mineID, 200},
			{"bob", teamID, 200}, {"vic", teamID, 200}, {"cat", teamID, 404}, {"ann", teamID, 200},
		} {
			if r := f.do(t, "GET", "/api/views/"+c.id, c.who, ""); r.status != c.want {
				t.Errorf("%s GET view %s: %d, want %d", c.who, c.id, r.status, c.want)
			}
			if r := f.do(t, "GET", "/api/views/"+c.id+"/tickets", c.who, ""); r.status != c.want {
				t.Errorf("%s GET view %s's tickets: %d, want %d", c.who, c.id, r.status, c.want)
			}
		}
		// The team view shows ticket 1 (unassigned, team A) to vic; counted.
		if r := f.do(t, "GET", "/api/views/"+teamID+"/tickets", "vic", ""); len(r.body["tickets"].([]any)) != 1 {
			t.Errorf("vic's team view: %s", r.raw)
		}
		listed := func(who string) map[string]int {
			r := f.do(t, "GET", "/api/views", who, "")
			out := map[string]int{}
			for _, e := range r.body["views"].([]any) {
				e := e.(map[string]any)
				out[e["id"].(string)] = int(e["count"].(float64))
			}
			return out
		}
		if l := listed("vic"); l[teamID] != 1 || len(l) != 9 {
			t.Errorf("vic's list = %v, want the 8 default views and A's view counting 1", l)
		}
		if l := listed("cat"); len(l) != 8 {
			t.Errorf("cat's list = %v, want the 8 default views only", l)
		}
		if l := listed("ann"); len(l) != 7 || l["all_open"] != 3 { // no team: no my_team views; every team's views
			t.Errorf("ann's list = %v", l)
		}
		// Changing: the creator or an admin.
		if r := f.do(t, "PUT", "/api/views/"+teamID, "vic", `{"name":"mine now"}`); r.status != 403 || reason(r) != "view_not_yours" {
			t.Errorf("vic changing bob's team view: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "PUT", "/api/views/"+teamID, "ann", `{"name":"Renamed","team_id":"A","filter":{"states":["closed"]}}`); r.status != 200 || r.body["name"] != "Renamed" {
			t.Errorf("ann changing bob's team view: %d %s", r.status, r.raw)
		}
		for _, id := range []string{"all_open", "my_team_open"} {
			if r := f.do(t, "PUT", "/api/views/"+id, "ann", `{"name":"x"}`); r.status != 403 || reason(r) != "default_view" {
				t.Errorf("changing %s: %d %s", id, r.status, r.raw)
			}
			if r := f.do(t, "DELETE", "/api/views/"+id, "ann", ""); r.status != 403 || reason(r) != "default_view" {
				t.Errorf("deleting %s: %d %s", id, r.status, r.raw)
			}
		}
		if r := f.do(t, "GET", "/api/views/my_team_open", "bob", ""); r.status != 200 || r.body["default"] != true {
			t.Errorf("a default view: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "DELETE", "/api/views/"+mineID, "cat", ""); r.status != 404 {
			t.Errorf("cat deleting bob's personal view: %d", r.status)
		}
		if r := f.do(t, "DELETE", "/api/views/"+mineID, "bob", ""); r.status != 204 {
			t.Errorf("bob deleting his view: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "GET", "/api/views/"+mineID, "bob", ""); r.status != 404 || reason(r) != "view_not_found" {
			t.Errorf("a deleted view: %d %s", r.status, r.raw)
		}
		// Refusals name the field.
		for _, c := range []struct{ who, body, reason, field string }{
			{"bob", `{"name":" "}`, "name_required", "name"},
			{"bob", `{"name":"x","filter":{"priorities":["high","asap"]}}`, "invalid_filter", "filter.priorities[1]"},
			{"bob", `{"name":"x","filter":{"states":["merged"]}}`, "invalid_filter", "filter.states[0]"},
			{"bob", `{"name":"x","filter":{"owners":[""]}}`, "invalid_filter", "filter.owners[0]"},
			{"bob", `{"name":"x","filter":{"created":{"from":"yesterday"}}}`, "invalid_filter", "filter.created.from"},
			{"bob", `{"name":"x","filter":{"updated":{"from":"2026-11-02T00:00:00Z","to":"2026-11-01T00:00:00Z"}}}`, "invalid_filter", "filter.updated"},
			{"bob", `{"name":"x","filter":{"last_customer_message":{}}}`, "invalid_filter", "filter.last_customer_message"},
			{"bob", `{"name":"x","filter":{"teams":["A","A","A","A","A","A","A","A","A","A","A","A","A","A","A","A","A","A","A","A","A"]}}`, "invalid_filter", "filter.teams"},
			{"bob", `{"name":"x","sort":{"by":"size"}}`, "invalid_sort", "sort.by"},
			{"bob", `{"name":"x","sort":{"order":"up"}}`, "invalid_sort", "order"},
			{"bob", `{"name":"x","team_id":"B"}`, "not_your_team", "team_id"},
			{"ann", `{"name":"x","team_id":"Z"}`, "team_unknown", "team_id"},
			{"bob", `{"name":"x","filter":{"colour":["red"]}}`, "invalid_json", "colour"},
			{"bob", `{"name":"x","filter":{"states":null}}`, "null_value", "filter.states"},
			{"bob", `{"name":"x","filter":{"created":{"from":null}}}`, "null_value", "filter.created.from"},
			{"bob", `null`, "invalid_json", "object"},
			{"bob", `{"name":"x","filter":{"unread":"yes"}}`, "invalid_field", "filter.unread"},
		} {
			r := f.do(t, "POST", "/api/views", c.who, c.body)
			msg, _ := r.body["error"].(map[string]any)["message"].(string)
			if r.status != 400 || reason(r) != c.reason || !strings.Contains(msg, c.field) {
				t.Errorf("%s: %d %s, want 400 %s naming %s", c.body, r.status, r.raw, c.reason, c.field)
			}
		}
		// Cursors: a changed one, another sort's, another view's: 400.
		first := f.do(t, "GET", "/api/views/"+teamID+"/tickets?limit=1&sort=updated", "ann", "")
		next, _ := first.body["next"].(string)
		if first.status != 200 {
			t.Fatalf("first page: %d %s", first.status, first.raw)
		}
		f.do(t, "GET", "/api/views/all_open/tickets?limit=1", "ann", "")
		open1 := f.do(t, "GET", "/api/views/all_open/tickets?limit=1", "ann", "")
		c1, _ := open1.body["next"].(string)
		body, sig, _ := strings.Cut(c1, ".")
		for name, path := range map[string]string{
			"a changed cursor":         "/api/views/all_open/tickets?cursor=" + body + "x." + sig,
			"another sort's cursor":    "/api/views/all_open/tickets?sort=updated&cursor=" + c1,
			"another order's cursor":   "/api/views/all_open/tickets?order=asc&cursor=" + c1,
			"another view's cursor":    "/api/views/closed/tickets?cursor=" + c1,
			"an unknown sort":          "/api/views/all_open/tickets?sort=size",
			"a saved view's, moved on": "/api/views/all_open/tickets?cursor=" + url.QueryEscape(next),
		} {
			if next == "" && strings.Contains(name, "saved") {
				continue
			}
			want := "invalid_cursor"
			if strings.Contains(name, "unknown sort") {
				want = "invalid_sort"
			}
			if r := f.do(t, "GET", path, "ann", ""); r.status != 400 || reason(r) != want {
				t.Errorf("%s: %d %s, want 400 %s", name, r.status, r.raw, want)
			}
		}
		if r := f.do(t, "GET", "/api/views/"+strings.Repeat("v", 65)+"/tickets", "ann", ""); r.status != 404 {
			t.Errorf("a view id past its bound: %d", r.status)
		}
	})
}

// A sidebar count is exact up to agent.DefaultCountUpTo; past it, or once
// a sparse filter has read its budget, it says "at least" (count_more)
// with a count that is never more than the view holds.
func TestViewCountsAreBounded(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		f.api.Now = func() time.Time { return viewNow }
		all := seedTickets(t, f, 1500)
		for _, v := range customViews() {
			if r := f.do(t, "POST", "/api/views", "ann", viewBody(t, v)); r.status != 201 {
				t.Fatalf("saving %q: %d %s", v.Name, r.status, r.raw)
			}
		}
		r := f.do(t, "GET", "/api/views", "ann", "")
		if r.status != 200 {
			t.Fatalf("GET /api/views: %d %s", r.status, r.raw)
		}
		open := []helpdesk.State{"open"}
		defaults := map[string]helpdesk.ViewFilter{
			"unassigned": {States: open, Owners: []string{"unassigned"}}, "my_open": {States: open, Owners: []string{"me"}},
			"all_open": {States: open}, "spam": {States: []helpdesk.State{"spam"}}, "closed": {States: []helpdesk.State{"closed"}},
		}
		saved := map[string]helpdesk.View{}
		for _, v := range customViews() {
			saved[v.Name] = v
		}
		exact, bounded := 0, 0
		for _, e := range r.body["views"].([]any) {
			e := e.(map[string]any)
			id, name := e["id"].(string), e["name"].(string)
			var want []string
			if f, ok := defaults[id]; ok {
				want = modelView(all, viewers[0], f, helpdesk.ViewSort{})
			} else if v, ok := saved[name]; ok {
				want = modelView(all, viewers[0], v.Filter, v.Sort.Normal())
			} else {
				continue
			}
			n, more := int(e["count"].(float64)), e["count_more"] == true
			switch {
			case !more && n != len(want):
				t.Errorf("%s: count %d, want exactly %d", name, n, len(want))
			case more && (n > agent.DefaultCountUpTo || n > len(want)):
				t.Errorf("%s: at least %d, but it holds %d (bound %d)", name, n, len(want), agent.DefaultCountUpTo)
			case more && len(want) <= agent.DefaultCountUpTo && n == len(want):
				t.Errorf("%s: %d counted in full, yet said to be at least", name, n)
			case more:
				bounded++
			default:
				exact++
			}
		}
		if bounded == 0 || exact == 0 {
			t.Errorf("%d exact and %d bounded counts: the seed should give both", exact, bounded)
		}
	})
}
