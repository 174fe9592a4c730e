package journeys_test

// The everyday journeys of an agent around one ticket (issue 13): open it
// (it becomes read), reply (the reply reaches moto's SES threaded on the
// customer's mail), the customer answers by mail and the answer appears
// without a reload; a note's @mention reaches the mentioned agent's bell in
// another browser context; the keyboard shortcuts.

import (
	"context"
	"fmt"
	"io"
	"net/mail"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/stackdesk/stackdesk/infra/devstack/browser"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// keyboard are the keys the journeys press, as a keyboard sends them.
var keyboard = map[string]struct {
	code, text string
	vk, mods   int64
}{
	"j": {"KeyJ", "j", 74, 0}, "k": {"KeyK", "k", 75, 0}, "o": {"KeyO", "o", 79, 0},
	"r": {"KeyR", "r", 82, 0}, "n": {"KeyN", "n", 78, 0}, "e": {"KeyE", "e", 69, 0},
	"/": {"Slash", "/", 191, 0}, "?": {"Slash", "?", 191, 8},
	"Enter": {"Enter", "\r", 13, 0}, "Escape": {"Escape", "", 27, 0},
	"ArrowDown": {"ArrowDown", "", 40, 0},
}

// hit presses one key as a keyboard does: a keyDown carrying its text (so
// a handler's preventDefault stops the character, as it does for a person;
// p.Press sends the character as a separate event nothing can cancel), then
// a keyUp.
func hit(t *testing.T, p *browser.Page, key string) {
	t.Helper()
	k, ok := keyboard[key]
	if !ok {
		panic("no key " + key)
	}
	down := input.DispatchKeyEventParams{Type: input.DispatchKeyEventTypeKeyDown, Key: key, Code: k.code,
		Text: k.text, UnmodifiedText: k.text, WindowsVirtualKeyCode: k.vk, NativeVirtualKeyCode: k.vk, Modifiers: k.mods}
	if k.text == "" {
		down.Type = input.DispatchKeyEventTypeRawKeyDown
	}
	up := down
	up.Type, up.Text, up.UnmodifiedText = input.DispatchKeyEventTypeKeyUp, "", ""
	ctx, cancel := context.WithTimeout(p.Context(), 5*time.Second)
	defer cancel()
	err := chromedp.Do(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for _, ev := range []input.DispatchKeyEventParams{down, up} {
			if _, err := cdp.Call(ctx, t, input.DispatchKeyEvent, ev); err != nil {
				return err
			}
		}
		return nil
	}))
	if err != nil {
		t.Fatalf("press %s: %v", key, err)
	}
}

// onlyAvailable leaves one demo agent available, so the router assigns
// every new ticket to them (the others are away).
func onlyAvailable(t *testing.T, s stack, id string) {
	t.Helper()
	for _, other := range s.demo.AgentIDs {
		if other == id {
			continue
		}
		if _, err := s.r.Store.SetAway(context.Background(), other, true); err != nil {
			t.Fatal(err)
		}
	}
}

// customerMail delivers a plain-text mail from a customer to the support
// address, as SES would hand it over.
func customerMail(t *testing.T, s stack, from, msgID, subject, body string, headers ...string) {
	t.Helper()
	raw := "From: Ana Lima <" + from + ">\r\nTo: " + s.demo.EmailAddress + "\r\nSubject: " + subject + "\r\n" +
		"Message-ID: <" + msgID + ">\r\nDate: " + time.Now().UTC().Format(time.RFC1123Z) + "\r\n"
	for _, h := range headers {
		raw += h + "\r\n"
	}
	raw += "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n" + body + "\r\n"
	if err := s.r.DeliverMail(context.Background(), from, []string{s.demo.EmailAddress}, []byte(raw)); err != nil {
		t.Fatal(err)
	}
}

// typeInto types text into a field as a person does, key by key (p.Fill
// cannot clear an empty textarea: chromedp.Clear wants its text node).
func typeInto(p *browser.Page, l browser.Locator, text string) {
	p.Click(l)
	p.Press(text)
}

// ticketLink is the list's link to the ticket with this subject.
func ticketLink(subject string) browser.Locator { return browser.Role("link", subject) }

// ticketHeading is the ticket page's heading ("Subject #12").
func ticketHeading(subject string) browser.Locator {
	return browser.RoleMatching("heading", "^"+regexp.QuoteMeta(subject)+` #\d+$`)
}

// rowWeight is the font weight of the first cell of a ticket's row.
func rowWeight(p *browser.Page, id string) string {
	return browser.Eval[string](p, fmt.Sprintf(`getComputedStyle(document.querySelector('tr[data-ticket-id="%s"] td:nth-child(3)')).fontWeight`, id))
}

// ticketID is the number of the ticket the page shows (/tickets/<id>).
func ticketID(t *testing.T, p *browser.Page) string {
	t.Helper()
	m := regexp.MustCompile(`/tickets/(\d+)`).FindStringSubmatch(p.Location())
	if m == nil {
		t.Fatalf("not on a ticket page: %s", p.Location())
	}
	return m[1]
}

// sesMail waits (up to a minute: the outbound sender polls its queue) for
// the mail moto's SES accepted that answers the Message-ID inReplyTo.
func sesMail(t *testing.T, inReplyTo string) *mail.Message {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		raws := testbed.SentMail(t, func(m testbed.SESMessage) bool { return strings.Contains(m.RawData, "<"+inReplyTo+">") })
		for _, raw := range raws {
			m, err := mail.ReadMessage(strings.NewReader(raw))
			if err != nil {
				t.Fatalf("moto holds a mail that does not parse: %v\n%s", err, raw)
			}
			if strings.Contains(m.Header.Get("In-Reply-To"), "<"+inReplyTo+">") {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mail in moto's SES answers <%s> after a minute", inReplyTo)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// Issue 13's third journey. Alice has a new mail in My open, bold; she
// opens it (the "why this owner" panel says the router chose her, the
// others being away), and back in the list it is no longer bold. She
// replies; the reply reaches moto's SES with In-Reply-To and References of
// the customer's Message-ID. The customer answers that reply by mail, and
// the answer appears on the open ticket page without a reload.
func TestOpenReplyAndTheAnswerAppearsLive(t *testing.T) {
	s, b := start(t)
	onlyAvailable(t, s, "alice")
	name := testbed.Name(t)
	first, subject := name+"-1@example.com", "Wombat order "+name+" is late"
	customerMail(t, s, "ana@example.com", first, subject, "My wombat order has not arrived yet.")

	p := b.NewPage()
	signIn(p, s, s.demo.AgentEmails[0]) // alice
	p.Timeout = 20 * time.Second        // the router and the desk clock's poll (5 s)
	p.Wait(ticketLink(subject))
	p.Wait(browser.CSS(`tr[data-unread="true"]`))
	p.Check("my-open-unread")

	began := time.Now()
	p.Click(ticketLink(subject))
	p.Wait(ticketHeading(subject))
	id := ticketID(t, p)
	p.WaitText("My wombat order has not arrived yet.")
	t.Logf("ticket page shown %v after the click", time.Since(began).Round(time.Millisecond))
	p.Wait(browser.Role("heading", "Why this owner"))
	p.WaitText("Assigned to Alice Martin")
	p.Click(browser.CSS("[data-routing] summary"))
	p.WaitText("Bob Chen: away")
	p.Check("ticket-opened")

	p.Click(browser.Role("link", "My open"))
	p.Wait(browser.CSS(`tr[data-ticket-id="` + id + `"][data-unread="false"]`))
	if w := rowWeight(p, id); w == "700" || w == "bold" {
		t.Errorf("the opened ticket is still bold in My open (font-weight %s)", w)
	}
	p.Check("my-open-read")

	p.Click(ticketLink(subject))
	p.Wait(ticketHeading(subject))
	browser.Eval[bool](p, `(window.stayedOnPage = true)`)
	reply := "Sorry for the wait, Ana: your wombat ships today."
	typeInto(p, browser.Label("Reply to the customer"), reply)
	// The invoice goes along: uploaded by the browser straight to the
	// bucket with the API's presigned POST, named in the reply.
	invoice := filepath.Join(t.TempDir(), "invoice-"+name+".txt")
	if err := os.WriteFile(invoice, []byte("Invoice 1042: one wombat, paid.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(p.Context(), 10*time.Second)
	if err := chromedp.Do(ctx, chromedp.SetUploadFiles(chromedp.CSS("#composer-files"), []string{invoice})); err != nil {
		t.Fatalf("choose the file: %v", err)
	}
	cancel()
	p.WaitTextIn(browser.Role("list", "Attached files"), `invoice-`+name+`\.txt \(1 KB\) — ready`)
	p.Check("attached")
	p.Click(browser.Role("button", "Send reply"))
	p.WaitText(reply)
	p.Check("replied")

	began = time.Now()
	sent := sesMail(t, first)
	t.Logf("the reply reached moto's SES %v after it was sent", time.Since(began).Round(10*time.Millisecond))
	if refs := sent.Header.Get("References"); !strings.Contains(refs, "<"+first+">") {
		t.Errorf("the reply's References %q lack the customer's <%s>", refs, first)
	}
	if body, _ := io.ReadAll(sent.Body); !strings.Contains(string(body), "invoice-"+name+".txt") {
		t.Errorf("the reply does not carry the invoice:\n%s", body)
	}
	if to := sent.Header.Get("To"); !strings.Contains(to, "ana@example.com") {
		t.Errorf("the reply goes to %q, not the customer", to)
	}
	replyID := strings.Trim(sent.Header.Get("Message-ID"), "<>")
	if replyID == "" {
		t.Fatal("the reply has no Message-ID")
	}

	// The customer answers the reply, from a mail client that keeps the thread.
	answer := "Thanks, that is great news about the wombat."
	customerMail(t, s, "ana@example.com", name+"-2@example.com", "Re: "+subject, answer,
		"In-Reply-To: <"+replyID+">", "References: <"+first+"> <"+replyID+">")
	began = time.Now()
	p.WaitText(answer)
	t.Logf("the customer's answer appeared %v after it was delivered, without a reload", time.Since(began).Round(10*time.Millisecond))
	if !browser.Eval[bool](p, `window.stayedOnPage === true`) {
		t.Fatal("the page was reloaded")
	}
	p.WaitText("Joined by In-Reply-To")
	p.Check("answer-live")
}

// Issue 13's fourth journey: Alice writes a note mentioning Bob, picking
// him from the list @ opens; Bob, signed in in another browser context,
// sees it in his bell without a reload, and the entry opens the ticket.
func TestMentionNotifiesTheMentionedAgent(t *testing.T) {
	s, b := start(t)
	onlyAvailable(t, s, "alice")
	name := testbed.Name(t)
	subject := "Quokka invoice " + name
	customerMail(t, s, "ben@example.com", name+"-1@example.com", subject, "Where is my invoice?")

	bob := b.NewPage()
	signIn(bob, s, s.demo.AgentEmails[1])
	bob.Timeout = 20 * time.Second
	bell := browser.RoleMatching("button", `^Notifications, \d+ unread$`)
	bob.Wait(bell)
	bob.Check("bob-before")

	alice := b.NewPage()
	signIn(alice, s, s.demo.AgentEmails[0])
	alice.Timeout = 20 * time.Second
	alice.Click(ticketLink(subject))
	alice.Wait(ticketHeading(subject))
	alice.Click(browser.Role("radio", "Note"))
	note := browser.Label("Internal note")
	typeInto(alice, note, "Bob, can you check the invoice? @Bo")
	alice.WaitTextIn(browser.Role("listbox", "Mention an agent"), `^Bob Chen bob@acme\.example$`)
	alice.Check("mention-list")
	hit(t, alice, "Enter") // picks the first (and only) agent listed
	alice.WaitGone(browser.Role("listbox", "Mention an agent"))
	if got := browser.Eval[string](alice, `document.getElementById("composer-text").value`); !strings.HasSuffix(got, "@Bob Chen ") {
		t.Fatalf("the note reads %q after picking Bob", got)
	}
	alice.Click(browser.Role("button", "Add note"))
	alice.WaitText("Bob, can you check the invoice? @Bob Chen")
	alice.Check("note-added")

	began := time.Now()
	bob.Wait(browser.Role("button", "Notifications, 1 unread"))
	t.Logf("Bob's bell moved %v after the note, without a reload", time.Since(began).Round(10*time.Millisecond))
	bob.Click(browser.Role("button", "Notifications, 1 unread"))
	entry := browser.RoleMatching("link", `^Alice Martin mentioned you on #\d+ `+regexp.QuoteMeta(subject)+`$`)
	bob.Wait(entry)
	bob.Check("bob-bell")
	bob.Click(entry)
	bob.Wait(ticketHeading(subject))
	bob.Wait(browser.Role("button", "Notifications, 0 unread"))
	bob.Check("bob-ticket")
	bob.Narrow()
	bob.Click(browser.Role("button", "Notifications, 0 unread"))
	bob.Wait(entry)
	bob.Check("bob-bell-narrow")
}

// The keyboard shortcuts: j/k move in the list, Enter opens, r and n pick
// the composer's mode and focus it, ? shows the help, / focuses search;
// none fires while typing.
func TestKeyboardShortcuts(t *testing.T) {
	s, b := start(t)
	onlyAvailable(t, s, "alice")
	name := testbed.Name(t)
	subjects := []string{"Koala crate " + name, "Emu feathers " + name}
	for i, subj := range subjects {
		customerMail(t, s, "kim@example.com", fmt.Sprintf("%s-%d@example.com", name, i), subj, "Hello.")
	}
	p := b.NewPage()
	signIn(p, s, s.demo.AgentEmails[0])
	p.Timeout = 20 * time.Second
	for _, subj := range subjects {
		p.Wait(ticketLink(subj))
	}
	current := func() string {
		return browser.Eval[string](p, `document.querySelector('tr[data-current="true"]')?.dataset.ticketId ?? ""`)
	}
	focused := func() string {
		return browser.Eval[string](p, `document.activeElement?.closest("tr")?.dataset.ticketId ?? document.activeElement?.id ?? ""`)
	}
	rows := browser.Eval[[]string](p, `[...document.querySelectorAll("table.tickets tbody tr[data-ticket-id]")].map(r => r.dataset.ticketId)`)
	if len(rows) < 2 {
		t.Fatalf("My open has %d rows", len(rows))
	}
	hit(t, p, "j")
	if c, f := current(), focused(); c != rows[0] || f != rows[0] {
		t.Fatalf("after j the current row is %q (focus %q), want the first, %s", c, f, rows[0])
	}
	hit(t, p, "j")
	if c := current(); c != rows[1] {
		t.Fatalf("after j j the current row is %q, want %s", c, rows[1])
	}
	hit(t, p, "k")
	if c := current(); c != rows[0] {
		t.Fatalf("after j j k the current row is %q, want %s", c, rows[0])
	}
	p.Check("list-current")

	hit(t, p, "?")
	p.Wait(browser.Role("dialog", "Keyboard shortcuts"))
	p.Check("help")
	hit(t, p, "Escape") // Escape closes it
	p.WaitGone(browser.CSS("dialog[open]"))

	// Typing in a field is not a shortcut.
	p.Fill(browser.Label("Search tickets"), "jjk?")
	if c := current(); c != rows[0] {
		t.Fatalf("typing j and k in a field moved the current row to %q", c)
	}
	if p.Has(browser.CSS("dialog[open]")) {
		t.Fatal("typing ? in a field opened the help")
	}
	hit(t, p, "Escape") // leaves the field

	hit(t, p, "j")
	hit(t, p, "Enter")
	p.Wait(browser.CSS(`h1[id="ticket-title"]`))
	hit(t, p, "n")
	p.Wait(browser.Label("Internal note"))
	if f := focused(); f != "composer-text" {
		t.Fatalf("after n the focus is on %q, not the composer", f)
	}
	hit(t, p, "Escape")
	hit(t, p, "r")
	p.Wait(browser.Label("Reply to the customer"))
	if f := focused(); f != "composer-text" {
		t.Fatalf("after r the focus is on %q, not the composer", f)
	}
	p.Check("ticket-reply-mode")

	hit(t, p, "Escape")
	hit(t, p, "/")
	if f := focused(); f != "search-box" {
		t.Fatalf("after / the focus is on %q, not the search box", f)
	}
	p.Fill(browser.Label("Search tickets"), "emu")
	hit(t, p, "Enter")
	p.Wait(browser.RoleMatching("heading", `^Search: emu$`))
	p.Wait(ticketLink(subjects[1]))
	p.Check("search")
}

// The Filtered list: an auto-reply is kept out of the tickets and listed
// with its reason; Promote makes it a ticket after all, which shows up in
// the admin's views. And the availability toggle: Alice goes away (routing
// reads it) and comes back.
func TestFilteredMailIsPromotedAndAvailabilityToggles(t *testing.T) {
	s, b := start(t)
	onlyAvailable(t, s, "alice")
	name := testbed.Name(t)
	subject := "Automatic reply: out until Monday " + name
	customerMail(t, s, "ooo@example.com", name+"-1@example.com", subject, "I am out of the office.", "Auto-Submitted: auto-replied")

	p := b.NewPage()
	signIn(p, s, s.demo.AgentEmails[0])
	p.Timeout = 20 * time.Second
	p.Click(browser.Role("link", "Filtered mail"))
	p.Wait(browser.Role("heading", "Filtered mail"))
	promote := browser.RoleMatching("button", `^Promote the mail from ooo@example\.com: `+regexp.QuoteMeta(subject)+`$`)
	// The list is not live (filtered mail moves no ticket): read it again
	// until email-inbound has filtered the mail.
	for deadline := time.Now().Add(20 * time.Second); !p.Has(promote) && time.Now().Before(deadline); {
		time.Sleep(300 * time.Millisecond)
		p.Reload()
		p.Wait(browser.Role("heading", "Filtered mail"))
	}
	p.Wait(promote)
	p.WaitText("auto-submitted: auto-replied")
	p.Check("filtered")
	p.Click(promote)
	p.WaitText("becomes a ticket in moments")
	p.WaitText("Promoted by Alice Martin")
	p.Check("promoted")
	p.Click(browser.Role("link", "All open"))
	p.Wait(ticketLink(subject))
	p.Check("promoted-ticket")

	p.Click(browser.Role("button", "Available (toggle availability)"))
	p.Wait(browser.Role("button", "Away (toggle availability)"))
	if a, err := s.r.Store.GetAgent(context.Background(), "alice"); err != nil || !a.Availability.Away {
		t.Fatalf("alice is not away after the toggle: %+v, %v", a.Availability, err)
	}
	p.Check("away")
	p.Click(browser.Role("button", "Away (toggle availability)"))
	p.Wait(browser.Role("button", "Available (toggle availability)"))
	if a, err := s.r.Store.GetAgent(context.Background(), "alice"); err != nil || a.Availability.Away {
		t.Fatalf("alice is still away after toggling back: %+v, %v", a.Availability, err)
	}
}

// A WhatsApp ticket's composer says how long the reply window stays open
// (24 h from the customer's message) and offers no attachments (the API
// cannot send files on WhatsApp yet); a saved reply is inserted rendered
// for the ticket (the contact's first name, the agent's name), and sent.
func TestWhatsAppReplyWindowAndSavedReply(t *testing.T) {
	s, b := start(t)
	onlyAvailable(t, s, "alice")
	ctx := context.Background()
	now := time.Now().UTC()
	if err := s.r.Store.PutSavedReply(ctx, helpdesk.SavedReply{ID: "thanks", Name: "Thanks for writing", Shared: true, OwnerID: "alice",
		Text: "Hi {{contact.first_name}}, thanks for writing. {{agent.name}}", CreatedAt: now, UpdatedAt: now}); err != nil {
		t.Fatal(err)
	}
	whatsAppWrites(t, s) // Meta's sample, written an hour ago

	p := b.NewPage()
	signIn(p, s, s.demo.AgentEmails[0])
	p.Timeout = 20 * time.Second
	first := browser.CSS(`table.tickets tbody tr[data-ticket-id] a`)
	p.Wait(first)
	p.Click(first)
	p.WaitText("Does it come in another color?")
	p.WaitTextIn(browser.CSS("[data-reply-window]"), `^Reply window: 2[23] h \d+ min left \(closes .+\)\. After it, WhatsApp refuses free-form replies\.$`)
	if p.Has(browser.Label("Attach files")) {
		t.Error("a WhatsApp reply offers attachments, which the API refuses (415)")
	}
	p.Select(browser.Label("Insert saved reply"), "Thanks for writing")
	want := "Hi Sheena, thanks for writing. Alice Martin"
	p.Wait(browser.Label("Reply to the customer"))
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		got := browser.Eval[string](p, `document.getElementById("composer-text").value`)
		if got == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the composer reads %q after inserting the saved reply, want %q", got, want)
		}
	}
	p.Check("whatsapp-window-snippet")
	p.Click(browser.Role("button", "Send reply"))
	p.WaitText("Reply queued.")
	p.WaitTextIn(browser.Role("list", "Conversation"), regexp.QuoteMeta(want))

	// e closes the ticket (not while typing in a field).
	hit(t, p, "e")
	p.WaitTextIn(browser.CSS(".ticket > .conversation > p.muted"), `· closed ·`)
	p.Check("closed-by-e")
}
