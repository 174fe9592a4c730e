package agent_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	netmail "net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/app/send"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/threading"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

var (
	webForm = helpdesk.Channel{ID: "web", Kind: helpdesk.ChannelForm, Name: "Contact form",
		Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}, Form: &helpdesk.FormSettings{Auth: helpdesk.FormAuthNone}}
	replySecret = []byte("test-reply-token-secret")
)

// formTicket adds ticket id from the web form, in team A, by a contact
// (with that email, "" for none) who exists; the counter moves past it.
func (f *fixture) formTicket(t *testing.T, id, name, email string) {
	t.Helper()
	ctx := context.Background()
	if err := f.st.PutChannel(ctx, webForm); err != nil {
		t.Fatal(err)
	}
	contact := helpdesk.Contact{ID: "contact-" + id, Name: name, Email: email, CreatedAt: t0}
	sender := helpdesk.Sender{Email: email, Name: name}
	if email == "" {
		sender.Email = "nobody-" + id + "@invalid" // the lookup key only
	}
	if err := f.st.CreateContact(ctx, contact, sender.Key(helpdesk.ChannelForm)); err != nil {
		t.Fatal(err)
	}
	m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelForm, ChannelID: webForm.ID,
		ProviderMessageID: "sub-" + id, ReceivedAt: t0, Sender: sender, Subject: "Form " + id, Text: "Please call me"}
	msg := helpdesk.Message{ID: "msg-" + id, Direction: helpdesk.Inbound, ChannelID: webForm.ID, ChannelKind: helpdesk.ChannelForm,
		Text: m.Text, CreatedAt: t0}
	c, _ := ticket.Open(ticket.Arrival{ID: id, Inbound: m, Message: msg, Channel: webForm, ContactID: contact.ID,
		SenderKey: sender.Key(helpdesk.ChannelForm)}, helpdesk.DefaultSettings(), t0)
	c.Ticket().TeamID = "A"
	if err := f.st.Commit(ctx, c); err != nil {
		t.Fatal(err)
	}
}

// skipNumbers moves the ticket counter past the fixture's tickets.
func (f *fixture) skipNumbers(t *testing.T, n int) {
	for range n {
		if _, err := f.st.NextTicketNumber(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

func (f *fixture) jobs(t *testing.T, kind string) []jobs.ReplyEmail {
	t.Helper()
	f.out.mu.Lock()
	defer f.out.mu.Unlock()
	var out []jobs.ReplyEmail
	for _, body := range f.out.jobs {
		var env jobs.Envelope
		if err := json.Unmarshal([]byte(body), &env); err != nil {
			t.Fatal(err)
		}
		if env.Kind != kind {
			continue
		}
		var j jobs.ReplyEmail
		if err := env.Decode(&j); err != nil {
			t.Fatal(err)
		}
		out = append(out, j)
	}
	return out
}

// mailbox is SES: it keeps what it is asked to send.
type mailbox struct {
	mu   sync.Mutex
	sent [][]byte
}

func (m *mailbox) SendRaw(_ context.Context, raw []byte) (string, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, raw)
	return fmt.Sprintf("ses-%d", len(m.sent)), nil
}

// sendJob runs the outbound sender on a reply.email job and returns the
// mail it sent, parsed.
func (f *fixture) sendJob(t *testing.T, j jobs.ReplyEmail) *netmail.Message {
	t.Helper()
	box := &mailbox{}
	s := &send.Sender{Store: f.st, Mailer: box, Tenant: "acme", TokenSecret: replySecret, Now: func() time.Time { return t0 }, Log: quiet}
	body, err := jobs.Encode(jobs.KindReplyEmail, j)
	if err != nil {
		t.Fatal(err)
	}
	var env jobs.Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), env, 1); err != nil {
		t.Fatal(err)
	}
	if len(box.sent) != 1 {
		t.Fatalf("sent %d mails, want 1", len(box.sent))
	}
	m, err := netmail.ReadMessage(strings.NewReader(string(box.sent[0])))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// answer drives a customer's email answering sent through ingest.
func (f *fixture) answer(t *testing.T, sent *netmail.Message, from string) ingest.Result {
	t.Helper()
	svc := &ingest.Service{Store: f.st, Threader: threading.ByChannel(replySecret), Settings: settings.Fixed(helpdesk.DefaultSettings()),
		Now: func() time.Time { return t0.Add(2 * time.Hour) }, Log: quiet, Outbound: f.out}
	id := strings.Trim(sent.Header.Get("Message-Id"), "<>")
	res, err := svc.Apply(context.Background(), &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail,
		ChannelID: mail.ID, ProviderMessageID: "answer-" + id, ReceivedAt: t0.Add(2 * time.Hour), Sender: helpdesk.Sender{Email: from},
		Subject: "Re: " + sent.Header.Get("Subject"), Text: "Thanks!",
		Email: &helpdesk.EmailHeaders{MessageID: "answer-" + id, InReplyTo: []string{id}, To: []string{mail.Email.Address}}})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestBulkChanges(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		ctx := context.Background()
		r := f.do(t, "POST", "/api/tickets/bulk", "ann", `{"ids":["1","2","3","999","x1"],"change":{"owner_id":"bob","priority":"high"}}`)
		if r.status != 200 {
			t.Fatalf("bulk: %d %s", r.status, r.raw)
		}
		res := r.body["results"].([]any)
		for i, want := range []struct {
			id     string
			status float64
		}{{"1", 200}, {"2", 200}, {"3", 200}, {"999", 404}, {"x1", 404}} {
			got := res[i].(map[string]any)
			if got["id"] != want.id || got["status"] != want.status || got["ok"] != (want.status == 200) {
				t.Errorf("result %d: %v, want %s %v", i, got, want.id, want.status)
			}
			if want.status == 200 {
				tk := got["ticket"].(map[string]any)
				if tk["owner_id"] != "bob" || tk["priority"] != "high" || got["etag"] != fmt.Sprintf(`"%v"`, tk["version"]) {
					t.Errorf("ticket %s: %v", want.id, got)
				}
			} else if got["error"].(map[string]any)["reason"] != "ticket_not_found" {
				t.Errorf("ticket %s: %v, want ticket_not_found", want.id, got)
			}
		}
		// bob now owns 1, 2, 3; cat sees none of them any more.
		r = f.do(t, "POST", "/api/tickets/bulk", "cat", `{"ids":["2"],"change":{"status":"closed"}}`)
		if got := r.body["results"].([]any)[0].(map[string]any); r.status != 200 || got["status"] != 404.0 || got["error"].(map[string]any)["reason"] != "ticket_not_found" {
			t.Fatalf("a hidden ticket in a bulk change: %d %s", r.status, r.raw)
		}
		if tk, _ := f.st.GetTicketHeader(ctx, "2"); tk.State != helpdesk.StateOpen {
			t.Fatalf("a hidden ticket was changed: %+v", tk)
		}
		// One ticket's failure undoes no other's: 3 is merged away, 1 still closes.
		d := &desk.Service{Store: f.st, Settings: settings.Fixed(helpdesk.DefaultSettings()), Now: func() time.Time { return t0.Add(time.Hour) }}
		if _, err := d.Merge(ctx, "2", "3", "ann"); err != nil {
			t.Fatal(err)
		}
		r = f.do(t, "POST", "/api/tickets/bulk", "bob", `{"ids":["3","1"],"change":{"status":"closed"}}`)
		res = r.body["results"].([]any)
		if r.status != 200 || res[0].(map[string]any)["status"] != 409.0 || res[1].(map[string]any)["ok"] != true {
			t.Fatalf("a merged ticket among others: %d %s", r.status, r.raw)
		}
		if tk, _ := f.st.GetTicketHeader(ctx, "1"); tk.State != helpdesk.StateClosed {
			t.Fatalf("ticket 1 did not close: %+v", tk)
		}
		// Nothing to change on a ticket is a success, the ticket as it is.
		r = f.do(t, "POST", "/api/tickets/bulk", "bob", `{"ids":["1"],"change":{"status":"closed"}}`)
		if got := r.body["results"].([]any)[0].(map[string]any); got["ok"] != true || got["ticket"].(map[string]any)["state"] != "closed" {
			t.Fatalf("an unchanged ticket: %s", r.raw)
		}

		many := make([]string, 101)
		for i := range many {
			many[i] = fmt.Sprintf("%q", fmt.Sprint(i+1))
		}
		for _, c := range []struct{ who, body, want string }{
			{"ann", `{"ids":["1","1"],"change":{"priority":"low"}}`, "duplicate_id"},
			{"ann", `{"ids":[` + strings.Join(many, ",") + `],"change":{"priority":"low"}}`, "too_many_ids"},
			{"ann", `{"ids":[],"change":{"priority":"low"}}`, "ids_required"},
			{"ann", `{"ids":["1"],"change":{}}`, "change_required"},
			{"ann", `{"ids":["1"]}`, "change_required"},
			{"ann", `{"ids":["1"],"change":{"owner_id":"nobody"}}`, "owner_unknown"},
			{"ann", `{"ids":["1"],"change":{"team_id":"Z"}}`, "team_unknown"},
			{"ann", `{"ids":["1"],"change":{"priority":"asap"}}`, "unknown_priority"},
			{"ann", `{"ids":["1"],"change":{"subject":"x"}}`, "invalid_json"},
			{"ann", `{"ids":["1"],"change":{"owner_id":null,"priority":"low"}}`, "null_value"},
			{"ann", `{"ids":[""],"change":{"priority":"low"}}`, "invalid_id"},
		} {
			if r := f.do(t, "POST", "/api/tickets/bulk", c.who, c.body); r.status != 400 || reason(r) != c.want {
				t.Errorf("bulk %.60s: %d %s, want 400 %s", c.body, r.status, r.raw, c.want)
			}
		}
		if r := f.do(t, "POST", "/api/tickets/bulk", "vic", `{"ids":["1"],"change":{"owner_id":"bob"}}`); r.status != 403 || reason(r) != "viewer_read_only" {
			t.Fatalf("a viewer's bulk assignment: %d %s", r.status, r.raw)
		}
		// The bulk path is not a ticket: other methods are 405, not 404.
		for _, m := range []string{"GET", "PATCH"} {
			req, _ := http.NewRequest(m, f.srv.URL+"/api/tickets/bulk", strings.NewReader(`{}`))
			req.Header.Set("Authorization", "Bearer token-sub-ann")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != 405 || resp.Header.Get("Allow") != "POST" {
				t.Errorf("%s /api/tickets/bulk: %d, Allow %q; want 405 POST", m, resp.StatusCode, resp.Header.Get("Allow"))
			}
		}
	})
}

// A malformed edit is a 400 whatever version its If-Match names (the fuzz
// run found a stale one answered 412 first, once bulk changes moved the
// versions on).
func TestMalformedEditIsRefusedBeforeItsVersion(t *testing.T) {
	f := newDesk(t, testbed.Mem)
	f.do(t, "PATCH", "/api/tickets/1", "ann", `{"priority":"low"}`)
	for _, c := range []struct{ body, want string }{{`{"priority":"asap"}`, "unknown_priority"}, {`{"subject":""}`, "subject_required"}} {
		if r := f.do(t, "PATCH", "/api/tickets/1", "ann", c.body, "If-Match", `"1"`); r.status != 400 || reason(r) != c.want {
			t.Errorf("PATCH %s with a stale If-Match: %d %s, want 400 %s", c.body, r.status, r.raw, c.want)
		}
	}
}

func TestReplyAndClose(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		ctx := context.Background()
		load := func() int {
			loads, err := f.st.Loads(ctx, []string{"bob"}, helpdesk.TypeEmailOther, t0.Add(time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			return loads["bob"].Count
		}
		was := load()
		r := f.do(t, "POST", "/api/tickets/1/replies", "bob", `{"text":"Fixed, closing.","close":true}`)
		if r.status != 201 || r.body["direction"] != "out" || r.header.Get("ETag") != `"2"` {
			t.Fatalf("reply and close: %d %s", r.status, r.raw)
		}
		// One change: the reply, the owner it gave, and the close, one version apart.
		conv, err := f.st.GetTicket(ctx, "1")
		if err != nil || conv.Ticket.State != helpdesk.StateClosed || conv.Ticket.Status != "closed" || conv.Ticket.OwnerID != "bob" || conv.Ticket.Version != 2 {
			t.Fatalf("after reply and close: %+v %v", conv.Ticket, err)
		}
		if len(f.jobs(t, jobs.KindReplyEmail)) != 1 {
			t.Fatalf("published %v", f.out.jobs)
		}
		if now := load(); now != was { // ticket 1 became his and closed in one change: never counted
			t.Fatalf("bob's load %d, want %d", now, was)
		}
		r = f.do(t, "POST", "/api/tickets/3/replies", "bob", `{"text":"Waiting for you","status":"waiting_on_contact"}`)
		if tk, _ := f.st.GetTicketHeader(ctx, "3"); r.status != 201 || tk.Status != "waiting_on_contact" || tk.MessageCount != 2 {
			t.Fatalf("reply with a status: %d %s %+v", r.status, r.raw, tk)
		}
		before, _ := f.st.GetTicketHeader(ctx, "3")
		for _, c := range []struct{ body, want string }{
			{`{"text":"x","status":"done"}`, "unknown_status"},
			{`{"text":"x","status":"closed","close":true}`, "status_or_close"},
			{`{"close":true}`, "text_or_snippet"},
			{`{"text":"x","snippet_id":"s"}`, "text_or_snippet"},
			{`{"text":"x","status":""}`, "status_required"},
		} {
			if r := f.do(t, "POST", "/api/tickets/3/replies", "bob", c.body); r.status != 400 || reason(r) != c.want {
				t.Errorf("reply %s: %d %s, want 400 %s", c.body, r.status, r.raw, c.want)
			}
		}
		if after, _ := f.st.GetTicketHeader(ctx, "3"); after.Version != before.Version {
			t.Fatalf("a refused reply changed the ticket: %d → %d", before.Version, after.Version)
		}
		if r := f.do(t, "POST", "/api/tickets/3/replies", "vic", `{"text":"x","close":true}`); r.status != 404 {
			t.Fatalf("a viewer outside the ticket: %d", r.status)
		}
		if r := f.do(t, "POST", "/api/tickets/1/replies", "vic", `{"text":"x","close":true}`); r.status != 403 || reason(r) != "viewer_read_only" {
			t.Fatalf("a viewer's reply and close: %d %s", r.status, r.raw)
		}
	})
}

// A form ticket is answered by email from the default email channel to the
// contact's address, and the customer's answer joins the same ticket.
func TestFormTicketAnsweredByEmail(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		f.formTicket(t, "10", "Jane Doe", "jane@example.com")
		f.formTicket(t, "11", "No Mail", "")
		r := f.do(t, "POST", "/api/tickets/10/replies", "bob", `{"text":"We will call you."}`)
		if r.status != 201 || r.body["channel_id"] != mail.ID || r.body["channel_kind"] != "email" || r.body["email_message_id"] == nil {
			t.Fatalf("reply to a form ticket: %d %s", r.status, r.raw)
		}
		js := f.jobs(t, jobs.KindReplyEmail)
		if len(js) != 1 || js[0].TicketID != "10" || js[0].MessageID != r.body["id"] {
			t.Fatalf("jobs %+v, want the reply's", js)
		}
		sent := f.sendJob(t, js[0])
		to, _ := netmail.ParseAddress(sent.Header.Get("To"))
		from, _ := netmail.ParseAddress(sent.Header.Get("From"))
		if to == nil || to.Address != "jane@example.com" || from == nil || from.Address != "support@acme.example" ||
			strings.Trim(sent.Header.Get("Message-Id"), "<>") != r.body["email_message_id"] {
			t.Fatalf("the mail: To %q From %q Message-ID %q", sent.Header.Get("To"), sent.Header.Get("From"), sent.Header.Get("Message-Id"))
		}
		res := f.answer(t, sent, "jane@example.com")
		if res.TicketID != "10" || res.Created || res.Reason != threading.ReasonInReplyTo {
			t.Fatalf("the customer's answer: %+v, want it on ticket 10", res)
		}
		if r := f.do(t, "POST", "/api/tickets/11/replies", "bob", `{"text":"Hello"}`); r.status != 400 || reason(r) != "contact_has_no_email" {
			t.Fatalf("a form ticket whose contact has no email: %d %s", r.status, r.raw)
		}
	})
}

func TestSavedReplies(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		f.formTicket(t, "10", "Jane Doe", "jane@example.com")
		r := f.do(t, "POST", "/api/snippets", "bob", `{"name":"Hello","text":"Hi {{contact.first_name}}, {{agent.name}} here about #{{ ticket.number }}."}`)
		if r.status != 201 || r.body["owner_id"] != "bob" || r.body["shared"] != false {
			t.Fatalf("create: %d %s", r.status, r.raw)
		}
		mine := r.body["id"].(string)
		if r := f.do(t, "POST", "/api/snippets", "bob", `{"name":"All","text":"x","shared":true}`); r.status != 403 || reason(r) != "cannot_share" {
			t.Fatalf("an agent's shared snippet: %d %s", r.status, r.raw)
		}
		r = f.do(t, "POST", "/api/snippets", "ann", `{"name":"Bye","text":"Bye from {{agent.name}}","shared":true}`)
		shared := r.body["id"].(string)
		r = f.do(t, "POST", "/api/snippets", "ann", `{"name":"Typo","text":"Hi {{contact.firstname}}"}`)
		if r.status != 400 || reason(r) != "unknown_token" || !strings.Contains(r.raw, "contact.firstname") {
			t.Fatalf("an unknown token: %d %s", r.status, r.raw)
		}
		for _, c := range []struct{ body, want string }{{`{"name":" ","text":"x"}`, "name_required"}, {`{"name":"n","text":""}`, "text_required"}} {
			if r := f.do(t, "POST", "/api/snippets", "bob", c.body); r.status != 400 || reason(r) != c.want {
				t.Errorf("create %s: %d %s", c.body, r.status, r.raw)
			}
		}
		if r := f.do(t, "POST", "/api/snippets", "bob", `{"name":"n","text":"x","shared":null}`); r.status != 400 || reason(r) != "null_value" {
			t.Fatalf("shared null: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/snippets", "vic", `{"name":"n","text":"x"}`); r.status != 403 {
			t.Fatalf("a viewer's snippet: %d", r.status)
		}
		names := func(who string) []string {
			for range 50 { // the list index is eventually consistent on DynamoDB
				r := f.do(t, "GET", "/api/snippets", who, "")
				var out []string
				for _, s := range r.body["snippets"].([]any) {
					out = append(out, s.(map[string]any)["name"].(string))
				}
				if len(out) >= 1 && (who != "bob" || len(out) == 2) {
					return out
				}
				time.Sleep(100 * time.Millisecond)
			}
			return nil
		}
		if got := names("bob"); strings.Join(got, ",") != "Bye,Hello" {
			t.Fatalf("bob's snippets: %v", got)
		}
		if got := names("cat"); strings.Join(got, ",") != "Bye" {
			t.Fatalf("cat's snippets: %v, want only the shared one", got)
		}
		r = f.do(t, "GET", "/api/tickets/10/snippets/"+mine+"/render", "bob", "")
		if r.status != 200 || r.body["text"] != "Hi Jane, Bob here about #10." {
			t.Fatalf("render: %d %s", r.status, r.raw)
		}
		r = f.do(t, "POST", "/api/tickets/10/replies", "bob", `{"snippet_id":"`+mine+`"}`)
		if r.status != 201 || r.body["text"] != "Hi Jane, Bob here about #10." {
			t.Fatalf("reply with a snippet: %d %s", r.status, r.raw)
		}
		// Someone else's personal snippet does not exist for them.
		if r := f.do(t, "GET", "/api/tickets/2/snippets/"+mine+"/render", "cat", ""); r.status != 404 || reason(r) != "snippet_not_found" {
			t.Fatalf("cat rendering bob's snippet: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "GET", "/api/tickets/2/snippets/"+shared+"/render", "bob", ""); r.status != 404 || reason(r) != "ticket_not_found" {
			t.Fatalf("bob rendering on a hidden ticket: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "PUT", "/api/snippets/"+shared, "bob", `{"name":"Mine now","text":"x"}`); r.status != 403 || reason(r) != "cannot_edit_snippet" {
			t.Fatalf("bob editing the shared snippet: %d %s", r.status, r.raw)
		}
		r = f.do(t, "PUT", "/api/snippets/"+mine, "bob", `{"name":"Hello","text":"Hello {{agent.name}}"}`)
		if r.status != 200 || r.body["text"] != "Hello {{agent.name}}" || r.body["id"] != mine {
			t.Fatalf("bob editing his snippet: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "DELETE", "/api/snippets/"+mine, "cat", ""); r.status != 404 {
			t.Fatalf("cat deleting bob's snippet: %d", r.status)
		}
		if r := f.do(t, "DELETE", "/api/snippets/"+mine, "bob", ""); r.status != 204 {
			t.Fatalf("delete: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "DELETE", "/api/snippets/"+mine, "bob", ""); r.status != 404 {
			t.Fatalf("delete again: %d", r.status)
		}
	})
}

func TestCreateTicketByHand(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		f.skipNumbers(t, 3)
		ctx := context.Background()
		loads, _ := f.st.Loads(ctx, []string{"bob"}, helpdesk.TypeEmailOther, t0.Add(time.Hour))
		was := loads["bob"].Count
		r := f.do(t, "POST", "/api/tickets", "bob", `{"type":"email","contact":{"email":"New.Customer@Example.com","name":"New Customer","phone":"+33 1 23"},
			"subject":"Your order","text":"Your order has shipped.","send":true,"team_id":"A","priority":"high"}`)
		if r.status != 201 || r.body["id"] != "4" || r.body["owner_id"] != "bob" || r.body["team_id"] != "A" || r.body["channel_id"] != mail.ID ||
			r.body["priority"] != "high" || r.header.Get("Location") != "/api/tickets/4" {
			t.Fatalf("create and send: %d %s", r.status, r.raw)
		}
		contactID := r.body["contact_id"].(string)
		c, err := f.st.GetContact(ctx, contactID)
		if err != nil || c.Email != "new.customer@example.com" || c.Name != "New Customer" || c.Phone != "+33 1 23" {
			t.Fatalf("the new contact: %+v %v", c, err)
		}
		js := f.jobs(t, jobs.KindReplyEmail)
		if len(js) != 1 || js[0].TicketID != "4" {
			t.Fatalf("jobs %+v, want the first message's", js)
		}
		sent := f.sendJob(t, js[0])
		if to, _ := netmail.ParseAddress(sent.Header.Get("To")); to == nil || to.Address != "new.customer@example.com" {
			t.Fatalf("sent to %q", sent.Header.Get("To"))
		}
		if res := f.answer(t, sent, "new.customer@example.com"); res.TicketID != "4" || res.Created {
			t.Fatalf("the customer's answer: %+v, want it on ticket 4", res)
		}
		if loads, _ := f.st.Loads(ctx, []string{"bob"}, helpdesk.TypeEmailOther, t0.Add(time.Hour)); loads["bob"].Count != was+1 {
			t.Fatalf("bob's load %d, want %d (the new ticket counted)", loads["bob"].Count, was+1)
		}

		// The same address again is the same contact; "other" never sends.
		r = f.do(t, "POST", "/api/tickets", "bob", `{"type":"other","contact":{"email":"new.customer@example.com"},"subject":"Called","text":"Asked about returns."}`)
		if r.status != 201 || r.body["contact_id"] != contactID || r.body["channel_kind"] != "other" || r.body["owner_id"] != nil {
			t.Fatalf("create other: %d %s", r.status, r.raw)
		}
		conv, _ := f.st.GetTicket(ctx, r.body["id"].(string))
		if len(conv.Messages) != 1 || conv.Messages[0].Direction != helpdesk.Inbound || conv.Messages[0].AuthorContactID != contactID ||
			len(f.jobs(t, jobs.KindReplyEmail)) != 1 {
			t.Fatalf("an other ticket's first message: %+v", conv.Messages)
		}
		// It is answered by email, like a form's.
		if r := f.do(t, "POST", "/api/tickets/"+conv.Ticket.ID+"/replies", "ann", `{"text":"Returns are free."}`); r.status != 201 || r.body["channel_id"] != mail.ID {
			t.Fatalf("reply to an other ticket: %d %s", r.status, r.raw)
		}
		r = f.do(t, "POST", "/api/tickets", "ann", `{"type":"email","contact":{"id":"`+contactID+`"},"subject":"Logged","text":"Asked by mail."}`)
		if r.status != 201 || r.body["contact_id"] != contactID || r.body["owner_id"] != nil {
			t.Fatalf("create for a contact by id: %d %s", r.status, r.raw)
		}

		for _, c := range []struct{ who, body, want string }{
			{"bob", `{"type":"other","contact":{"email":"a@example.com"},"subject":"s","text":"t","send":true}`, "cannot_send"},
			{"bob", `{"type":"fax","contact":{"email":"a@example.com"},"subject":"s","text":"t"}`, "unknown_type"},
			{"bob", `{"type":"email","subject":"s","text":"t"}`, "contact_required"},
			{"bob", `{"type":"email","contact":{"id":"x","email":"a@example.com"},"subject":"s","text":"t"}`, "contact_required"},
			{"bob", `{"type":"email","contact":{"id":"nobody"},"subject":"s","text":"t"}`, "contact_not_found"},
			{"bob", `{"type":"email","contact":{"email":"not an address"},"subject":"s","text":"t"}`, "invalid_email"},
			{"bob", `{"type":"email","contact":{"email":"a@example.com"},"subject":" ","text":"t"}`, "subject_required"},
			{"bob", `{"type":"email","contact":{"email":"a@example.com"},"subject":"s","text":"t","owner_id":"nobody"}`, "owner_unknown"},
			{"bob", `{"type":"email","contact":{"email":"a@example.com"},"subject":"s","text":"t","owner_id":"vic"}`, "no_seat"},
			{"bob", `{"type":"email","contact":{"email":"a@example.com"},"subject":"s","text":"t","priority":"asap"}`, "unknown_priority"},
		} {
			if r := f.do(t, "POST", "/api/tickets", c.who, c.body); r.status != 400 || reason(r) != c.want {
				t.Errorf("create %.70s: %d %s, want 400 %s", c.body, r.status, r.raw, c.want)
			}
		}
		if _, err := f.st.FindContactID(ctx, "email#a@example.com"); err == nil {
			t.Fatal("a refused creation created its contact")
		}
		if r := f.do(t, "POST", "/api/tickets", "vic", `{"type":"other","contact":{"email":"a@example.com"},"subject":"s","text":"t"}`); r.status != 403 || reason(r) != "viewer_read_only" {
			t.Fatalf("a viewer creating: %d %s", r.status, r.raw)
		}

		// Two agents creating for one new address at once: one contact.
		var wg sync.WaitGroup
		ids := make([]string, 4)
		for i := range ids {
			wg.Go(func() {
				r := f.do(t, "POST", "/api/tickets", "ann", `{"type":"other","contact":{"email":"race@example.com"},"subject":"s","text":"t"}`)
				if r.status == 201 {
					ids[i] = r.body["contact_id"].(string)
				}
			})
		}
		wg.Wait()
		for _, id := range ids {
			if id == "" || id != ids[0] {
				t.Fatalf("concurrent creations for one address: contacts %v", ids)
			}
		}
	})
}
