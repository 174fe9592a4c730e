package agent_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/api/agent"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// dueDesk is the desk with its API's clock at now, and a way to put a
// ticket with SLA targets (NextCheckAt set as the model sets it: the
// earliest un-warned WarnAt or DueAt of a ticking target).
func dueDesk(t *testing.T, b testbed.Backend, now time.Time) (*fixture, func(id, team string, state helpdesk.State, targets ...helpdesk.SLATarget)) {
	f := newDesk(t, b)
	f.api.Now = func() time.Time { return now }
	put := func(id, team string, state helpdesk.State, targets ...helpdesk.SLATarget) {
		t.Helper()
		tk := helpdesk.Ticket{ID: id, Subject: "Order " + id, Pipeline: "support", Status: "new", State: state, TeamID: team,
			Type: helpdesk.TypeEmailOther, ChannelID: mail.ID, ChannelKind: helpdesk.ChannelEmail, ContactID: "c-" + id,
			CreatedAt: t0, UpdatedAt: t0, LastCustomerMessageAt: t0, Version: 1,
			SLA: &helpdesk.SLA{PolicyID: "standard", NextCheckAt: nextCheckOf(state, targets), Targets: targets}}
		if err := f.st.Commit(t.Context(), ticket.Change{Tickets: []ticket.Write{{After: &tk}}}); err != nil {
			t.Fatal(err)
		}
	}
	return f, put
}

// nextCheckOf is the SLA sweep's next check as the model keeps it, written
// here apart from the model: the earliest un-warned WarnAt or DueAt of a
// ticking target (running, unpaused, not breached) of an open ticket.
func nextCheckOf(state helpdesk.State, targets []helpdesk.SLATarget) time.Time {
	var next time.Time
	if state != helpdesk.StateOpen {
		return next
	}
	for _, tg := range targets {
		at := tg.DueAt
		if !tg.WarnAt.IsZero() && tg.WarnedAt.IsZero() {
			at = tg.WarnAt
		}
		if tg.Running() && !tg.Paused() && tg.BreachedAt.IsZero() && !at.IsZero() && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	return next
}

// dueTarget is a target started an hour before now, due at now+at, its
// warning at now+warn (none when warn is 0).
func dueTarget(now time.Time, kind helpdesk.SLATargetKind, warn, at time.Duration) helpdesk.SLATarget {
	tg := helpdesk.SLATarget{Kind: kind, StartedAt: now.Add(-time.Hour), DueAt: now.Add(at)}
	if warn != 0 {
		tg.WarnAt = now.Add(warn)
	}
	return tg
}

// readsSpy counts the API's reads of view partitions and of the due-date
// index, so a test can show which one a view was served from.
type readsSpy struct {
	agent.Store
	partitions, dueIndex atomic.Int32
}

func (s *readsSpy) QueryTickets(ctx context.Context, q helpdesk.TicketQuery, after string, forward bool, limit int32) ([]helpdesk.Ticket, string, error) {
	s.partitions.Add(1)
	return s.Store.QueryTickets(ctx, q, after, forward, limit)
}

func (s *readsSpy) CountTickets(ctx context.Context, q helpdesk.TicketQuery, upTo int) (int, bool, error) {
	s.partitions.Add(1)
	return s.Store.CountTickets(ctx, q, upTo)
}

func (s *readsSpy) SortKeys(ctx context.Context, q helpdesk.TicketQuery, by, after string, asc bool) ([]helpdesk.Keyed, error) {
	s.partitions.Add(1)
	return s.Store.SortKeys(ctx, q, by, after, asc)
}

func (s *readsSpy) DueSLAChecks(ctx context.Context, now time.Time, after string, limit int32) ([]string, string, error) {
	s.dueIndex.Add(1)
	return s.Store.DueSLAChecks(ctx, now, after, limit)
}

// walkIDs pages through a view, limit tickets a page, and returns the ids
// in order.
func (f *fixture) walkIDs(t *testing.T, who, path string, limit int) []string {
	t.Helper()
	ids, _ := f.walk(t, who, path, limit, false)
	return ids
}

// "Breaching soon", a default view read from the sweep's due-date index
// (GSI6 on DynamoDB Local): the open tickets the caller may see whose due
// date is within the hour, soonest first, paged as a keyset and counted
// in the sidebar; not those due later (even when warned within the hour),
// paused, met, overdue (already breached), closed or of another team.
func TestBreachingSoonViewReadsTheDueIndex(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		now := t0.Add(48 * time.Hour)
		f, put := dueDesk(t, b, now)
		fr, cl := helpdesk.SLAFirstResponse, helpdesk.SLAClose
		at := func(kind helpdesk.SLATargetKind, warn, due time.Duration) helpdesk.SLATarget {
			return dueTarget(now, kind, warn, due)
		}
		put("a", "A", helpdesk.StateOpen, at(fr, 0, 50*time.Minute))
		put("b", "A", helpdesk.StateOpen, at(cl, 0, 10*time.Minute), at(fr, 0, 3*time.Hour))
		put("c", "A", helpdesk.StateOpen, at(fr, 30*time.Minute, 2*time.Hour)) // warned within the hour, due later
		put("d", "A", helpdesk.StateOpen, at(fr, 0, 59*time.Minute))
		put("e", "B", helpdesk.StateOpen, at(fr, 0, 5*time.Minute)) // team B: not vic's
		met := at(fr, 0, 5*time.Minute)
		met.MetAt = now
		put("f", "A", helpdesk.StateOpen, met)
		put("g", "A", helpdesk.StateOpen, helpdesk.SLATarget{Kind: fr, StartedAt: now, PausedAt: now, Remaining: time.Minute})
		put("h", "A", helpdesk.StateClosed, at(fr, 0, 5*time.Minute))
		gone := at(fr, 0, -10*time.Minute)
		gone.BreachedAt = gone.DueAt
		put("j", "A", helpdesk.StateOpen, gone, at(cl, 0, 20*time.Minute)) // overdue: not "due soon"
		put("k", "A", helpdesk.StateOpen, at(fr, 0, 61*time.Minute))
		spy := &readsSpy{Store: f.api.Store}
		f.api.Store = spy
		for who, want := range map[string][]string{
			"vic": {"b", "a", "d"},
			"ann": {"e", "b", "a", "d"},
			"cat": {}, // own scope: none of hers is due
		} {
			for _, limit := range []int{1, 2, 50} {
				spy.partitions.Store(0)
				spy.dueIndex.Store(0)
				if got := f.walkIDs(t, who, "/api/views/breaching_soon/tickets", limit); !slices.Equal(got, want) {
					t.Errorf("%s, pages of %d: %v, want %v", who, limit, got, want)
				}
				if p, d := spy.partitions.Load(), spy.dueIndex.Load(); p != 0 || d == 0 {
					t.Errorf("%s, pages of %d: %d partition reads and %d of the due-date index, want none and some", who, limit, p, d)
				}
			}
			r := f.do(t, "GET", "/api/views", who, "")
			found := false
			for _, e := range r.body["views"].([]any) {
				if e := e.(map[string]any); e["id"] == "breaching_soon" {
					found = true
					if int(e["count"].(float64)) != len(want) {
						t.Errorf("%s's sidebar counts %v breaching soon, want %d", who, e["count"], len(want))
					}
				}
			}
			if r.status != 200 || !found {
				t.Errorf("%s's sidebar: %d, breaching_soon listed %v", who, r.status, found)
			}
		}
		// Another sort keeps the window: by id here, as all were created at
		// once (ties by id, ascending).
		if got := f.walkIDs(t, "vic", "/api/views/breaching_soon/tickets?sort=created&order=asc", 50); !slices.Equal(got, []string{"a", "b", "d"}) {
			t.Errorf("re-sorted: %v, want [a b d]", got)
		}
	})
}

// More tickets due than one page of the index: every one is read.
func TestBreachingSoonViewPagesTheIndex(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		now := t0.Add(48 * time.Hour)
		f, put := dueDesk(t, b, now)
		var want []string
		for i := range 130 {
			id := fmt.Sprintf("p%03d", i)
			put(id, "", helpdesk.StateOpen, dueTarget(now, helpdesk.SLAFirstResponse, 0, time.Duration(130-i)*10*time.Second))
			want = append(want, id)
		}
		slices.Reverse(want)
		if got := f.walkIDs(t, "ann", "/api/views/breaching_soon/tickets", 100); !slices.Equal(got, want) {
			t.Fatalf("%d tickets, first %v", len(got), got[:min(3, len(got))])
		}
	})
}

// Saved views filter by due date (overdue, due within a window, both) and
// sort by it, read from the ticket partitions: overdue tickets (a target
// past due, recorded as breached or not yet) first when ascending,
// tickets without a due date last.
func TestSavedViewsFilterAndSortByDueDate(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		now := t0.Add(48 * time.Hour)
		f, put := dueDesk(t, b, now)
		fr, cl := helpdesk.SLAFirstResponse, helpdesk.SLAClose
		at := func(kind helpdesk.SLATargetKind, due time.Duration) helpdesk.SLATarget {
			return dueTarget(now, kind, 0, due)
		}
		late := at(fr, -30*time.Minute)
		late.BreachedAt = late.DueAt
		put("late", "A", helpdesk.StateOpen, late, at(cl, 5*time.Hour))
		put("soon", "A", helpdesk.StateOpen, at(fr, 20*time.Minute))
		put("now", "A", helpdesk.StateOpen, at(fr, -time.Minute)) // past due, the sweep has not recorded it yet
		put("later", "A", helpdesk.StateOpen, at(cl, 3*time.Hour))
		met := at(fr, -2*time.Hour)
		met.MetAt = now.Add(-3 * time.Hour)
		put("met", "A", helpdesk.StateOpen, met)
		put("paused", "A", helpdesk.StateOpen, helpdesk.SLATarget{Kind: fr, StartedAt: now, PausedAt: now, Remaining: time.Minute})
		view := func(body string) string {
			t.Helper()
			r := f.do(t, "POST", "/api/views", "vic", body)
			if r.status != 201 {
				t.Fatalf("create %s: %d %s", body, r.status, r.raw)
			}
			return "/api/views/" + r.body["id"].(string) + "/tickets"
		}
		for _, c := range []struct {
			body string
			want []string
		}{
			{`{"name":"Overdue","filter":{"teams":["A"],"sla":{"overdue":true}},"sort":{"by":"due","order":"asc"}}`, []string{"late", "now"}},
			{`{"name":"Within 30 min","filter":{"teams":["A"],"sla":{"due_within_minutes":30}},"sort":{"by":"due","order":"asc"}}`, []string{"soon"}},
			{`{"name":"Overdue or soon","filter":{"teams":["A"],"sla":{"overdue":true,"due_within_minutes":30}},"sort":{"by":"due","order":"asc"}}`, []string{"late", "now", "soon"}},
			// Ticket 1 (team A) has no SLA, nor have "met" and "paused": last, by id.
			{`{"name":"By due","filter":{"teams":["A"]},"sort":{"by":"due","order":"asc"}}`, []string{"late", "now", "soon", "later", "1", "met", "paused"}},
			{`{"name":"By due, desc","filter":{"teams":["A"]},"sort":{"by":"due"}}`, []string{"paused", "met", "1", "later", "soon", "now", "late"}},
		} {
			path := view(c.body)
			for _, limit := range []int{2, 50} {
				if got := f.walkIDs(t, "vic", path, limit); !slices.Equal(got, c.want) {
					t.Errorf("%s, pages of %d: %v, want %v", c.body, limit, got, c.want)
				}
			}
		}
	})
}

// A due filter or sort that makes no sense is refused, naming the field.
func TestDueFilterRefusals(t *testing.T) {
	f := newDesk(t, testbed.Mem)
	for body, want := range map[string]string{
		`{"name":"x","filter":{"sla":{}}}`:                                   "filter.sla",
		`{"name":"x","filter":{"sla":{"overdue":false}}}`:                    "filter.sla",
		`{"name":"x","filter":{"sla":{"due_within_minutes":-5}}}`:            "filter.sla.due_within_minutes",
		`{"name":"x","filter":{"sla":{"due_within_minutes":20000}}}`:         "filter.sla.due_within_minutes",
		`{"name":"x","filter":{"sla":{"overdue":true}},"sort":{"by":"dew"}}`: "sort",
	} {
		r := f.do(t, "POST", "/api/views", "vic", body)
		if r.status != 400 || !strings.Contains(r.raw, want) {
			t.Errorf("%s: %d %s, want 400 naming %s", body, r.status, r.raw, want)
		}
	}
}

// SLA alerts are emailed by default; an agent turns each kind's email off
// (and back on) through PUT /api/me/notifications, stored on the agent.
func TestSLAAlertEmailPreference(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		r := f.do(t, "GET", "/api/me/notifications", "bob", "")
		if r.status != 200 || !strings.Contains(r.raw, `"sla_warning":{"in_app":true,"email":true}`) || !strings.Contains(r.raw, `"sla_breach":{"in_app":true,"email":true}`) {
			t.Fatalf("bob's defaults: %d %s", r.status, r.raw)
		}
		r = f.do(t, "PUT", "/api/me/notifications", "bob", `{"sla_warning":{"email":false}}`)
		if r.status != 200 || !strings.Contains(r.raw, `"sla_warning":{"in_app":true,"email":false}`) || !strings.Contains(r.raw, `"sla_breach":{"in_app":true,"email":true}`) {
			t.Fatalf("PUT: %d %s", r.status, r.raw)
		}
		a, err := f.st.GetAgent(t.Context(), "bob")
		if err != nil || a.Notify.Email(helpdesk.NotifySLAWarning) || !a.Notify.Email(helpdesk.NotifySLABreach) {
			t.Fatalf("stored prefs: %+v, %v", a.Notify, err)
		}
		if r = f.do(t, "PUT", "/api/me/notifications", "bob", `{"sla_warning":{"email":true}}`); !strings.Contains(r.raw, `"sla_warning":{"in_app":true,"email":true}`) {
			t.Fatalf("back on: %d %s", r.status, r.raw)
		}
	})
}
