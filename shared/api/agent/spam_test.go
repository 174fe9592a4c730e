package agent_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// loadOf is an agent's counted tickets at the desk's clock.
func loadOf(t *testing.T, f *fixture, agentID string) int {
	t.Helper()
	l, err := f.st.Loads(context.Background(), []string{agentID}, helpdesk.TypeEmailOther, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return l[agentID].Count
}

// viewIDs lists the ids of a view's first page as who sees it.
func viewIDs(t *testing.T, f *fixture, who, view string) []string {
	t.Helper()
	r := f.do(t, "GET", "/api/views/"+view+"/tickets?limit=100", who, "")
	if r.status != 200 {
		t.Fatalf("view %s: %d %s", view, r.status, r.raw)
	}
	var out []string
	for _, tk := range r.body["tickets"].([]any) {
		out = append(out, tk.(map[string]any)["id"].(string))
	}
	return out
}

// Spam moves a ticket from the working views to the Spam view, out of its
// owner's count; not spam puts it back. Who lacks the delete permission is
// refused (403 with a reason) on a ticket they see, and told nothing
// (404) of one they do not.
func TestSpamAndNotSpam(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		// newDesk sets owners without counting them: count from here.
		base := loadOf(t, f, "bob")
		if r := f.do(t, "POST", "/api/tickets/3/spam", "bob", `{}`); r.status != 403 || reason(r) != "cannot_mark_spam" {
			t.Errorf("bob (no delete permission) marking his ticket spam: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/2/spam", "bob", `{}`); r.status != 404 || reason(r) != "ticket_not_found" {
			t.Errorf("bob marking a ticket he cannot see: %d %s", r.status, r.raw)
		}
		r := f.do(t, "POST", "/api/tickets/3/spam", "ann", `{}`)
		tk, _ := r.body["ticket"].(map[string]any)
		if r.status != 200 || tk["state"] != "spam" || tk["spam_at"] == nil {
			t.Fatalf("ann marking 3 spam: %d %s", r.status, r.raw)
		}
		if got := viewIDs(t, f, "ann", "spam"); !slices.Equal(got, []string{"3"}) {
			t.Errorf("spam view %v, want [3]", got)
		}
		if got := viewIDs(t, f, "ann", "all_open"); slices.Contains(got, "3") {
			t.Errorf("all_open %v holds the spam ticket", got)
		}
		if l := loadOf(t, f, "bob"); l != base-1 {
			t.Errorf("bob's load with his ticket in spam: %d", l)
		}
		if r := f.do(t, "POST", "/api/tickets/3/spam", "ann", `{"conversations":["99"]}`); r.status != 400 || reason(r) != "unknown_conversation" {
			t.Errorf("an unknown conversation: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/3/not-spam", "bob", ``); r.status != 403 || reason(r) != "cannot_mark_spam" {
			t.Errorf("bob restoring: %d %s", r.status, r.raw)
		}
		r = f.do(t, "POST", "/api/tickets/3/not-spam", "ann", ``)
		if r.status != 200 || r.body["state"] != "open" || r.body["spam_at"] != nil {
			t.Fatalf("not spam: %d %s", r.status, r.raw)
		}
		if l := loadOf(t, f, "bob"); l != base {
			t.Errorf("bob's load after not spam: %d, want %d", l, base)
		}
		if got := viewIDs(t, f, "ann", "spam"); len(got) != 0 {
			t.Errorf("spam view after not spam: %v", got)
		}
	})
}

// A merged ticket's conversations are marked one by one: one leaves the
// ticket where it is, both send it to spam; deleting it deletes the ticket
// merged into it too.
func TestSpamPerConversationAndDeleteOfAMergedTicket(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		if _, err := f.api.Desk.Merge(context.Background(), "3", "1", "ann"); err != nil {
			t.Fatal(err)
		}
		r := f.do(t, "POST", "/api/tickets/3/spam", "ann", `{"conversations":["1"]}`)
		tk, _ := r.body["ticket"].(map[string]any)
		if r.status != 200 || tk["state"] != "open" || fmt.Sprint(tk["spam_conversations"]) != "[1]" {
			t.Fatalf("one conversation of two: %d %s", r.status, r.raw)
		}
		r = f.do(t, "POST", "/api/tickets/3/spam", "ann", `{"conversations":["3"],"block_sender":true}`)
		tk, _ = r.body["ticket"].(map[string]any)
		if r.status != 200 || tk["state"] != "spam" {
			t.Fatalf("both conversations: %d %s", r.status, r.raw)
		}
		// Only the sender of the conversation chosen (3's) is blocked.
		bl := f.do(t, "GET", "/api/blocked-senders", "ann", "")
		if bl.status != 200 || !strings.Contains(bl.raw, `"email#cus3@example.com"`) || strings.Contains(bl.raw, "cus1@") {
			t.Errorf("blocked senders: %d %s", bl.status, bl.raw)
		}
		if r := f.do(t, "DELETE", "/api/tickets/1", "ann", ""); r.status != 409 || reason(r) != "ticket_merged" {
			t.Errorf("deleting the merged ticket alone: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "DELETE", "/api/tickets/3", "ann", ""); r.status != 204 {
			t.Fatalf("delete: %d %s", r.status, r.raw)
		}
		for _, id := range []string{"3", "1"} {
			if r := f.do(t, "GET", "/api/tickets/"+id, "ann", ""); r.status != 404 || reason(r) != "ticket_not_found" {
				t.Errorf("GET %s after the delete: %d %s", id, r.status, r.raw)
			}
			if _, err := f.st.GetTicket(context.Background(), id); err == nil {
				t.Errorf("ticket %s's conversation is still there", id)
			}
		}
		if r := f.do(t, "DELETE", "/api/blocked-senders/"+"email%23cus3%40example.com", "bob", ""); r.status != 403 {
			t.Errorf("bob unblocking: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "DELETE", "/api/blocked-senders/email%23cus3%40example.com", "ann", ""); r.status != 204 {
			t.Errorf("unblocking: %d %s", r.status, r.raw)
		}
		if bl := f.do(t, "GET", "/api/blocked-senders", "ann", ""); strings.Contains(bl.raw, "cus3@") {
			t.Errorf("still blocked: %s", bl.raw)
		}
	})
}

// Deleted is deleted: the ticket answers 404, and no view, count or
// search shows it.
func TestDeletedTicketsAreNowhere(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := accessDesk(t, b)
		base := loadOf(t, f, "cat")
		if ids, _ := results(t, f, "ann", "question"); !slices.Contains(ids, "2") {
			t.Fatalf("search before the delete: %v", ids)
		}
		if r := f.do(t, "DELETE", "/api/tickets/2", "cat", ""); r.status != 403 || reason(r) != "cannot_delete" {
			t.Errorf("cat deleting her own ticket without the permission: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "DELETE", "/api/tickets/2", "ann", ""); r.status != 204 {
			t.Fatalf("delete: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "DELETE", "/api/tickets/2", "ann", ""); r.status != 404 || reason(r) != "ticket_not_found" {
			t.Errorf("deleting again: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "GET", "/api/tickets/2", "ann", ""); r.status != 404 {
			t.Errorf("GET after delete: %d", r.status)
		}
		if r := f.do(t, "GET", "/api/tickets/2/timeline", "ann", ""); r.status != 404 {
			t.Errorf("timeline after delete: %d", r.status)
		}
		if ids, _ := results(t, f, "ann", "question"); slices.Contains(ids, "2") {
			t.Errorf("search after the delete: %v", ids)
		}
		for _, v := range []string{"all_open", "unassigned", "spam", "closed"} {
			if slices.Contains(viewIDs(t, f, "ann", v), "2") {
				t.Errorf("view %s shows the deleted ticket", v)
			}
		}
		if l := loadOf(t, f, "cat"); l != base-1 {
			t.Errorf("cat's load after her ticket was deleted: %d", l)
		}
	})
}

// A bulk delete is confirmed by its number: another number deletes
// nothing (409 naming both); the right one deletes each ticket, and a
// ticket the caller cannot see answers ticket_not_found in its result.
func TestBulkDeleteConfirmation(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		r := f.do(t, "POST", "/api/tickets/delete", "ann", `{"ids":["1","2","3"],"confirm":2}`)
		if r.status != 409 || reason(r) != "confirm_mismatch" || !strings.Contains(r.raw, "2 tickets") || !strings.Contains(r.raw, "3 are selected") {
			t.Fatalf("a wrong count: %d %s", r.status, r.raw)
		}
		if got := viewIDs(t, f, "ann", "all_open"); len(got) != 3 {
			t.Fatalf("a refused bulk delete deleted: %v left", got)
		}
		if r := f.do(t, "POST", "/api/tickets/delete", "ann", `{"ids":["1"]}`); r.status != 400 || reason(r) != "confirm_required" {
			t.Errorf("no confirm: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/delete", "bob", `{"ids":["1","3"],"confirm":2}`); r.status != 403 || reason(r) != "cannot_delete" {
			t.Errorf("bob: %d %s", r.status, r.raw)
		}
		r = f.do(t, "POST", "/api/tickets/delete", "ann", `{"ids":["1","404","3"],"confirm":3}`)
		if r.status != 200 || r.body["deleted"] != float64(2) {
			t.Fatalf("bulk delete: %d %s", r.status, r.raw)
		}
		res := r.body["results"].([]any)
		if st := res[1].(map[string]any)["status"]; st != float64(404) {
			t.Errorf("a missing ticket's result: %v", res[1])
		}
		if got := viewIDs(t, f, "ann", "all_open"); !slices.Equal(got, []string{"2"}) {
			t.Errorf("left after the bulk delete: %v, want [2]", got)
		}
	})
}

// A view is a selection too: its tickets as the caller sees them now,
// confirmed by their number.
func TestBulkDeleteOfAView(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		f := newDesk(t, b)
		if r := f.do(t, "POST", "/api/tickets/3/spam", "ann", `{}`); r.status != 200 {
			t.Fatal(r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/delete", "ann", `{"view":"spam"}`); r.status != 400 || reason(r) != "confirm_required" {
			t.Errorf("a view without confirm: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/delete", "bob", `{"view":"spam","confirm":1}`); r.status != 403 || reason(r) != "cannot_delete" {
			t.Errorf("bob: %d %s", r.status, r.raw)
		}
		if r := f.do(t, "POST", "/api/tickets/delete", "ann", `{"view":"all_open","confirm":1}`); r.status != 409 || reason(r) != "confirm_mismatch" ||
			!strings.Contains(r.raw, "you confirmed 1 tickets, but 2 are selected") {
			t.Errorf("all_open (2 tickets) confirmed as 1: %d %s", r.status, r.raw)
		}
		r := f.do(t, "POST", "/api/tickets/delete", "ann", `{"view":"spam","confirm":1}`)
		if r.status != 200 || r.body["deleted"] != float64(1) {
			t.Fatalf("the spam view: %d %s", r.status, r.raw)
		}
		if got := viewIDs(t, f, "ann", "spam"); len(got) != 0 {
			t.Errorf("spam view after deleting it: %v", got)
		}
		if got := viewIDs(t, f, "ann", "all_open"); len(got) != 2 {
			t.Errorf("all_open after deleting the spam view: %v", got)
		}
	})
}

// 500 tickets deleted in one request on DynamoDB Local: a count one off
// deletes none; the right count deletes all 500, and nothing of them is
// left in any view.
func TestBulkDeleteOf500Tickets(t *testing.T) {
	b := testbed.DynamoDB
	f := newDesk(t, b)
	ctx := context.Background()
	const n = 500
	ids := make([]string, n)
	for i := range n {
		id := fmt.Sprint(1000 + i)
		ids[i] = id
		m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: mail.ID,
			ProviderMessageID: "bulk" + id + "@example.com", ReceivedAt: t0, Sender: helpdesk.Sender{Email: "bulk" + id + "@example.com"},
			Subject: "Newsletter " + id, Text: "Unsubscribe " + id}
		msg := helpdesk.Message{ID: "msg-" + id, Direction: helpdesk.Inbound, ChannelID: mail.ID, ChannelKind: helpdesk.ChannelEmail, Text: m.Text, CreatedAt: t0}
		c, _ := ticket.Open(ticket.Arrival{ID: id, Inbound: m, Message: msg, Channel: mail, ContactID: "cb" + id,
			SenderKey: m.Sender.Key(m.Channel), ThreadKeys: []string{"bulk#" + id}}, helpdesk.DefaultSettings(), t0)
		if err := f.st.Commit(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	body := func(confirm int) string {
		return fmt.Sprintf(`{"ids":["%s"],"confirm":%d}`, strings.Join(ids, `","`), confirm)
	}
	r := f.do(t, "POST", "/api/tickets/delete", "ann", body(n-1))
	if r.status != 409 || reason(r) != "confirm_mismatch" || !strings.Contains(r.raw, "499") || !strings.Contains(r.raw, "500") {
		t.Fatalf("a wrong count: %d %s", r.status, r.raw)
	}
	if _, err := f.st.GetTicketHeader(ctx, ids[0]); err != nil {
		t.Fatalf("a refused bulk delete deleted ticket %s: %v", ids[0], err)
	}
	r = f.do(t, "POST", "/api/tickets/delete", "ann", body(n))
	if r.status != 200 || r.body["deleted"] != float64(n) {
		t.Fatalf("bulk delete of %d: %d deleted=%v", n, r.status, r.body["deleted"])
	}
	for _, id := range ids {
		if _, err := f.st.GetTicketHeader(ctx, id); err == nil {
			t.Fatalf("ticket %s survived the bulk delete", id)
		}
		if _, _, err := f.st.FindThread(ctx, []string{"bulk#" + id}); err == nil {
			t.Fatalf("ticket %s's thread key survived", id)
		}
	}
	if got := viewIDs(t, f, "ann", "all_open"); len(got) != 3 {
		t.Errorf("all_open after deleting 500: %d tickets, want the desk's 3", len(got))
	}
}
