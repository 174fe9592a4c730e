package portal_test

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	appcsat "github.com/stackdesk/stackdesk/shared/app/csat"
	"github.com/stackdesk/stackdesk/shared/app/index"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// fakeLinks signs links as "https://files.test/<key>?ttl=<ttl>&inline=<inline>".
type fakeLinks struct {
	mu    sync.Mutex
	calls []string
}

func (f *fakeLinks) DownloadURL(_ context.Context, key, name string, inline bool, ttl time.Duration) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, key)
	u := "https://files.test/" + key + "?ttl=" + ttl.String() + "&name=" + name
	if inline {
		u += "&inline"
	}
	return u, nil
}

// withReads gives the fixture's API the read side's ports (the rating
// service on the fixture's clock, file links, the settings cache) and
// indexes the seeded tickets, as the desk's index consumer would.
func withReads(f *fixture) {
	f.api.Ratings = &appcsat.Service{Store: f.st, Tenant: "acme", Secret: []byte("csat-key"), Now: f.clk.Now}
	f.api.Files = &fakeLinks{}
	f.api.Settings = &settings.Cache{Source: f.st, Now: f.clk.Now, Log: quiet}
	f.index("1", "2", "3")
}

func (f *fixture) index(ids ...string) {
	ix := &index.Service{Store: f.st}
	for _, id := range ids {
		if err := ix.Ticket(context.Background(), id); err != nil {
			panic(err)
		}
	}
}

func (f *fixture) commit(t *testing.T, c ticket.Change, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.Commit(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

func (f *fixture) header(t *testing.T, id string) helpdesk.Ticket {
	t.Helper()
	tk, err := f.st.GetTicketHeader(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tk
}

// openTicket opens ticket id for contact cid (address email) with subject
// and text, and files in its first message, then indexes it.
func (f *fixture) openTicket(t *testing.T, id, cid, email, subject, text string, files ...helpdesk.Attachment) {
	t.Helper()
	at := f.clk.Now()
	m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: mail.ID,
		ProviderMessageID: "m" + id + "@example.com", ReceivedAt: at, Sender: helpdesk.Sender{Email: email}, Subject: subject, Text: text}
	msg := helpdesk.Message{ID: "msg-" + id, Direction: helpdesk.Inbound, ChannelID: mail.ID, ChannelKind: helpdesk.ChannelEmail,
		AuthorContactID: cid, Text: text, CreatedAt: at, Attachments: files}
	c, _ := ticket.Open(ticket.Arrival{ID: id, Inbound: m, Message: msg, Channel: mail, ContactID: cid, SenderKey: m.Sender.Key(m.Channel)},
		helpdesk.DefaultSettings(), at)
	f.commit(t, c, nil)
	f.index(id)
}

var aud = ticket.Audience{"ann": helpdesk.Principal{Agent: ann}}

func (f *fixture) reply(t *testing.T, id, text string) {
	t.Helper()
	c, _, err := ticket.Reply(f.header(t, id), mail, ticket.ReplyInput{AgentID: "ann", Text: text}, f.clk.Now())
	f.commit(t, c, err)
	f.index(id)
}

func (f *fixture) note(t *testing.T, id, text string) {
	t.Helper()
	c, _, err := ticket.Note(f.header(t, id), ticket.NoteInput{AgentID: "ann", Text: text}, aud, f.clk.Now())
	f.commit(t, c, err)
	f.index(id)
}

func (f *fixture) setStatus(t *testing.T, id, status string) {
	t.Helper()
	c, err := ticket.SetStatus(f.header(t, id), status, "ann", aud, helpdesk.DefaultSettings(), f.clk.Now())
	f.commit(t, c, err)
}

func listIDs(t *testing.T, r response) []string {
	t.Helper()
	list, ok := r.body["tickets"].([]any)
	if !ok {
		t.Fatalf("no ticket list: %d %s", r.status, r.raw)
	}
	out := []string{}
	for _, tk := range list {
		out = append(out, tk.(map[string]any)["id"].(string))
	}
	return out
}

// Search: by subject and by the conversation's public text, every word,
// by number; never another customer's ticket, never by a note's words.
func TestSearchOwnTickets(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newPortal(t, b)
		f.clk.Add(time.Hour)
		f.openTicket(t, "4", "c1", "cus1@example.com", "Broken kettle", "The blue kettle leaks since Monday.")
		f.openTicket(t, "5", "c2", "cus2@example.com", "Broken kettle", "My blue kettle leaks as well.")
		f.openTicket(t, "6", "c1", "cus1@example.com", "Invoice copy", "Please send the March invoice again.")
		f.reply(t, "6", "Attached: your invoice for the porcelain teapot.")
		f.note(t, "4", "zebracorn refund approved by finance")
		s1 := f.signIn(t, "cus1@example.com")
		for _, c := range []struct {
			q    string
			want []string
		}{
			{"kettle", []string{"4"}},                 // subject (ticket 5 has it too: cus2's)
			{"leaks", []string{"4"}},                  // the customer's message only
			{"Monday+kettle", []string{"4"}},          // a body word and a subject word
			{"porcelain+teapot", []string{"6"}},       // an agent's reply
			{"question", []string{"3", "1"}},          // the fixture's subjects, newest first
			{"kettle+teapot", []string{}},             // every word must match
			{"zebracorn", []string{}},                 // a note's word finds nothing
			{"refund+finance", []string{}},            // nor do several
			{"INTERNAL", []string{}},                  // the fixture's note
			{"%233", []string{"3"}},                   // by number
			{"5", []string{}},                         // another's number
			{"leaks&status=closed", []string{}},       // with a status
			{"question&status=closed", []string{"3"}}, //
			{"Caf%C3%A9+kettle", []string{}},          // folded, all words
		} {
			r := f.do(t, "GET", "/portal/api/tickets?q="+c.q, s1, "")
			if got := listIDs(t, r); r.status != 200 || !slices.Equal(got, c.want) {
				t.Errorf("q=%s: %d %v, want %v", c.q, r.status, got, c.want)
			}
		}
		for q, reason := range map[string]string{"the": "query_required", strings.Repeat("a", 201): "query_too_long"} {
			if r := f.do(t, "GET", "/portal/api/tickets?q="+q, s1, ""); r.status != 400 || reasonOf(r) != reason {
				t.Errorf("q=%.20s: %d %s, want 400 %s", q, r.status, r.raw, reason)
			}
		}
	})
}

func reasonOf(r response) string { return reason(r) }

// The list and the page say who answered and when, and when a ticket
// waits on the customer (the stage's marker).
func TestWhoAnsweredAndWaitingOnYou(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newPortal(t, b)
		s1 := f.signIn(t, "cus1@example.com")
		byID := func(r response) map[string]map[string]any {
			out := map[string]map[string]any{}
			for _, tk := range r.body["tickets"].([]any) {
				m := tk.(map[string]any)
				out[m["id"].(string)] = m
			}
			return out
		}
		list := byID(f.do(t, "GET", "/portal/api/tickets", s1, ""))
		if one := list["1"]; one["last_reply_by"] != "Ann Agent" || one["last_reply_at"] != t0.Add(5*time.Minute).Format(time.RFC3339) || one["waiting_on_you"] != false {
			t.Fatalf("ticket 1 in the list: %v", one)
		}
		if three := list["3"]; three["last_reply_by"] != nil || three["last_reply_at"] != nil {
			t.Fatalf("ticket 3 (no reply) in the list: %v", three)
		}
		f.clk.Add(time.Minute)
		f.setStatus(t, "1", "waiting_on_contact") // the default pipeline's "waiting on you" stage
		list = byID(f.do(t, "GET", "/portal/api/tickets", s1, ""))
		if list["1"]["waiting_on_you"] != true || list["3"]["waiting_on_you"] != false {
			t.Fatalf("after the move: 1 %v, 3 %v", list["1"], list["3"])
		}
		page := f.do(t, "GET", "/portal/api/tickets/1", s1, "")
		tk := page.body["ticket"].(map[string]any)
		if tk["waiting_on_you"] != true || tk["last_reply_by"] != "Ann Agent" {
			t.Fatalf("the page's ticket: %v", tk)
		}
	})
}

// Attachments the desk keeps get a 5-minute download link; others none.
func TestAttachmentLinks(t *testing.T) {
	f := newPortal(t, testbed.Mem)
	f.openTicket(t, "4", "c1", "cus1@example.com", "Photos", "See attached.",
		helpdesk.Attachment{Name: "photo.jpg", ContentType: "image/jpeg", Size: 1200, Key: "attachments/4/abc/photo.jpg", Inline: true, ContentID: "p1"},
		helpdesk.Attachment{Name: "voice.ogg", ContentType: "audio/ogg", Size: 300, Key: "whatsapp-media:123"},
		helpdesk.Attachment{Name: "shared.png", ContentType: "image/png", Size: 10, URL: "https://provider.example/x.png"})
	s1 := f.signIn(t, "cus1@example.com")
	r := f.do(t, "GET", "/portal/api/tickets/4", s1, "")
	files := r.body["messages"].([]any)[0].(map[string]any)["attachments"].([]any)
	if len(files) != 3 {
		t.Fatalf("attachments: %s", r.raw)
	}
	if u, _ := files[0].(map[string]any)["url"].(string); u != "https://files.test/attachments/4/abc/photo.jpg?ttl=5m0s&name=photo.jpg" {
		t.Errorf("kept file's link %q: want a 5-minute download (never inline)", u)
	}
	for _, fl := range files[1:] {
		if u, ok := fl.(map[string]any)["url"]; ok {
			t.Errorf("%v has a link %v; only files the desk keeps do", fl, u)
		}
	}
	// Without a signer: no links, still the files' names.
	f.api.Files = nil
	r = f.do(t, "GET", "/portal/api/tickets/4", s1, "")
	if strings.Contains(r.raw, `"url"`) || !strings.Contains(r.raw, "photo.jpg") {
		t.Errorf("without a signer: %s", r.raw)
	}
}

// A closed ticket is rated once, within 28 days; an open one is not; a
// rating changes nothing on the ticket; the page shows the state.
func TestRating(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newPortal(t, b)
		s1 := f.signIn(t, "cus1@example.com")
		closedAt := t0.Add(6 * time.Minute)
		page := f.do(t, "GET", "/portal/api/tickets/3", s1, "")
		if page.body["can_rate"] != true || page.body["rate_until"] != closedAt.Add(28*24*time.Hour).Format(time.RFC3339) || page.body["rating"] != nil {
			t.Fatalf("closed, unrated page: %s", page.raw)
		}
		if open := f.do(t, "GET", "/portal/api/tickets/1", s1, ""); open.body["can_rate"] != false || open.body["rate_until"] != nil {
			t.Fatalf("open page: %s", open.raw)
		}
		before := f.header(t, "3")
		for body, want := range map[string]string{`{"score":0}`: "invalid_score", `{"score":3,"comment":"` + strings.Repeat("x", 2001) + `"}`: "invalid_comment",
			`{"score":"5"}`: "invalid_field", `{"score":5,"extra":1}`: "invalid_json"} {
			if r := f.do(t, "POST", "/portal/api/tickets/3/rating", s1, body); r.status != 400 || reason(r) != want {
				t.Errorf("rating %.30s: %d %s, want 400 %s", body, r.status, r.raw, want)
			}
		}
		r := f.do(t, "POST", "/portal/api/tickets/3/rating", s1, `{"score":5,"comment":"  Quick and kind.  "}`)
		if r.status != 201 || r.body["score"] != float64(5) || r.body["comment"] != "Quick and kind." || r.body["rated_at"] != t0.Format(time.RFC3339) {
			t.Fatalf("rating: %d %s", r.status, r.raw)
		}
		if after := f.header(t, "3"); after.Version != before.Version || !after.UpdatedAt.Equal(before.UpdatedAt) || after.Status != before.Status {
			t.Fatalf("the rating changed the ticket: version %d → %d", before.Version, after.Version)
		}
		if r := f.do(t, "POST", "/portal/api/tickets/3/rating", s1, `{"score":1}`); r.status != 409 || reason(r) != "already_rated" {
			t.Fatalf("second rating: %d %s", r.status, r.raw)
		}
		if got, _ := f.st.GetRating(context.Background(), "3"); got.Score != 5 {
			t.Fatalf("the second rating replaced the first: %+v", got)
		}
		page = f.do(t, "GET", "/portal/api/tickets/3", s1, "")
		if page.body["can_rate"] != false || page.body["rating"].(map[string]any)["score"] != float64(5) {
			t.Fatalf("rated page: %s", page.raw)
		}
		if r := f.do(t, "POST", "/portal/api/tickets/1/rating", s1, `{"score":4}`); r.status != 409 || reason(r) != "ticket_open" {
			t.Fatalf("open ticket: %d %s", r.status, r.raw)
		}
		missing := f.do(t, "POST", "/portal/api/tickets/999/rating", s1, `{"score":4}`)
		if r := f.do(t, "POST", "/portal/api/tickets/2/rating", s1, `{"score":4}`); r.status != 404 || r.raw != missing.raw {
			t.Fatalf("another's ticket: %d %s (missing: %s)", r.status, r.raw, missing.raw)
		}

		// 28 days after its closing, a ticket is no longer rated.
		f.clk.Add(time.Hour)
		closing, _ := ticket.ClosingStatus(helpdesk.DefaultSettings(), "support")
		f.setStatus(t, "1", closing)
		f.clk.Add(28*24*time.Hour - time.Second)
		s1 = f.signIn(t, "cus1@example.com") // the first session ended long ago
		if p := f.do(t, "GET", "/portal/api/tickets/1", s1, ""); p.body["can_rate"] != true {
			t.Fatalf("a second before the window ends: %s", p.raw)
		}
		f.clk.Add(time.Second)
		if p := f.do(t, "GET", "/portal/api/tickets/1", s1, ""); p.body["can_rate"] != false || p.body["rate_until"] == nil {
			t.Fatalf("when the window ends: %s", p.raw)
		}
		if r := f.do(t, "POST", "/portal/api/tickets/1/rating", s1, `{"score":4}`); r.status != 409 || reason(r) != "rating_closed" {
			t.Fatalf("after 28 days: %d %s", r.status, r.raw)
		}
	})
}

// The badge: tickets an agent answered since the customer's last visit.
func TestMeAndTheBadge(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newPortal(t, b)
		s1 := f.signIn(t, "cus1@example.com")
		me := f.do(t, "GET", "/portal/api/me", s1, "")
		if me.status != 200 || me.body["name"] != "Cus One" || me.body["email"] != "cus1@example.com" || me.body["replies_since_visit"] != float64(1) || me.body["last_visit_at"] != nil {
			t.Fatalf("before any visit: %d %s", me.status, me.raw)
		}
		f.clk.Add(time.Hour)
		if r := f.do(t, "POST", "/portal/api/me/visit", s1, ""); r.status != 204 {
			t.Fatalf("visit: %d %s", r.status, r.raw)
		}
		visit := f.clk.Now()
		me = f.do(t, "GET", "/portal/api/me", s1, "")
		if me.body["replies_since_visit"] != float64(0) || me.body["last_visit_at"] != visit.Format(time.RFC3339) {
			t.Fatalf("after the visit: %s", me.raw)
		}
		f.clk.Add(time.Minute)
		f.note(t, "1", "a note tells the customer nothing")
		f.reply(t, "2", "cus2's answer") // another customer's
		if me = f.do(t, "GET", "/portal/api/me", s1, ""); me.body["replies_since_visit"] != float64(0) {
			t.Fatalf("a note or another's reply counted: %s", me.raw)
		}
		f.reply(t, "3", "Reopening this for you.")
		f.reply(t, "1", "First answer.")
		f.clk.Add(time.Minute)
		f.reply(t, "1", "Second answer.") // the same ticket counts once
		if me = f.do(t, "GET", "/portal/api/me", s1, ""); me.body["replies_since_visit"] != float64(2) {
			t.Fatalf("two tickets answered: %s", me.raw)
		}
		f.do(t, "POST", "/portal/api/me/visit", s1, "")
		if me = f.do(t, "GET", "/portal/api/me", s1, ""); me.body["replies_since_visit"] != float64(0) {
			t.Fatalf("after the second visit: %s", me.raw)
		}
		if r := f.do(t, "GET", "/portal/api/me", "", ""); r.status != 401 {
			t.Fatalf("signed out: %d", r.status)
		}
		if r := f.do(t, "POST", "/portal/api/me/visit", "", ""); r.status != 401 {
			t.Fatalf("signed out visit: %d", r.status)
		}
	})
}

// The tenant's branding, public: the defaults, then the admin's.
func TestTenantBranding(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newPortal(t, b)
		f.api.Settings = nil // read the table each time
		r := f.do(t, "GET", "/portal/api/tenant", "", "")
		if r.status != 200 || r.raw != `{"name":"Support"}`+"\n" || !strings.Contains(r.header.Get("Cache-Control"), "max-age") {
			t.Fatalf("defaults: %d %s", r.status, r.raw)
		}
		set := helpdesk.DefaultSettings()
		set.Portal = helpdesk.PortalBranding{Name: "Acme Help", LogoURL: "https://cdn.acme.example/logo.svg", PrimaryColor: "#112233", AccentColor: "#AABBCC"}
		if err := f.st.CreateSettingsIfMissing(context.Background(), set); err != nil {
			t.Fatal(err)
		}
		r = f.do(t, "GET", "/portal/api/tenant", "", "")
		if r.body["name"] != "Acme Help" || r.body["logo_url"] != "https://cdn.acme.example/logo.svg" || r.body["primary_color"] != "#112233" || r.body["accent_color"] != "#AABBCC" || len(r.body) != 4 {
			t.Fatalf("branding: %s", r.raw)
		}
	})
}
