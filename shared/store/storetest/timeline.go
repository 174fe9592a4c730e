package storetest

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// This file holds the cases of a ticket's page: its timeline, paged, and
// its contacts and their tickets.

// A merged ticket's timeline pages through its own and its merged tickets'
// messages, notes and activities in one time order, either way, by kind,
// with positions that continue every stream; a position of another shape
// is refused.
func testTimelinePagesMergedPartitions(t *testing.T, f *fixture) {
	f.open("a", "a@example.com", T0)
	f.open("b", "b@example.com", T0.Add(time.Minute))
	f.open("c", "c@example.com", T0.Add(2*time.Minute))
	for i, id := range []string{"a", "b", "a", "c"} {
		at := T0.Add(time.Duration(10+i) * time.Minute)
		f.change(id, func(t helpdesk.Ticket) (ticket.Change, error) {
			c, _, err := ticket.Note(t, "ann", "note "+id, at)
			return c, err
		})
	}
	for _, m := range [][2]string{{"b", "c"}, {"a", "b"}} {
		c, err := ticket.Merge(f.header(m[0]), f.header(m[1]), "ann", T0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		f.commit(c)
	}
	conv := f.conv("a")
	var all []helpdesk.TimelineEntry
	for i := range conv.Messages {
		all = append(all, helpdesk.TimelineEntry{Message: &conv.Messages[i]})
	}
	for i := range conv.Activities {
		all = append(all, helpdesk.TimelineEntry{Activity: &conv.Activities[i]})
	}
	key := func(e helpdesk.TimelineEntry) string { return e.At().UTC().Format(time.RFC3339Nano) + "#" + e.ID() }
	slices.SortFunc(all, func(a, b helpdesk.TimelineEntry) int { return strings.Compare(key(a), key(b)) })
	if len(all) < 10 {
		t.Fatalf("a's conversation has %d entries, want messages, notes and activities of three tickets", len(all))
	}
	a := f.header("a")
	for _, kind := range []helpdesk.TimelineKind{"", helpdesk.TimelineMessage, helpdesk.TimelineNote, helpdesk.TimelineActivity} {
		for _, oldest := range []bool{true, false} {
			var want []string
			for _, e := range all {
				if kind == "" || e.Kind() == kind {
					want = append(want, e.ID())
				}
			}
			if !oldest {
				slices.Reverse(want)
			}
			var got []string
			after := ""
			for pages := 0; ; pages++ {
				if pages > len(all) {
					t.Fatalf("kind %q oldest=%v: the pages do not end", kind, oldest)
				}
				page, next, err := f.st.Timeline(f.ctx, a, helpdesk.TimelineQuery{Kind: kind, Oldest: oldest, After: after, Limit: 2})
				if err != nil {
					t.Fatal(err)
				}
				if len(page) > 2 || (next != "" && len(page) != 2) {
					t.Fatalf("kind %q: a page of %d entries, next %q", kind, len(page), next)
				}
				for _, e := range page {
					got = append(got, e.ID())
				}
				if after = next; after == "" {
					break
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("kind %q oldest=%v: paged %v, want %v", kind, oldest, got, want)
			}
		}
	}
	if _, _, err := f.st.Timeline(f.ctx, a, helpdesk.TimelineQuery{After: "MSG#x", Limit: 2}); !errors.Is(err, store.ErrInvalidCursor) {
		t.Fatalf("a position of another shape: %v, want ErrInvalidCursor", err)
	}
}

// A contact's tickets come newest first, limited; contacts are read by id,
// an unknown one left out.
func testContactTicketsAndContacts(t *testing.T, f *fixture) {
	f.open("1", "x@example.com", T0)
	f.open("2", "y@example.com", T0.Add(time.Minute))
	f.open("3", "x@example.com", T0.Add(2*time.Minute))
	f.open("4", "x@example.com", T0.Add(3*time.Minute))
	cid := f.header("1").ContactID
	got, err := f.st.ContactTickets(f.ctx, cid, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].ID != "4" || got[1].ID != "3" {
		t.Fatalf("contact's tickets %+v, want 4 then 3", got)
	}
	if none, err := f.st.ContactTickets(f.ctx, "nobody", 5); err != nil || len(none) != 0 {
		t.Fatalf("an unknown contact's tickets %v, %v", none, err)
	}
	cs, err := f.st.GetContacts(f.ctx, []string{cid, f.header("2").ContactID, "nobody"})
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[cid].Email != "x@example.com" {
		t.Fatalf("contacts %+v", cs)
	}
}
