package agent_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/index"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// searchDesk adds to the desk, each indexed as the table's stream would:
// contact ana (Ana Lima, ana@example.com, +44 20 7946 0958) with ticket 10
// (team A) and 12 (team B, cat's); tickets 11 and 13 in team A.
func searchDesk(t *testing.T, b testbed.Backend) *fixture {
	f := newDesk(t, b)
	ctx := context.Background()
	ana := helpdesk.Contact{ID: "ana", Name: "Ana Lima", Email: "ana@example.com", Phone: "+44 20 7946 0958", CreatedAt: t0}
	if err := f.st.CreateContact(ctx, ana, "email#ana@example.com"); err != nil {
		t.Fatal(err)
	}
	ix := &index.Service{Store: f.st}
	for _, tk := range []struct{ id, owner, team, contact, subject, text string }{
		{"10", "", "A", "ana", "Printer jammed", "The invoice is late as well."},
		{"11", "", "A", "c11", "Invoice question", "My printer jammed again."},
		{"12", "cat", "B", "ana", "Invoice printer jammed", "Secret team B words: zebra."},
		{"13", "", "A", "c13", "Printer", "Nothing else."},
	} {
		m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: mail.ID,
			ProviderMessageID: "m" + tk.id + "@example.com", ReceivedAt: t0, Sender: helpdesk.Sender{Email: tk.contact + "@example.com"},
			Subject: tk.subject, Text: tk.text}
		msg := helpdesk.Message{ID: "msg-" + tk.id, Direction: helpdesk.Inbound, ChannelID: mail.ID, ChannelKind: helpdesk.ChannelEmail,
			Text: m.Text, CreatedAt: t0}
		c, _ := ticket.Open(ticket.Arrival{ID: tk.id, Inbound: m, Message: msg, Channel: mail, ContactID: tk.contact,
			SenderKey: m.Sender.Key(m.Channel)}, helpdesk.DefaultSettings(), t0)
		c.Ticket().OwnerID, c.Ticket().TeamID = tk.owner, tk.team
		if tk.owner != "" {
			c.Ticket().AssignedAt = t0
		}
		if err := f.st.Commit(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := ix.Ticket(ctx, tk.id); err != nil && tk.contact == "ana" {
			t.Fatal(err)
		}
	}
	return f
}

// results returns the ids of a search's results in order, and what each matched.
func results(t *testing.T, f *fixture, who, q string) ([]string, map[string][]string) {
	t.Helper()
	r := f.do(t, "GET", "/api/search?q="+url.QueryEscape(q), who, "")
	if r.status != 200 {
		t.Fatalf("search %q as %s: %d %s", q, who, r.status, r.raw)
	}
	var ids []string
	matched := map[string][]string{}
	for _, x := range r.body["results"].([]any) {
		res := x.(map[string]any)
		id := res["ticket"].(map[string]any)["id"].(string)
		ids = append(ids, id)
		for _, m := range res["matched"].([]any) {
			matched[id] = append(matched[id], m.(string))
		}
	}
	return ids, matched
}

func TestSearchRanksTickets(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := searchDesk(t, b)
		// The subject beats the body.
		if ids, m := results(t, f, "bob", "invoice"); !slices.Equal(ids, []string{"11", "10"}) || !slices.Contains(m["11"], "subject") || !slices.Contains(m["10"], "message") {
			t.Fatalf("invoice: %v %v, want 11 (subject) before 10 (body)", ids, m)
		}
		// More terms beat fewer, whatever the field; then the subject.
		if ids, _ := results(t, f, "bob", "printer jammed"); !slices.Equal(ids, []string{"10", "11", "13"}) {
			t.Fatalf("printer jammed: %v, want 10, 11, 13", ids)
		}
		// Folded: accents and case do not matter.
		if ids, _ := results(t, f, "bob", "PRÍNTER Jämmed"); !slices.Equal(ids, []string{"10", "11", "13"}) {
			t.Fatalf("folded: %v", ids)
		}
		if ids, m := results(t, f, "bob", "#11"); len(ids) == 0 || ids[0] != "11" || !slices.Contains(m["11"], "ticket_number") {
			t.Fatalf("#11: %v %v", ids, m)
		}
		for q, want := range map[string]string{"ana@example.com": "contact_email", "020 7946 0958": "contact_phone", "+442079460958": "contact_phone", "lima": "contact_name", "Lim": "contact_name"} {
			if ids, m := results(t, f, "bob", q); !slices.Equal(ids, []string{"10"}) || !slices.Contains(m["10"], want) {
				t.Errorf("%q as bob: %v %v, want 10 by %s", q, ids, m, want)
			}
		}
		if ids, _ := results(t, f, "bob", "xylophone"); len(ids) != 0 {
			t.Fatalf("an unknown word found %v", ids)
		}
	})
}

// A ticket outside the caller's access is never a hit, by any way of
// finding it: its words, its number, its contact.
func TestSearchNeverShowsAHiddenTicket(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := searchDesk(t, b)
		for _, q := range []string{"zebra", "12", "#12", "invoice printer jammed", "ana@example.com", "Ana Lima", "07946 0958"} {
			if ids, _ := results(t, f, "bob", q); slices.Contains(ids, "12") {
				t.Errorf("bob (team A) found team B's ticket 12 with %q", q)
			}
			if ids, _ := results(t, f, "ann", q); !slices.Contains(ids, "12") {
				t.Errorf("ann (admin) did not find ticket 12 with %q", q)
			}
		}
		if ids, _ := results(t, f, "cat", "invoice"); !slices.Equal(ids, []string{"12"}) {
			t.Fatalf("cat sees her own only: %v", ids)
		}
		for _, c := range []struct{ q, want string }{{"", "query_required"}, {"!!", "query_required"}, {strings.Repeat("a", 201), "query_too_long"}} {
			if r := f.do(t, "GET", "/api/search?q="+url.QueryEscape(c.q), "bob", ""); r.status != 400 || reason(r) != c.want {
				t.Errorf("q=%.10q: %d %s", c.q, r.status, r.raw)
			}
		}
		if r := f.do(t, "GET", "/api/search?q=x&limit=0", "bob", ""); r.status != 400 || reason(r) != "invalid_limit" {
			t.Errorf("limit 0: %d %s", r.status, r.raw)
		}
	})
}

// Indexing a ticket again (a redelivered stream record, a backfill) writes
// nothing and finds the same.
func TestIndexingIsIdempotent(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := searchDesk(t, b)
		ctx := context.Background()
		before, _ := results(t, f, "ann", "printer")
		if err := (&index.Service{Store: f.st}).Ticket(ctx, "10"); err != nil {
			t.Fatal(err)
		}
		n, err := f.st.IndexTicket(ctx, "10", index.MessageTerms(helpdesk.Message{Text: "The invoice is late as well."}))
		if err != nil || n != 0 {
			t.Fatalf("indexing the same message again wrote %d terms (%v)", n, err)
		}
		if after, _ := results(t, f, "ann", "printer"); !slices.Equal(before, after) {
			t.Fatalf("results changed: %v then %v", before, after)
		}
	})
}

func TestContacts(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := searchDesk(t, b)
		ctx := context.Background()
		other := helpdesk.Contact{ID: "zoe", Name: "Zoé Martin", Email: "zoe@example.com", CreatedAt: t0.Add(1)}
		if err := f.st.CreateContact(ctx, other, "email#zoe@example.com"); err != nil {
			t.Fatal(err)
		}
		ix := &index.Service{Store: f.st}
		_ = ix.Apply(ctx, index.Change{Contact: &other})

		r := f.do(t, "GET", "/api/contacts?limit=1", "vic", "")
		if r.status != 200 || len(r.body["contacts"].([]any)) != 1 || r.body["next"] == nil {
			t.Fatalf("list page 1: %d %s", r.status, r.raw)
		}
		r2 := f.do(t, "GET", "/api/contacts?limit=1&cursor="+r.body["next"].(string), "vic", "")
		if r2.status != 200 || len(r2.body["contacts"].([]any)) != 1 {
			t.Fatalf("list page 2: %d %s", r2.status, r2.raw)
		}
		if r := f.do(t, "GET", "/api/contacts?cursor=forged", "vic", ""); r.status != 400 || reason(r) != "invalid_cursor" {
			t.Fatalf("forged cursor: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "GET", "/api/contacts?q=zoe", "bob", ""); r.status != 200 || len(r.body["contacts"].([]any)) != 1 {
			t.Fatalf("search zoe: %d %s", r.status, r.raw)
		}

		// ana's tickets: bob sees team A's 10, never team B's 12.
		v := f.do(t, "GET", "/api/contacts/ana", "bob", "")
		if v.status != 200 || len(v.body["tickets"].([]any)) != 1 || strings.Contains(v.raw, `"id":"12"`) {
			t.Fatalf("ana as bob: %d %s", v.status, v.raw)
		}
		if v := f.do(t, "GET", "/api/contacts/ana", "ann", ""); len(v.body["tickets"].([]any)) != 2 {
			t.Fatalf("ana as ann: %s", v.raw)
		}
		if r := f.do(t, "GET", "/api/contacts/nobody", "bob", ""); r.status != 404 || reason(r) != "contact_not_found" {
			t.Fatalf("unknown contact: %d %s", r.status, r.raw)
		}

		// Edit: name, phone, owner.
		e := f.do(t, "PATCH", "/api/contacts/ana", "bob", `{"name":"Ana Souza","phone":"+351 912 345 678","owner_id":"bob"}`)
		if e.status != 200 || e.body["contact"].(map[string]any)["owner_id"] != "bob" || e.body["contact"].(map[string]any)["name"] != "Ana Souza" {
			t.Fatalf("edit: %d %s", e.status, e.raw)
		}
		got, _ := f.st.GetContact(ctx, "ana")
		before := helpdesk.Contact{ID: "ana", Name: "Ana Lima", Email: "ana@example.com", Phone: "+44 20 7946 0958"}
		_ = ix.Apply(ctx, index.Change{ContactBefore: &before, Contact: &got})
		if ids, _ := results(t, f, "bob", "souza"); !slices.Equal(ids, []string{"10"}) {
			t.Fatalf("the new name finds %v", ids)
		}
		if ids, _ := results(t, f, "bob", "lima"); len(ids) != 0 {
			t.Fatalf("the old name still finds %v", ids)
		}
		for _, c := range []struct {
			who, body string
			status    int
			want      string
		}{
			{"bob", `{"email":"zoe@example.com"}`, 409, "contact_key_taken"},
			{"bob", `{"email":"not an email"}`, 400, "invalid_email"},
			{"bob", `{"phone":"call me"}`, 400, "invalid_phone"},
			{"bob", `{"owner_id":"vic"}`, 400, "owner_not_assignable"},
			{"bob", `{"owner_id":"dan"}`, 400, "owner_not_assignable"},
			{"bob", `{"owner_id":"nobody"}`, 400, "owner_unknown"},
			{"bob", `{}`, 400, "nothing_to_change"},
			{"bob", `{"name":7}`, 400, "invalid_field"},
			{"vic", `{"name":"x"}`, 403, "viewer_read_only"},
		} {
			if r := f.do(t, "PATCH", "/api/contacts/ana", c.who, c.body); r.status != c.status || reason(r) != c.want {
				t.Errorf("PATCH %s as %s: %d %s, want %d %s", c.body, c.who, r.status, r.raw, c.status, c.want)
			}
		}
		// zoe's email is still hers, and mail from it still finds her.
		if id, err := f.st.FindContactID(ctx, "email#zoe@example.com"); err != nil || id != "zoe" {
			t.Fatalf("zoe's lookup: %q %v", id, err)
		}
		if r := f.do(t, "PATCH", "/api/contacts/ana", "bob", `{"email":"ana.souza@example.com"}`); r.status != 200 {
			t.Fatalf("a free email: %d %s", r.status, r.raw)
		}
		if id, _ := f.st.FindContactID(ctx, "email#ana.souza@example.com"); id != "ana" {
			t.Fatal("the new email does not find ana")
		}
	})
}
