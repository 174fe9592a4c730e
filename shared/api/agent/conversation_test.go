package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// fakeFiles stands in for s3files.Links: links name the key, name and
// lifetime they were signed for; Stat answers from objects.
type fakeFiles struct {
	mu      sync.Mutex
	objects map[string]fakeObject
	forms   map[string]string // key → content type a form was given for
}

type fakeObject struct {
	size int64
	typ  string
	meta map[string]string
}

func newFakeFiles() *fakeFiles {
	return &fakeFiles{objects: map[string]fakeObject{}, forms: map[string]string{}}
}

func (f *fakeFiles) DownloadURL(_ context.Context, key, name string, inline bool, ttl time.Duration) (string, error) {
	return fmt.Sprintf("https://files.test/%s?name=%s&inline=%v&ttl=%s", key, url.QueryEscape(name), inline, ttl), nil
}

func (f *fakeFiles) UploadForm(_ context.Context, key, contentType string, maxSize int64, meta map[string]string, ttl time.Duration) (string, map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.forms[key] = contentType
	return "https://files.test/", map[string]string{"key": key, "Content-Type": contentType,
		"x-amz-meta-name": meta["name"], "max": fmt.Sprint(maxSize), "ttl": ttl.String()}, nil
}

func (f *fakeFiles) Stat(_ context.Context, key string) (int64, string, map[string]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.objects[key]
	if !ok {
		return 0, "", nil, fmt.Errorf("%w: %s", helpdesk.ErrNotFound, key)
	}
	return o.size, o.typ, o.meta, nil
}

// put stores an object as an upload form would.
func (f *fakeFiles) put(key string, size int64, typ, name string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.objects[key] = fakeObject{size: size, typ: typ, meta: map[string]string{"name": url.PathEscape(name)}}
}

// openTicket commits a new ticket from contact cid whose first message is
// msg (from the email channel), owned by owner in team.
func openTicket(t *testing.T, f *fixture, id, owner, team, cid string, msg helpdesk.Message) {
	t.Helper()
	m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: mail.ID,
		ProviderMessageID: "m" + id + "@example.com", ReceivedAt: msg.CreatedAt, Sender: helpdesk.Sender{Email: cid + "@example.com"},
		Subject: "Question " + id, Text: msg.Text}
	msg.Direction, msg.ChannelID, msg.ChannelKind, msg.AuthorContactID = helpdesk.Inbound, mail.ID, helpdesk.ChannelEmail, cid
	c, err := ticket.Open(ticket.Arrival{ID: id, Inbound: m, Message: msg, Channel: mail, ContactID: cid,
		SenderKey: m.Sender.Key(m.Channel)}, helpdesk.DefaultSettings(), msg.CreatedAt)
	if err != nil {
		t.Fatal(err)
	}
	c.Ticket().OwnerID, c.Ticket().TeamID = owner, team
	if owner != "" {
		c.Ticket().AssignedAt = msg.CreatedAt
	}
	if err := f.st.Commit(context.Background(), c); err != nil {
		t.Fatal(err)
	}
}

func contact(t *testing.T, f *fixture, id, name string) {
	t.Helper()
	c := helpdesk.Contact{ID: id, Name: name, Email: id + "@example.com", CreatedAt: t0}
	if err := f.st.CreateContact(context.Background(), c, "email#"+c.Email); err != nil {
		t.Fatal(err)
	}
}

// decode re-reads a response body into v.
func decode(t *testing.T, r response, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(r.raw), v); err != nil {
		t.Fatalf("%v: %s", err, r.raw)
	}
}

type ticketPage struct {
	Ticket       struct{ ID string }
	Contacts     []struct{ ID, Name string }
	OtherTickets []struct{ ID string } `json:"other_tickets"`
	Timeline     timelinePage
}

type timelinePage struct {
	Entries []struct {
		Kind    string
		Message *struct {
			ID, Direction, Text, Quoted, HTML, Status string
			TicketIDs                                 string `json:"ticket_id"`
			Channel                                   struct{ ID, Kind string }
			Author                                    struct{ Kind, ID, Name string }
			Attachments                               []struct {
				Name, URL, Note string
				Inline          bool
			}
		}
		Activity *struct{ ID, Kind string }
	}
	Next string
}

func (p timelinePage) ids() []string {
	var out []string
	for _, e := range p.Entries {
		if e.Message != nil {
			out = append(out, e.Message.ID)
		} else {
			out = append(out, e.Activity.ID)
		}
	}
	return out
}

// A ticket's page: the ticket, its contact, the contact's other tickets
// the caller may see (newest first, not the ticket itself), and the first
// page of the timeline, whose message shows its author, channel, quoted
// history apart, and files as links, with cid: images pointing at theirs.
func TestTicketPage(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		contact(t, f, "c7", "Carla")
		openTicket(t, f, "7", "", "A", "c7", helpdesk.Message{ID: "msg-7", CreatedAt: t0.Add(time.Minute),
			Text: "See the logo", Quoted: "> On Monday you wrote:\n> hello",
			HTML: `<p>See <img src="cid:logo%40acme" alt="logo"> and <img src="cid:gone@acme"></p>`,
			Attachments: []helpdesk.Attachment{
				{Name: "logo.png", ContentType: "image/png", Size: 10, Key: "attachments/s1/00-logo.png", ContentID: "logo@acme", Inline: true},
				{Name: "report.pdf", ContentType: "application/pdf", Size: 20, Key: "attachments/s1/01-report.pdf"},
				{Name: "huge.iso", Size: 1 << 30, Note: "not stored: too_large"},
			}})
		openTicket(t, f, "8", "", "B", "c7", helpdesk.Message{ID: "msg-8", CreatedAt: t0.Add(2 * time.Minute), Text: "Another"})
		openTicket(t, f, "9", "", "A", "c7", helpdesk.Message{ID: "msg-9", CreatedAt: t0.Add(3 * time.Minute), Text: "A third"})

		r := f.do(t, "GET", "/api/tickets/7", "bob", "")
		if r.status != 200 || r.header.Get("ETag") == "" {
			t.Fatalf("GET: %d %s", r.status, r.raw)
		}
		var v ticketPage
		decode(t, r, &v)
		if v.Ticket.ID != "7" || len(v.Contacts) != 1 || v.Contacts[0].Name != "Carla" {
			t.Fatalf("ticket %s, contacts %+v", v.Ticket.ID, v.Contacts)
		}
		if len(v.OtherTickets) != 1 || v.OtherTickets[0].ID != "9" {
			t.Fatalf("bob sees other tickets %+v, want only 9 (8 is team B's)", v.OtherTickets)
		}
		var ann ticketPage
		decode(t, f.do(t, "GET", "/api/tickets/7", "ann", ""), &ann)
		if len(ann.OtherTickets) != 2 || ann.OtherTickets[0].ID != "9" || ann.OtherTickets[1].ID != "8" {
			t.Fatalf("ann sees other tickets %+v, want 9 then 8", ann.OtherTickets)
		}

		var msg = v.Timeline.Entries[len(v.Timeline.Entries)-1].Message
		if msg == nil || msg.ID != "msg-7" {
			t.Fatalf("the oldest entry of the first page is not the first message: %s", r.raw)
		}
		if msg.Direction != "in" || msg.Channel.Kind != "email" || msg.Author.Kind != "contact" || msg.Author.Name != "Carla" ||
			msg.Text != "See the logo" || !strings.HasPrefix(msg.Quoted, "> On Monday") {
			t.Fatalf("message %+v", msg)
		}
		logo := "https://files.test/attachments/s1/00-logo.png?name=logo.png&amp;inline=true&amp;ttl=5m0s"
		if !strings.Contains(msg.HTML, `src="`+logo+`"`) || !strings.Contains(msg.HTML, `src="cid:gone@acme"`) {
			t.Fatalf("cid: images not resolved (or an unknown one changed): %s", msg.HTML)
		}
		a := msg.Attachments
		if len(a) != 3 || !a[0].Inline || !strings.HasPrefix(a[1].URL, "https://files.test/attachments/s1/01-report.pdf?") ||
			!strings.Contains(a[1].URL, "inline=false&ttl=5m0s") || a[2].URL != "" || a[2].Note == "" {
			t.Fatalf("attachments %+v", a)
		}

		// A ticket the caller may not see, or none, is a 404 alike.
		for _, c := range []struct{ who, id string }{{"cat", "7"}, {"bob", "8"}, {"bob", "404"}, {"bob", "x"}} {
			if r := f.do(t, "GET", "/api/tickets/"+c.id, c.who, ""); r.status != 404 || reason(r) != "ticket_not_found" {
				t.Errorf("%s GET %s: %d %s", c.who, c.id, r.status, r.raw)
			}
		}
	})
}

// The timeline pages messages, notes and activities in one time order,
// either way, by kind; its cursor is bound to the ticket, kind and order,
// and a changed one is refused.
func TestTimelinePaging(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		for i := range 3 {
			if r := f.do(t, "POST", "/api/tickets/1/notes", "bob", fmt.Sprintf(`{"text":"note %d"}`, i)); r.status != 201 {
				t.Fatalf("note: %d %s", r.status, r.raw)
			}
		}
		if r := f.do(t, "POST", "/api/tickets/1/replies", "bob", `{"text":"hello"}`); r.status != 201 {
			t.Fatalf("reply: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "PATCH", "/api/tickets/1", "bob", `{"priority":"high"}`); r.status != 200 {
			t.Fatalf("edit: %d %s", r.status, r.raw)
		}
		all := func(q string) (ids []string, kinds []string) {
			t.Helper()
			next := ""
			for pages := 0; ; pages++ {
				if pages > 20 {
					t.Fatal("the pages do not end")
				}
				path := "/api/tickets/1/timeline?limit=2" + q
				if next != "" {
					path += "&cursor=" + url.QueryEscape(next)
				}
				r := f.do(t, "GET", path, "bob", "")
				if r.status != 200 {
					t.Fatalf("GET %s: %d %s", path, r.status, r.raw)
				}
				var p timelinePage
				decode(t, r, &p)
				if len(p.Entries) > 2 {
					t.Fatalf("a page of %d", len(p.Entries))
				}
				ids = append(ids, p.ids()...)
				for _, e := range p.Entries {
					kinds = append(kinds, e.Kind)
				}
				if next = p.Next; next == "" {
					return ids, kinds
				}
			}
		}
		newest, kinds := all("")
		oldest, _ := all("&order=oldest")
		if len(newest) < 7 || len(newest) != len(oldest) {
			t.Fatalf("newest %v, oldest %v", newest, oldest)
		}
		for i := range newest {
			if newest[i] != oldest[len(oldest)-1-i] {
				t.Fatalf("newest first %v is not oldest first %v reversed", newest, oldest)
			}
		}
		if newest[len(newest)-1] != "msg-1" || kinds[0] != "activity" {
			t.Fatalf("newest first: %v %v", newest, kinds)
		}
		count := map[string]int{}
		for _, k := range kinds {
			count[k]++
		}
		notes, nk := all("&kind=note")
		if len(notes) != 3 || count["note"] != 3 || strings.Count(strings.Join(nk, ","), "note") != 3 {
			t.Fatalf("notes %v (kinds %v), all kinds %v", notes, nk, count)
		}
		if msgs, _ := all("&kind=message"); len(msgs) != 2 || count["message"] != 2 {
			t.Fatalf("messages %v", msgs)
		}
		if acts, _ := all("&kind=activity"); len(acts) != count["activity"] || len(acts) == 0 {
			t.Fatalf("activities %v, want %d", acts, count["activity"])
		}

		// The reply shows its author and delivery status.
		var p timelinePage
		decode(t, f.do(t, "GET", "/api/tickets/1/timeline?kind=message", "bob", ""), &p)
		if m := p.Entries[0].Message; m.Direction != "out" || m.Author.Kind != "agent" || m.Author.Name != "Bob" || m.Status != "queued" {
			t.Fatalf("reply %+v", m)
		}

		first := f.do(t, "GET", "/api/tickets/1/timeline?limit=1", "bob", "")
		var fp timelinePage
		decode(t, first, &fp)
		tampered := []byte(fp.Next)
		tampered[3] ^= 1
		for _, c := range []struct{ q, want string }{
			{"cursor=" + url.QueryEscape(string(tampered)), "invalid_cursor"},
			{"cursor=" + url.QueryEscape(fp.Next) + "&kind=note", "invalid_cursor"},    // another kind's
			{"cursor=" + url.QueryEscape(fp.Next) + "&order=oldest", "invalid_cursor"}, // another order's
			{"kind=email", "invalid_kind"},
			{"order=up", "invalid_order"},
			{"limit=0", "invalid_limit"},
			{"limit=101", "invalid_limit"},
		} {
			if r := f.do(t, "GET", "/api/tickets/1/timeline?"+c.q, "bob", ""); r.status != 400 || reason(r) != c.want {
				t.Errorf("?%s: %d %s, want 400 %s", c.q, r.status, r.raw, c.want)
			}
		}
		// Another ticket's cursor is refused too.
		if r := f.do(t, "GET", "/api/tickets/3/timeline?cursor="+url.QueryEscape(fp.Next), "bob", ""); r.status != 400 {
			t.Errorf("ticket 1's cursor on ticket 3: %d", r.status)
		}
		for _, c := range []struct{ who, id string }{{"cat", "1"}, {"bob", "2"}, {"bob", "999"}} {
			if r := f.do(t, "GET", "/api/tickets/"+c.id+"/timeline", c.who, ""); r.status != 404 || reason(r) != "ticket_not_found" {
				t.Errorf("%s timeline of %s: %d", c.who, c.id, r.status)
			}
		}
		if r := f.do(t, "GET", "/api/tickets/1/timeline", "", ""); r.status != 401 {
			t.Errorf("signed out: %d", r.status)
		}
	})
}

// A merged ticket's timeline holds the conversations merged into it, each
// message marked with the ticket it came from, in one time order.
func TestMergedTimeline(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		ctx := context.Background()
		openTicket(t, f, "5", "", "A", "c5", helpdesk.Message{ID: "msg-5", CreatedAt: t0.Add(time.Minute), Text: "Later, elsewhere"})
		p, _ := f.st.GetTicketHeader(ctx, "1")
		s, _ := f.st.GetTicketHeader(ctx, "5")
		c, err := ticket.Merge(p, s, "ann", t0.Add(2*time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if err := f.st.Commit(ctx, c); err != nil {
			t.Fatal(err)
		}
		var v timelinePage
		decode(t, f.do(t, "GET", "/api/tickets/1/timeline?kind=message&order=oldest", "bob", ""), &v)
		if got := v.ids(); len(got) != 2 || got[0] != "msg-1" || got[1] != "msg-5" || v.Entries[1].Message.TicketIDs != "5" {
			t.Fatalf("merged timeline %v", got)
		}
		if v.Entries[1].Message.Author.ID != "c5" {
			t.Fatalf("the merged message's author %+v", v.Entries[1].Message.Author)
		}
	})
}

// A message whose body was too large for its item shows its snippet,
// marked truncated, with a signed link to the whole body in the bucket.
func TestTruncatedMessageLinksItsWholeBody(t *testing.T) {
	f := newDesk(t, testbed.Mem)
	contact(t, f, "c7", "Carla")
	key := helpdesk.BodyKey("email", "m7@example.com")
	openTicket(t, f, "7", "", "A", "c7", helpdesk.Message{ID: "msg-7", CreatedAt: t0.Add(time.Minute),
		Text: "The whole log follows…", BodyKey: key, Truncated: true})
	r := f.do(t, "GET", "/api/tickets/7", "bob", "")
	if r.status != 200 {
		t.Fatalf("GET: %d %s", r.status, r.raw)
	}
	var v struct {
		Timeline struct {
			Entries []struct {
				Message *struct {
					Text          string
					Truncated     bool
					BodyURL       string `json:"body_url"`
					BodyExpiresAt string `json:"body_expires_at"`
				}
			}
		}
	}
	decode(t, r, &v)
	m := v.Timeline.Entries[len(v.Timeline.Entries)-1].Message
	want := "https://files.test/" + key + "?name=message-msg-7.json&inline=false&ttl=5m0s"
	if m == nil || !m.Truncated || m.BodyURL != want || m.BodyExpiresAt == "" || m.Text != "The whole log follows…" {
		t.Fatalf("message %+v, want the snippet, truncated, and body_url %s", m, want)
	}
}
