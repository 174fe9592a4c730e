package agent_test

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/audience"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// feed is who's notifications, as "kind ticket", newest first (all pages).
func (f *fixture) feed(t *testing.T, who string, unread bool) []string {
	t.Helper()
	var out []string
	cursor := ""
	for range 20 {
		q := "/api/notifications?limit=3&cursor=" + cursor
		if unread {
			q += "&unread=true"
		}
		r := f.do(t, "GET", q, who, "")
		if r.status != 200 {
			t.Fatalf("%s's feed: %d %s", who, r.status, r.raw)
		}
		for _, n := range r.body["notifications"].([]any) {
			m := n.(map[string]any)
			out = append(out, m["kind"].(string)+" "+m["ticket_id"].(string))
		}
		next, _ := r.body["next"].(string)
		if next == "" {
			return out
		}
		cursor = next
	}
	t.Fatalf("%s's feed: more than 20 pages", who)
	return nil
}

// stored is what the store holds in who's feed partition, whatever the
// API shows: "kind ticket", newest first.
func (f *fixture) stored(t *testing.T, who string) []string {
	t.Helper()
	ns, err := f.st.Notifications(context.Background(), helpdesk.AgentRecipient(who), 100)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range ns {
		out = append(out, string(n.Kind)+" "+n.TicketID)
	}
	return out
}

// emails are the notification emails committed on ticket id (published, or
// still in its outbox): "to kind".
func (f *fixture) emails(t *testing.T, id string) []string {
	t.Helper()
	box, err := f.st.PendingOutbox(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	f.out.mu.Lock()
	bodies := slices.Clone(f.out.jobs)
	f.out.mu.Unlock()
	for _, b := range box {
		bodies = append(bodies, b)
	}
	var out []string
	for _, b := range bodies {
		env, err := jobs.DecodeEnvelope(b)
		if err != nil || env.Kind != jobs.KindNotificationEmail {
			continue
		}
		var n jobs.NotificationEmail
		if err := json.Unmarshal(env.Payload, &n); err != nil {
			t.Fatal(err)
		}
		if n.TicketID == id {
			out = append(out, n.ToAgentID+" "+string(n.Kind))
		}
	}
	slices.Sort(out)
	return out
}

// customerWrites appends a customer's message to ticket id as the router
// does (app/ingest): the audience read, the model's Append, the commit.
func (f *fixture) customerWrites(t *testing.T, id, text string, at time.Time) {
	t.Helper()
	ctx := context.Background()
	tk, err := f.st.GetTicketHeader(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	aud, err := audience.Read(ctx, f.st, tk, nil)
	if err != nil {
		t.Fatal(err)
	}
	msg := helpdesk.Message{ID: helpdesk.NewID(), Direction: helpdesk.Inbound, ChannelID: mail.ID, ChannelKind: helpdesk.ChannelEmail,
		AuthorContactID: tk.ContactID, Text: text, CreatedAt: at}
	c, err := ticket.Append(tk, msg, "email#cus"+id+"@example.com", nil, aud, helpdesk.DefaultSettings(), at)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.Commit(ctx, c); err != nil {
		t.Fatal(err)
	}
}

func followersOf(r response) []string {
	var out []string
	tk, _ := r.body["ticket"].(map[string]any)
	if tk == nil {
		tk = r.body
	}
	fs, _ := tk["followers"].([]any)
	for _, f := range fs {
		out = append(out, f.(string))
	}
	slices.Sort(out)
	return out
}

// A note mentions agents (by the request's ids or an @id in the text); a
// mention of someone who cannot see the ticket, of nobody or of a
// deactivated user is refused with the reason, naming them, and writes
// nothing; the mentioned are told, by email as they prefer; notes never
// reach the customer.
func TestMentions(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		for _, c := range []struct{ body, want, names string }{
			// cat is in team B: ticket 1 is team A's.
			{`{"text":"see this","mentions":["cat"]}`, "mention_cannot_see", "cat"},
			{`{"text":"see this @cat"}`, "mention_cannot_see", "cat"},
			{`{"text":"see this","mentions":["nobody"]}`, "mention_unknown", "nobody"},
			{`{"text":"see this","mentions":["dan"]}`, "mention_inactive", "dan"},
			{`{"text":"x","mentions":["a","b","c","d","e","f","g","h","i","j","k"]}`, "too_many_mentions", ""},
			{`{"text":"x","mentions":["` + strings.Repeat("m", 101) + `"]}`, "field_too_long", ""},
			{`{"text":"x","mentions":null}`, "null_value", "mentions"},
		} {
			r := f.do(t, "POST", "/api/tickets/1/notes", "bob", c.body)
			if r.status != 400 || reason(r) != c.want || !strings.Contains(r.raw, c.names) {
				t.Errorf("note %s: %d %s, want 400 %s naming %q", c.body, r.status, r.raw, c.want, c.names)
			}
		}
		if notes := f.do(t, "GET", "/api/tickets/1/timeline?kind=note", "ann", ""); notes.status != 200 || len(notes.body["entries"].([]any)) != 0 || len(f.stored(t, "cat")) != 0 {
			t.Fatalf("a refused note wrote something: %s", notes.raw)
		}
		// vic asks to be emailed when mentioned; ann keeps the defaults.
		if r := f.do(t, "PUT", "/api/me/notifications", "vic", `{"mentioned":{"email":true}}`); r.status != 200 {
			t.Fatalf("vic's preferences: %d %s", r.status, r.raw)
		}
		// @vic in the text; "@here" names nobody and an address is no mention.
		n := f.do(t, "POST", "/api/tickets/1/notes", "bob", `{"text":"@vic please call, cc @here and mail ops@cat.example","mentions":["ann"]}`)
		if n.status != 201 || n.body["direction"] != "note" {
			t.Fatalf("note: %d %s", n.status, n.raw)
		}
		if got := f.feed(t, "vic", false); !slices.Equal(got, []string{"mentioned 1"}) {
			t.Errorf("vic's feed = %v", got)
		}
		if got := f.feed(t, "ann", false); !slices.Equal(got, []string{"mentioned 1"}) {
			t.Errorf("ann's feed = %v", got)
		}
		if got := f.stored(t, "bob"); len(got) != 0 {
			t.Errorf("the author was told of their own note: %v", got)
		}
		item := f.do(t, "GET", "/api/notifications", "vic", "").body["notifications"].([]any)[0].(map[string]any)
		if item["actor_id"] != "bob" || item["message_id"] != n.body["id"] || item["read"] != false || item["subject"] != "Question 1" {
			t.Errorf("vic's notification = %v", item)
		}
		if got := f.emails(t, "1"); !slices.Equal(got, []string{"vic mentioned"}) {
			t.Errorf("emails = %v, want vic's only", got)
		}
		for _, j := range f.out.jobs {
			if !strings.Contains(j, `"kind":"notification.email"`) {
				t.Errorf("a note published a job that is not an agent's email: %s", j)
			}
		}
		// The author follows the ticket from then on.
		if got := followersOf(f.do(t, "GET", "/api/tickets/1", "bob", "")); !slices.Equal(got, []string{"bob"}) {
			t.Errorf("followers after bob's note = %v", got)
		}
	})
}

// Owner and followers are told of customer messages, notes and status
// changes, never of their own; following needs seeing the ticket.
func TestFollowersAreTold(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		r := f.do(t, "POST", "/api/tickets/1/followers", "vic", "")
		if r.status != 200 || !slices.Equal(followersOf(r), []string{"vic"}) || r.header.Get("ETag") != `"2"` {
			t.Fatalf("vic follows: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/1/followers", "vic", ""); r.status != 200 || r.header.Get("ETag") != `"2"` {
			t.Fatalf("following twice: %d %s", r.status, r.raw)
		}
		for _, c := range []struct {
			who, path string
			status    int
			want      string
		}{
			{"cat", "/api/tickets/1/followers", 404, "ticket_not_found"},                 // cannot see it
			{"ann", "/api/tickets/1/followers?agent_id=cat", 400, "follower_cannot_see"}, // an admin adding someone who cannot
			{"ann", "/api/tickets/1/followers?agent_id=dan", 400, "inactive_user"},       // deactivated
			{"ann", "/api/tickets/1/followers?agent_id=nobody", 400, "follower_unknown"}, // nobody
			{"bob", "/api/tickets/1/followers?agent_id=vic", 403, "cannot_follow_for_others"},
		} {
			if r := f.do(t, "POST", c.path, c.who, ""); r.status != c.status || reason(r) != c.want {
				t.Errorf("%s POST %s: %d %s, want %d %s", c.who, c.path, r.status, r.raw, c.status, c.want)
			}
		}
		if r := f.do(t, "PATCH", "/api/tickets/1", "bob", `{"owner_id":"bob"}`); r.status != 200 {
			t.Fatalf("bob takes ticket 1: %d %s", r.status, r.raw)
		}
		// (The desk's clock stands at t0+1h; the customer wrote before.)
		f.customerWrites(t, "1", "Any news?", t0.Add(30*time.Minute))
		if got, want := f.stored(t, "bob"), []string{"customer_message 1"}; !slices.Equal(got, want) {
			t.Errorf("bob (owner) = %v, want %v", got, want)
		}
		if got, want := f.stored(t, "vic"), []string{"customer_message 1"}; !slices.Equal(got, want) {
			t.Errorf("vic (follower) = %v, want %v", got, want)
		}
		// bob changes the status: vic is told, bob is not.
		if r := f.do(t, "PATCH", "/api/tickets/1", "bob", `{"status":"waiting_on_contact"}`); r.status != 200 {
			t.Fatalf("status: %d %s", r.status, r.raw)
		}
		if got := f.stored(t, "vic"); !slices.Equal(got, []string{"status 1", "customer_message 1"}) {
			t.Errorf("vic after bob's status change = %v", got)
		}
		if got := f.stored(t, "bob"); len(got) != 1 {
			t.Errorf("bob was told of his own status change: %v", got)
		}
		// vic writes a note: bob is told, vic is not.
		if r := f.do(t, "POST", "/api/tickets/1/notes", "vic", `{"text":"They called back."}`); r.status != 201 {
			t.Fatalf("note: %d", r.status)
		}
		if got := f.stored(t, "bob"); !slices.Equal(got, []string{"note 1", "customer_message 1"}) {
			t.Errorf("bob after vic's note = %v", got)
		}
		// vic unfollows; ann's status change tells bob only.
		if r := f.do(t, "DELETE", "/api/tickets/1/followers", "vic", ""); r.status != 200 || len(followersOf(r)) != 0 {
			t.Fatalf("vic unfollows: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "PATCH", "/api/tickets/1", "ann", `{"status":"waiting_on_us"}`); r.status != 200 {
			t.Fatalf("status: %d %s", r.status, r.raw)
		}
		if got := f.stored(t, "bob"); len(got) != 3 || got[0] != "status 1" {
			t.Errorf("bob after ann's status change = %v", got)
		}
		if got := f.stored(t, "vic"); len(got) != 2 {
			t.Errorf("vic was told after unfollowing: %v", got)
		}
	})
}

// A notification never shows, and is never made, for a ticket outside the
// recipient's access: a follower who loses sight of a ticket (it moved to
// another team) is no longer told, and what they were told before leaves
// their feed.
func TestNotificationsNeverLeakATicketOutOfScope(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		if r := f.do(t, "POST", "/api/tickets/1/followers", "bob", ""); r.status != 200 {
			t.Fatalf("bob follows: %d", r.status)
		}
		f.customerWrites(t, "1", "Hello?", t0.Add(2*time.Hour))
		if got := f.feed(t, "bob", false); !slices.Equal(got, []string{"customer_message 1"}) {
			t.Fatalf("bob's feed = %v", got)
		}
		// Ticket 1 moves to team B: bob (team A) no longer sees it.
		if r := f.do(t, "PATCH", "/api/tickets/1", "ann", `{"team_id":"B","status":"waiting_on_us"}`); r.status != 200 {
			t.Fatalf("move: %d %s", r.status, r.raw)
		}
		f.customerWrites(t, "1", "Hello again?", t0.Add(3*time.Hour))
		if got := f.stored(t, "bob"); len(got) != 1 {
			t.Errorf("bob was told of a ticket he cannot see: %v", got)
		}
		if got := f.feed(t, "bob", false); len(got) != 0 {
			t.Errorf("bob's feed shows a ticket he cannot see: %v", got)
		}
		if r := f.do(t, "GET", "/api/notifications?unread=true", "bob", ""); strings.Contains(r.raw, "Question 1") {
			t.Errorf("the subject leaks: %s", r.raw)
		}
		// Back in team A, what he was told shows again.
		if r := f.do(t, "PATCH", "/api/tickets/1", "ann", `{"team_id":"A"}`); r.status != 200 {
			t.Fatalf("move back: %d", r.status)
		}
		if got := f.feed(t, "bob", false); !slices.Equal(got, []string{"customer_message 1"}) {
			t.Errorf("bob's feed back in team A = %v", got)
		}
	})
}

// The feed pages newest first with sealed cursors bound to the caller and
// the unread filter; one entry or all of them are marked read.
func TestFeedPagesAndMarksRead(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		// Five customer messages on bob's ticket 3, an hour apart.
		for i := range 5 {
			f.customerWrites(t, "3", "again", t0.Add(time.Duration(i+2)*time.Hour))
		}
		if got := f.feed(t, "bob", false); len(got) != 5 {
			t.Fatalf("bob's feed = %v, want 5", got)
		}
		first := f.do(t, "GET", "/api/notifications?limit=2", "bob", "")
		items := first.body["notifications"].([]any)
		next, _ := first.body["next"].(string)
		at0, at1 := items[0].(map[string]any)["at"].(string), items[1].(map[string]any)["at"].(string)
		if len(items) != 2 || next == "" || at0 <= at1 || !strings.HasPrefix(at0, "2026-11-30T15:00") {
			t.Fatalf("first page: %s", first.raw)
		}
		for _, c := range []struct{ who, q string }{
			{"bob", "?unread=true&cursor=" + next}, // another filter's
			{"ann", "?cursor=" + next},             // someone else's
			{"bob", "?cursor=x" + next},
		} {
			if r := f.do(t, "GET", "/api/notifications"+c.q, c.who, ""); r.status != 400 || reason(r) != "invalid_cursor" {
				t.Errorf("%s %s: %d %s, want 400 invalid_cursor", c.who, c.q, r.status, r.raw)
			}
		}
		for _, q := range []string{"?limit=0", "?limit=101", "?unread=maybe"} {
			if r := f.do(t, "GET", "/api/notifications"+q, "bob", ""); r.status != 400 {
				t.Errorf("%s: %d, want 400", q, r.status)
			}
		}
		newest := items[0].(map[string]any)["id"].(string)
		// An email about it that could not be sent shows, with why.
		nanos, id, _ := strings.Cut(newest, ".")
		ns, _ := strconv.ParseInt(nanos, 10, 64)
		if err := f.st.SetNotificationEmail(context.Background(), "agent:bob", time.Unix(0, ns).UTC(), id, "failed", "refused: mailbox unavailable"); err != nil {
			t.Fatal(err)
		}
		if r := f.do(t, "GET", "/api/notifications?limit=1", "bob", ""); !strings.Contains(r.raw, `"email_status":"failed","email_reason":"refused: mailbox unavailable"`) {
			t.Errorf("a failed notification email does not show: %s", r.raw)
		}
		for range 2 {
			if r := f.do(t, "POST", "/api/notifications/"+newest+"/read", "bob", ""); r.status != 204 {
				t.Fatalf("mark read: %d %s", r.status, r.raw)
			}
		}
		for _, c := range []struct{ who, id string }{{"ann", newest}, {"bob", "nope"}, {"bob", "1." + strings.Repeat("a", 70)}} {
			if r := f.do(t, "POST", "/api/notifications/"+c.id+"/read", c.who, ""); r.status != 404 || reason(r) != "notification_not_found" {
				t.Errorf("%s marks %s: %d %s, want 404", c.who, c.id, r.status, r.raw)
			}
		}
		if got := f.feed(t, "bob", true); len(got) != 4 {
			t.Fatalf("unread after marking one = %v", got)
		}
		if r := f.do(t, "GET", "/api/notifications?limit=1", "bob", ""); !strings.Contains(r.raw, `"read":true`) {
			t.Errorf("the newest is not shown read: %s", r.raw)
		}
		// Those from before 12:30: the first two (11:00 and 12:00).
		r := f.do(t, "POST", "/api/notifications/read?before=2026-11-30T12:30:00Z", "bob", "")
		if r.status != 200 || r.body["marked"] != 2.0 || r.body["more"] != false {
			t.Fatalf("mark before: %d %s", r.status, r.raw)
		}
		for _, q := range []string{"yesterday", ""} {
			if r := f.do(t, "POST", "/api/notifications/read?before="+q, "bob", ""); r.status != 400 || reason(r) != "invalid_before" {
				t.Errorf("before=%q: %d %s", q, r.status, r.raw)
			}
		}
		if r := f.do(t, "POST", "/api/notifications/read", "bob", ""); r.body["marked"] != 2.0 {
			t.Fatalf("mark all: %s", r.raw)
		}
		if got := f.feed(t, "bob", true); len(got) != 0 {
			t.Fatalf("unread after marking all = %v", got)
		}
		if got := f.feed(t, "bob", false); len(got) != 5 {
			t.Fatalf("the feed after marking all read = %v", got)
		}
	})
}

// Each agent is told as they prefer: muted kinds leave their feed, email
// only for those who asked; the preferences read back.
func TestNotificationPreferences(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		got := f.do(t, "GET", "/api/me/notifications", "bob", "")
		if got.status != 200 || !strings.Contains(got.raw, `"status":{"in_app":true,"email":false}`) || !strings.Contains(got.raw, `"team_unassigned":{"email":false}`) {
			t.Fatalf("bob's defaults: %d %s", got.status, got.raw)
		}
		r := f.do(t, "PUT", "/api/me/notifications", "bob", `{"status":{"in_app":false,"email":true},"customer_message":{"email":true}}`)
		if r.status != 200 || !strings.Contains(r.raw, `"status":{"in_app":false,"email":true}`) || !strings.Contains(r.raw, `"note":{"in_app":true,"email":false}`) {
			t.Fatalf("PUT: %d %s", r.status, r.raw)
		}
		// A later PUT changes only what it names.
		if r := f.do(t, "PUT", "/api/me/notifications", "bob", `{"customer_message":{"in_app":true}}`); !strings.Contains(r.raw, `"customer_message":{"in_app":true,"email":true}`) {
			t.Fatalf("partial PUT: %s", r.raw)
		}
		for _, body := range []string{`{"colour":{}}`, `{"status":{"loud":true}}`, `{"team_unassigned":{"in_app":false}}`, `null`, `{"status":{"email":"yes"}}`, `{"team_unassigned":{"email":null}}`, `{"status":null}`} {
			if r := f.do(t, "PUT", "/api/me/notifications", "bob", body); r.status != 400 {
				t.Errorf("PUT %s: %d %s, want 400", body, r.status, r.raw)
			}
		}
		if r := f.do(t, "POST", "/api/tickets/3/followers", "ann", ""); r.status != 200 {
			t.Fatalf("ann follows 3: %d", r.status)
		}
		// ann changes the status of bob's ticket 3.
		if r := f.do(t, "PATCH", "/api/tickets/3", "ann", `{"status":"waiting_on_contact"}`); r.status != 200 {
			t.Fatalf("status: %d", r.status)
		}
		if got := f.stored(t, "bob"); len(got) != 0 {
			t.Errorf("bob muted status changes in the app, yet = %v", got)
		}
		if got := f.emails(t, "3"); !slices.Equal(got, []string{"bob status"}) {
			t.Errorf("emails = %v, want bob's status email only", got)
		}
		f.customerWrites(t, "3", "Thanks", t0.Add(2*time.Hour))
		if got := f.stored(t, "bob"); !slices.Equal(got, []string{"customer_message 3"}) {
			t.Errorf("bob = %v", got)
		}
		if got := f.stored(t, "ann"); !slices.Equal(got, []string{"customer_message 3"}) {
			t.Errorf("ann (follower, defaults) = %v", got)
		}
		if got := f.emails(t, "3"); !slices.Equal(got, []string{"bob customer_message", "bob status"}) {
			t.Errorf("emails = %v, want bob's two only", got)
		}
	})
}
