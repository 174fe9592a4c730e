package journeys_test

// Issue 13's ticket surgery journeys: merge then unmerge, split, spam and
// not spam, and bulk delete with the typed count. Each asserts what the
// console shows and what the store holds afterwards.

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/browser"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// mailFrom is a plain customer mail to the demo team address; refs are the
// Message-IDs it answers, oldest first (as a mail client's References).
func mailFrom(s stack, from, msgID, subject, body string, refs ...string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: <%s>\r\n", from, s.demo.EmailAddress, subject, msgID)
	if len(refs) > 0 {
		fmt.Fprintf(&b, "In-Reply-To: <%s>\r\nReferences: <%s>\r\n", refs[len(refs)-1], strings.Join(refs, "> <"))
	}
	fmt.Fprintf(&b, "Date: %s\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n%s\r\n", time.Now().UTC().Format(time.RFC1123Z), body)
	return []byte(b.String())
}

// deliver mails a customer's message in, as SES would.
func deliver(t *testing.T, s stack, from, msgID, subject, body string, refs ...string) {
	t.Helper()
	addr := from
	if i := strings.Index(from, "<"); i >= 0 {
		addr = strings.Trim(from[i:], "<>")
	}
	if err := s.r.DeliverMail(context.Background(), addr, []string{s.demo.EmailAddress}, mailFrom(s, from, msgID, subject, body, refs...)); err != nil {
		t.Fatal(err)
	}
}

// ticketWith waits until the router has made (or grown) the open ticket with
// this subject to messages messages, and returns it.
func ticketWith(t *testing.T, s stack, subject string, messages int) helpdesk.Ticket {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(30 * time.Second)
	for {
		ts, err := s.r.Store.ListTickets(ctx, helpdesk.StateOpen, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, tk := range ts {
			if tk.Subject != subject {
				continue
			}
			// The list index lags the table: read the ticket itself.
			h, err := s.r.Store.GetTicketHeader(ctx, tk.ID)
			if err == nil && h.MessageCount == messages {
				return h
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no open ticket %q with %d messages after 30s", subject, messages)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func header(t *testing.T, s stack, id string) helpdesk.Ticket {
	t.Helper()
	h, err := s.r.Store.GetTicketHeader(context.Background(), id)
	if err != nil {
		t.Fatalf("ticket %s: %v", id, err)
	}
	return h
}

// openTicket opens a ticket's page and waits for its heading.
func openTicket(p *browser.Page, s stack, id, subject string) {
	p.Goto(s.url + "/tickets/" + id)
	p.Wait(browser.RoleMatching("heading", "^"+regexp.QuoteMeta(subject)+` #`+id+"$"))
}

// kbEscape is the Escape key for p.Press (chromedp's kb.Escape).
const kbEscape = "\u001b"

var (
	statusLine  = browser.CSS(`.ticket-actions [role="status"]`)
	refusedLine = browser.CSS(`[data-refused]`)
)

// Merge, then unmerge. Two mails of one customer make two tickets; on the
// first, the agent follows it, finds the second by a word of its subject,
// keeps the second as the primary and merges: the first ticket's page
// follows the 307 to the primary and says so, and the primary shows the
// merged conversation marked with the ticket it came from. Unmerge gives
// the first ticket back its own page.
func TestMergeThenUnmerge(t *testing.T) {
	s, b := start(t)
	ctx := context.Background()
	began := time.Now()
	deliver(t, s, "Ben Ode <ben@example.com>", "merge-a@example.com", "Wallaby lamp broken", "The lamp flickers and died.")
	deliver(t, s, "Ben Ode <ben@example.com>", "merge-b@example.com", "Wallaby lamp refund", "I would like my money back for the lamp.")
	a := ticketWith(t, s, "Wallaby lamp broken", 1)
	bt := ticketWith(t, s, "Wallaby lamp refund", 1)
	alice := s.demo.AgentIDs[0]

	p := b.NewPage()
	signIn(p, s, s.demo.AgentEmails[0])
	openTicket(p, s, a.ID, a.Subject)

	// Follow, then unfollow.
	p.Click(browser.Role("button", "Follow"))
	p.Wait(browser.Role("button", "Unfollow"))
	if f := header(t, s, a.ID).Followers; !slices.Contains(f, alice) {
		t.Fatalf("followers after Follow: %v, want %s", f, alice)
	}
	p.Check("followed")
	p.Click(browser.Role("button", "Unfollow"))
	p.Wait(browser.Role("button", "Follow"))
	if f := header(t, s, a.ID).Followers; slices.Contains(f, alice) {
		t.Fatalf("followers after Unfollow: %v", f)
	}

	// Find the other ticket and keep it as the primary; meanwhile Bob, in
	// another browser, changes that ticket: the merge is refused and shows
	// his change, nothing merged.
	chooseMerge := func() {
		p.Click(browser.Role("button", "Merge…"))
		p.Fill(browser.Label("Ticket number or subject"), "wallaby")
		p.Click(browser.Role("button", "Search"))
		p.Click(browser.Label("#" + bt.ID + " " + bt.Subject))
		p.Click(browser.Label("Keep #" + bt.ID))
		p.WaitText("#" + a.ID + "'s conversation moves into #" + bt.ID)
	}
	chooseMerge()
	p.Check("merge-dialog")
	bob := b.NewPage()
	signIn(bob, s, s.demo.AgentEmails[1])
	openTicket(bob, s, bt.ID, bt.Subject)
	makeUrgent(t, bob)
	p.Click(browser.Role("button", "Merge"))
	p.WaitTextIn(refusedLine, `^Not merged, someone changed these tickets first: .*#`+bt.ID+` is open, .*priority urgent\.$`)
	p.Check("merge-refused")
	if h := header(t, s, a.ID); h.State != helpdesk.StateOpen || h.MergedInto != "" {
		t.Fatalf("a refused merge merged: state %s, merged into %q", h.State, h.MergedInto)
	}
	if h := header(t, s, bt.ID); h.Priority != "urgent" || len(h.MergedFrom) != 0 {
		t.Fatalf("the primary after the refused merge: priority %q, merged from %v", h.Priority, h.MergedFrom)
	}
	// Found again (as it now is), it merges.
	chooseMerge()
	p.Click(browser.Role("button", "Merge"))

	// The merged ticket's page leads to the primary, and says so.
	p.Wait(browser.RoleMatching("heading", "^"+bt.Subject+" #"+bt.ID+"$"))
	p.WaitText("Ticket #" + a.ID + " was merged into this ticket")
	p.Wait(browser.CSS(`[data-from-ticket="` + a.ID + `"]`))
	p.Wait(browser.Role("button", "Unmerge #"+a.ID))
	p.WaitTextIn(browser.CSS(`[data-merged-ticket="`+a.ID+`"]`), `^#`+a.ID+` `+a.Subject+` · 1 message shown`)
	if loc := p.Location(); !strings.Contains(loc, "/tickets/"+bt.ID) {
		t.Fatalf("after the merge the page is %s, want ticket %s", loc, bt.ID)
	}
	p.Check("merged")
	if h := header(t, s, a.ID); h.State != helpdesk.StateMerged || h.MergedInto != bt.ID {
		t.Fatalf("merged ticket in the store: state %s, merged into %q", h.State, h.MergedInto)
	}
	if h := header(t, s, bt.ID); !slices.Contains(h.MergedFrom, a.ID) {
		t.Fatalf("primary in the store: merged from %v, want %s", h.MergedFrom, a.ID)
	}
	conv, err := s.r.Store.GetTicket(ctx, bt.ID)
	if err != nil || len(conv.Messages) != 2 {
		t.Fatalf("the primary's conversation: %d messages (%v), want both mails", len(conv.Messages), err)
	}
	// A link to the merged ticket opens the primary too.
	p.Goto(s.url + "/tickets/" + a.ID)
	p.Wait(browser.RoleMatching("heading", "^"+bt.Subject+" #"+bt.ID+"$"))
	p.WaitText("Ticket #" + a.ID + " was merged into this ticket")

	// Unmerge.
	p.Click(browser.Role("button", "Unmerge #"+a.ID))
	p.WaitTextIn(statusLine, "Unmerged #"+a.ID)
	p.WaitGone(browser.Role("button", "Unmerge #"+a.ID))
	p.WaitGone(browser.CSS(`[data-from-ticket]`))
	p.Check("unmerged")
	if h := header(t, s, a.ID); h.State != helpdesk.StateOpen || h.MergedInto != "" {
		t.Fatalf("unmerged ticket in the store: state %s, merged into %q", h.State, h.MergedInto)
	}
	if h := header(t, s, bt.ID); len(h.MergedFrom) != 0 {
		t.Fatalf("primary in the store after the unmerge: merged from %v", h.MergedFrom)
	}
	openTicket(p, s, a.ID, a.Subject)
	if p.Has(browser.CSS(`[data-merged-notice]`)) {
		t.Error("the unmerged ticket's page still says it was merged")
	}
	p.Narrow()
	p.Wait(browser.Role("button", "Merge…"))
	p.Check("actions-narrow")
	t.Logf("merge-then-unmerge journey: %s", time.Since(began).Round(time.Millisecond))
}

// Split: a customer's thread of three mails is one email ticket; the agent
// chooses the second mail, names the new ticket, and lands on it.
func TestSplit(t *testing.T) {
	s, b := start(t)
	ctx := context.Background()
	began := time.Now()
	from := "Ann Lee <ann@example.com>"
	deliver(t, s, from, "split-1@example.com", "Where is my order?", "First: order 100 has not arrived.")
	old := ticketWith(t, s, "Where is my order?", 1)
	deliver(t, s, from, "split-2@example.com", "Re: Where is my order?", "Second: also, I want to order a blue kettle.", "split-1@example.com")
	ticketWith(t, s, "Where is my order?", 2)
	deliver(t, s, from, "split-3@example.com", "Re: Where is my order?", "Third: order 100 is still missing.", "split-1@example.com", "split-2@example.com")
	ticketWith(t, s, "Where is my order?", 3)

	p := b.NewPage()
	signIn(p, s, s.demo.AgentEmails[0])
	openTicket(p, s, old.ID, old.Subject)
	p.WaitText("Third: order 100 is still missing.")
	choose := func() {
		p.Click(browser.Role("button", "Split…"))
		p.Click(browser.RoleMatching("checkbox", `: Second: also, I want to order a blue kettle\.$`))
		p.Fill(browser.Label("Subject of the new ticket"), "A blue kettle")
	}
	// Bob, in another browser, changes the ticket while the dialog is open:
	// the split is refused (412) and shows his change.
	choose()
	p.Check("split-dialog")
	bob := b.NewPage()
	signIn(bob, s, s.demo.AgentEmails[1])
	openTicket(bob, s, old.ID, old.Subject)
	makeUrgent(t, bob)
	p.Click(browser.Role("button", "Split off"))
	p.WaitTextIn(refusedLine, `^Not split, the ticket changed first: .*#`+old.ID+` is open, .*priority urgent\.$`)
	p.Check("split-refused")
	if h := header(t, s, old.ID); h.MessageCount != 3 {
		t.Fatalf("a refused split moved messages: %d left", h.MessageCount)
	}
	choose()
	p.Click(browser.Role("button", "Split off"))

	p.Wait(browser.RoleMatching("heading", `^A blue kettle #\d+$`))
	p.WaitText("Split off from ticket #" + old.ID)
	p.WaitText("Second: also, I want to order a blue kettle.")
	p.Check("split-new-ticket")
	m := regexp.MustCompile(`/tickets/(\d+)`).FindStringSubmatch(p.Location())
	if m == nil || m[1] == old.ID {
		t.Fatalf("after the split the page is %s", p.Location())
	}
	newID := m[1]

	nc, err := s.r.Store.GetTicket(ctx, newID)
	if err != nil {
		t.Fatal(err)
	}
	if nc.Ticket.Subject != "A blue kettle" || len(nc.Messages) != 1 || nc.Messages[0].ProviderMessageID != "split-2@example.com" {
		t.Fatalf("the new ticket in the store: %q with %d messages %v", nc.Ticket.Subject, len(nc.Messages), ids(nc.Messages))
	}
	oc, err := s.r.Store.GetTicket(ctx, old.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(oc.Messages); len(got) != 2 || got[0] != "split-1@example.com" || got[1] != "split-3@example.com" || oc.Ticket.MessageCount != 2 {
		t.Fatalf("the old ticket in the store holds %v (count %d), want the first and third mails", got, oc.Ticket.MessageCount)
	}
	// The old ticket's page no longer shows the mail split off.
	openTicket(p, s, old.ID, old.Subject)
	p.WaitText("Third: order 100 is still missing.")
	if strings.Contains(p.Text(browser.Role("list", "Conversation")), "blue kettle") {
		t.Error("the old ticket still shows the mail split off")
	}
	t.Logf("split journey: %s", time.Since(began).Round(time.Millisecond))
}

// makeUrgent is another agent setting the open ticket's priority to Urgent,
// once: opening an unread ticket marks it read, which moves its version,
// and the console waits for that before an edit (TicketPage's reading), so
// this change must be saved the first time.
func makeUrgent(t *testing.T, p *browser.Page) {
	t.Helper()
	p.Select(browser.Label("Priority"), "Urgent")
	p.WaitText("Priority saved.")
}

func ids(ms []helpdesk.Message) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.ProviderMessageID)
	}
	return out
}

// Spam and not spam: the agent marks a ticket as spam, blocking its sender;
// the Spam view's count moves; then restores it (the sender stays blocked),
// and deletes it, after a confirmation (Escape backs out of it).
func TestSpamAndNotSpam(t *testing.T) {
	s, b := start(t)
	ctx := context.Background()
	began := time.Now()
	deliver(t, s, "Watch Deals <deals@spam.example>", "spam-1@spam.example", "Cheap watches", "Buy cheap watches now!")
	tk := ticketWith(t, s, "Cheap watches", 1)

	p := b.NewPage()
	signIn(p, s, s.demo.AgentEmails[0])
	spamCount := browser.CSS(`[data-view-count="spam"]`)
	before := count(p, spamCount)
	openTicket(p, s, tk.ID, tk.Subject)
	p.Click(browser.Label("Block the sender too"))
	p.Check("before-spam")
	p.Click(browser.Role("button", "Mark as spam"))
	p.WaitTextIn(statusLine, `Marked as spam\. Blocked deals@spam\.example\.`)
	p.Wait(browser.Role("button", "Not spam"))
	p.WaitText("This ticket is spam")
	p.WaitTextIn(spamCount, fmt.Sprintf(`^%d\b`, before+1))
	p.Check("spam")
	if h := header(t, s, tk.ID); h.State != helpdesk.StateSpam {
		t.Fatalf("in the store the ticket is %s, want spam", h.State)
	}
	blocked, err := s.r.Store.IsBlocked(ctx, "email#deals@spam.example")
	if err != nil || !blocked {
		t.Fatalf("the sender is not blocked in the store (%v)", err)
	}

	p.Click(browser.Role("button", "Not spam"))
	p.WaitTextIn(statusLine, `Restored: not spam\.`)
	p.Wait(browser.Role("button", "Mark as spam"))
	p.WaitTextIn(spamCount, fmt.Sprintf(`^%d\b`, before))
	p.Check("not-spam")
	if h := header(t, s, tk.ID); h.State != helpdesk.StateOpen {
		t.Fatalf("in the store the restored ticket is %s, want open", h.State)
	}
	if blocked, err := s.r.Store.IsBlocked(ctx, "email#deals@spam.example"); err != nil || !blocked {
		t.Fatalf("restoring the ticket unblocked its sender (%v)", err)
	}

	// Deleting asks first: Escape backs out, "Delete for good" deletes.
	deleteDialog := browser.Role("dialog", "Delete ticket #"+tk.ID+"?")
	p.Click(browser.Role("button", "Delete ticket…"))
	p.Wait(deleteDialog)
	p.Check("delete-dialog")
	p.Press(kbEscape)
	p.WaitGone(browser.CSS(`dialog[open]`))
	header(t, s, tk.ID) // still there
	p.Click(browser.Role("button", "Delete ticket…"))
	p.Click(browser.Role("button", "Delete for good"))
	p.Wait(browser.RoleMatching("heading", "^My open$"))
	p.WaitText("Ticket #" + tk.ID + " deleted.")
	p.Check("deleted")
	if _, err := s.r.Store.GetTicketHeader(ctx, tk.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ticket %s after Delete for good: %v, want not found", tk.ID, err)
	}
	p.Goto(s.url + "/tickets/" + tk.ID)
	p.WaitText("No such ticket")
	t.Logf("spam, not-spam and delete journey: %s", time.Since(began).Round(time.Millisecond))
}

// Bulk delete: the agent selects three tickets in All open and must type
// how many they are deleting; a wrong count is refused by the API and shown,
// nothing deleted; the right one deletes the three.
func TestBulkDeleteTypesTheCount(t *testing.T) {
	s, b := start(t)
	ctx := context.Background()
	began := time.Now()
	subjects := []string{"Koala mug chipped", "Koala mug lid", "Koala mug colour"}
	var tickets []helpdesk.Ticket
	for i, subj := range subjects {
		deliver(t, s, fmt.Sprintf("Cara Doe <cara%d@example.com>", i), fmt.Sprintf("bulk-%d@example.com", i), subj, "About my koala mug.")
	}
	for _, subj := range subjects {
		tickets = append(tickets, ticketWith(t, s, subj, 1))
	}

	p := b.NewPage()
	signIn(p, s, s.demo.AgentEmails[0])
	p.Click(browser.Role("link", "All open"))
	for _, subj := range subjects {
		p.WaitText(subj)
	}
	for _, tk := range tickets {
		p.Click(browser.Label("Select ticket " + tk.ID))
	}
	p.Click(browser.Role("button", "Delete selected…"))
	p.Wait(browser.Role("heading", "Delete 3 tickets?"))
	typed := browser.Label("Number of tickets to delete")

	p.Fill(typed, "2")
	p.Check("bulk-delete-dialog")
	p.Click(browser.Role("button", "Delete tickets"))
	p.WaitTextIn(refusedLine, `you confirmed 2 tickets, but 3 are selected: nothing was deleted`)
	p.Check("bulk-delete-wrong-count")
	for _, tk := range tickets {
		header(t, s, tk.ID) // all still there
	}

	retype(p, typed, "3")
	p.Press("\r") // Enter in the field confirms
	p.WaitText("Deleted 3 of 3 tickets.")
	for _, subj := range subjects {
		p.WaitGone(browser.Role("link", subj))
	}
	p.Check("bulk-deleted")
	for _, tk := range tickets {
		if _, err := s.r.Store.GetTicketHeader(ctx, tk.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("ticket %s after the bulk delete: %v, want not found", tk.ID, err)
		}
	}
	t.Logf("bulk delete journey: %s", time.Since(began).Round(time.Millisecond))
}
