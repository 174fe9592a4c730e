package storetest

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// The notification feed pages newest first from a position the store gave
// (a made-up one is refused), leaves out what is read when asked, and
// marks one or every entry before a time read, once.
func testNotificationFeedPagesAndMarksRead(t *testing.T, f *fixture) {
	ann, bob := helpdesk.AgentRecipient("ann"), helpdesk.AgentRecipient("bob")
	var ns []helpdesk.Notification
	for i := range 5 {
		ns = append(ns, helpdesk.Notification{ID: fmt.Sprintf("n%d", i), Recipient: ann, Kind: helpdesk.NotifyNote,
			TicketID: "1", Subject: "s", At: T0.Add(time.Duration(i) * time.Minute), ActorID: "bob", MessageID: "m"})
	}
	ns = append(ns, helpdesk.Notification{ID: "b0", Recipient: bob, Kind: helpdesk.NotifyStatus, TicketID: "1", Subject: "s", At: T0})
	f.commit(ticket.Change{Notifications: ns})

	page := func(unread bool, after string, limit int32) ([]string, string) {
		t.Helper()
		got, next, err := f.st.ListNotifications(f.ctx, ann, unread, after, limit)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, n := range got {
			ids = append(ids, n.ID)
		}
		return ids, next
	}
	all := func(unread bool) []string {
		var ids []string
		after := ""
		for range 10 {
			got, next := page(unread, after, 2)
			ids = append(ids, got...)
			if next == "" {
				return ids
			}
			after = next
		}
		t.Fatal("more than 10 pages")
		return nil
	}
	if got := all(false); !slices.Equal(got, []string{"n4", "n3", "n2", "n1", "n0"}) {
		t.Fatalf("ann's feed two at a time = %v", got)
	}
	first, _, err := f.st.ListNotifications(f.ctx, ann, false, "", 1)
	if err != nil || len(first) != 1 || first[0].ActorID != "bob" || first[0].MessageID != "m" || first[0].ReadAt != nil {
		t.Fatalf("newest = %+v, %v", first, err)
	}
	if _, _, err := f.st.ListNotifications(f.ctx, ann, false, "not-a-position", 2); !errors.Is(err, store.ErrInvalidCursor) {
		t.Fatalf("a made-up position: %v, want ErrInvalidCursor", err)
	}

	read := T0.Add(time.Hour)
	if err := f.st.MarkNotificationRead(f.ctx, ann, T0.Add(3*time.Minute), "n3", read); err != nil {
		t.Fatal(err)
	}
	if err := f.st.MarkNotificationRead(f.ctx, ann, T0.Add(3*time.Minute), "n3", read.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		recipient, id string
		at            time.Time
	}{{ann, "n3", T0}, {ann, "nope", T0.Add(3 * time.Minute)}, {bob, "n3", T0.Add(3 * time.Minute)}} {
		if err := f.st.MarkNotificationRead(f.ctx, c.recipient, c.at, c.id, read); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("marking %s of %s at %v: %v, want ErrNotFound", c.id, c.recipient, c.at, err)
		}
	}
	got, _, _ := f.st.ListNotifications(f.ctx, ann, false, "", 2)
	if len(got) != 2 || got[1].ID != "n3" || got[1].ReadAt == nil || !got[1].ReadAt.Equal(read) {
		t.Fatalf("n3 after marking it read twice = %+v, want read at the first time", got)
	}
	if got := all(true); !slices.Equal(got, []string{"n4", "n2", "n1", "n0"}) {
		t.Fatalf("ann's unread = %v", got)
	}

	// Every unread one before n2's time, one at a time: n1, then n0.
	for i, want := range []struct {
		n    int
		more bool
	}{{1, true}, {1, false}, {0, false}} {
		n, more, err := f.st.MarkNotificationsRead(f.ctx, ann, T0.Add(2*time.Minute), read, 1)
		if err != nil || n != want.n || more != want.more {
			t.Fatalf("mark before n2, round %d: %d, %v, %v; want %d, %v", i, n, more, err, want.n, want.more)
		}
	}
	if got := all(true); !slices.Equal(got, []string{"n4", "n2"}) {
		t.Fatalf("ann's unread after marking those before n2 = %v", got)
	}
	if n, more, err := f.st.MarkNotificationsRead(f.ctx, ann, T0.Add(24*time.Hour), read, 100); err != nil || n != 2 || more {
		t.Fatalf("mark all: %d, %v, %v; want 2", n, more, err)
	}
	if got := all(true); len(got) != 0 {
		t.Fatalf("unread after marking all = %v", got)
	}
	if got, _, err := f.st.ListNotifications(f.ctx, bob, true, "", 10); err != nil || len(got) != 1 {
		t.Fatalf("bob's feed was touched: %+v, %v", got, err)
	}
}

// Tickets read by id, missing ones left out; a ticket's followers (a
// string set) read back as written.
func testTicketHeadersAndFollowersReadBack(t *testing.T, f *fixture) {
	f.open("1", "a@example.com", T0)
	f.open("2", "b@example.com", T0)
	for _, who := range []string{"zed", "ann"} {
		f.change("1", func(tk helpdesk.Ticket) (ticket.Change, error) {
			return ticket.Follow(tk, helpdesk.Principal{Agent: helpdesk.Agent{ID: who, Active: true, Role: helpdesk.RoleAdmin}}, T0)
		})
	}
	got, err := f.st.TicketHeaders(f.ctx, []string{"1", "2", "404", "1"})
	if err != nil || len(got) != 2 || got["2"].ID != "2" {
		t.Fatalf("headers of 1, 2, 404 = %v, %v", got, err)
	}
	if fs := slices.Sorted(slices.Values(got["1"].Followers)); !slices.Equal(fs, []string{"ann", "zed"}) || got["1"].Version != 3 {
		t.Fatalf("ticket 1 = followers %v, version %d", got["1"].Followers, got["1"].Version)
	}
	f.change("1", func(tk helpdesk.Ticket) (ticket.Change, error) { return ticket.Unfollow(tk, "zed", T0) })
	f.change("1", func(tk helpdesk.Ticket) (ticket.Change, error) { return ticket.Unfollow(tk, "ann", T0) })
	if h := f.header("1"); len(h.Followers) != 0 {
		t.Fatalf("followers after both left = %v", h.Followers)
	}
	if got, err := f.st.TicketHeaders(f.ctx, nil); err != nil || len(got) != 0 {
		t.Fatalf("no ids: %v, %v", got, err)
	}
}

// An agent's notification preferences are set alone: the rest of the
// record stays; an unknown agent is ErrNotFound.
// A sign-out is recorded on the agent, read back by sub (the API's way
// in), and bumps the version like any change the agent makes themselves.
func testSetSignedOut(t *testing.T, f *fixture) {
	ann := helpdesk.Agent{ID: "ann", Email: "ann@acme.example", Name: "Ann", Seat: true, Active: true, Sub: "sub-ann", CreatedAt: T0}
	if err := f.st.PutAgent(f.ctx, ann); err != nil {
		t.Fatal(err)
	}
	at := T0.Add(90 * time.Minute)
	got, err := f.st.SetSignedOut(f.ctx, "ann", at)
	if err != nil || !got.SignedOutAt.Equal(at) || got.Version != 1 {
		t.Fatalf("SetSignedOut: %+v, %v", got, err)
	}
	if a, err := f.st.FindAgentBySub(f.ctx, "sub-ann"); err != nil || !a.SignedOutAt.Equal(at) {
		t.Fatalf("read back by sub: %+v, %v", a, err)
	}
	if _, err := f.st.SetSignedOut(f.ctx, "nobody", at); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an unknown agent: %v", err)
	}
}

func testSetNotifyPrefs(t *testing.T, f *fixture) {
	a := agent("ann")
	a.Availability.Away = true
	a.Notify.EmailOnAssignment = true
	if err := f.st.PutAgent(f.ctx, a); err != nil {
		t.Fatal(err)
	}
	prefs := helpdesk.NotifyPrefs{EmailOnMention: true, MutedInApp: []helpdesk.NotificationKind{helpdesk.NotifyStatus}}
	got, err := f.st.SetNotifyPrefs(f.ctx, "ann", prefs)
	if err != nil || got.Notify.EmailOnAssignment || !got.Notify.EmailOnMention || !slices.Equal(got.Notify.MutedInApp, prefs.MutedInApp) || !got.Availability.Away {
		t.Fatalf("set preferences = %+v, %v", got, err)
	}
	// The version moves, so an admin's edit of the record decided before
	// this cannot silently put the old preferences back.
	if got.Version != a.Version+1 {
		t.Errorf("version after setting preferences = %d, want %d", got.Version, a.Version+1)
	}
	if read, err := f.st.GetAgent(f.ctx, "ann"); err != nil || !read.Notify.EmailOnMention || read.Notify.InApp(helpdesk.NotifyStatus) || read.Name != "ann" {
		t.Fatalf("read back = %+v, %v", read, err)
	}
	if _, err := f.st.SetNotifyPrefs(f.ctx, "nobody", prefs); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown agent: %v, want ErrNotFound", err)
	}
}
