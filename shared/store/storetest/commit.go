package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/routing"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/threading"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// This file holds the cases of Commit: the conditions, all or nothing, and
// every kind of change the ticket model makes, read back.

// create is the change that creates ticket tk with msg, like ticket.Open.
func create(tk helpdesk.Ticket, msg helpdesk.Message, c *helpdesk.Contact, contactKey string, keys []string, dedupe string) ticket.Change {
	tk.ThreadKeys = keys
	ch := ticket.Change{Tickets: []ticket.Write{{After: &tk}}, Messages: []helpdesk.Message{msg},
		Dedupe: &ticket.Dedupe{Key: dedupe, TicketID: tk.ID, MessageID: msg.ID}}
	if c != nil {
		ch.Contact = &ticket.NewContact{Contact: *c, Key: contactKey}
	}
	for _, k := range keys {
		ch.ThreadKeys = append(ch.ThreadKeys, ticket.ThreadKey{Key: k, TicketID: tk.ID})
	}
	return ch
}

func newTicket(id, contactID string) (helpdesk.Ticket, helpdesk.Message) {
	tk := helpdesk.Ticket{
		ID: id, Subject: "Printer on fire", Pipeline: "support", Status: "new", State: helpdesk.StateOpen,
		Type: helpdesk.TypeEmailOther, ChannelID: "web", ChannelKind: helpdesk.ChannelForm,
		ContactID: contactID, Unread: true, MessageCount: 1, CreatedAt: T0, UpdatedAt: T0, Version: 1,
	}
	msg := helpdesk.Message{ID: "m-" + id, TicketID: id, Direction: helpdesk.Inbound, ChannelID: "web",
		ChannelKind: helpdesk.ChannelForm, Text: "It is on fire.", ThreadReason: "new_ticket", CreatedAt: T0,
		Submission: map[string]string{"utm_source": "ad"}}
	return tk, msg
}

func testCreateTicketWritesEverythingAndReadsBack(t *testing.T, f *fixture) {
	s, ctx := f.st, f.ctx
	id, err := s.NextTicketNumber(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if id != "1" {
		t.Fatalf("first ticket number = %s, want 1", id)
	}
	tk, msg := newTicket(id, "c1")
	c := helpdesk.Contact{ID: "c1", Email: "Ann@Example.com", CreatedAt: T0}
	err = s.Commit(ctx, create(tk, msg, &c, "email#ann@example.com", []string{"form#web#s1"}, "web#s1"))
	if err != nil {
		t.Fatal(err)
	}

	conv, err := s.GetTicket(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if conv.Ticket.Subject != tk.Subject || conv.Ticket.State != helpdesk.StateOpen || conv.Ticket.ContactID != "c1" {
		t.Errorf("ticket = %+v", conv.Ticket)
	}
	if len(conv.Messages) != 1 || conv.Messages[0].Text != msg.Text || conv.Messages[0].Submission["utm_source"] != "ad" {
		t.Errorf("messages = %+v", conv.Messages)
	}
	if got, err := s.FindContactID(ctx, "email#ann@example.com"); err != nil || got != "c1" {
		t.Errorf("FindContactID = %q, %v", got, err)
	}
	if got, err := s.GetContact(ctx, "c1"); err != nil || got.Email != "Ann@Example.com" {
		t.Errorf("GetContact = %+v, %v", got, err)
	}
	if got, key, err := s.FindThread(ctx, []string{"nope", "form#web#s1"}); err != nil || got != id || key != "form#web#s1" {
		t.Errorf("FindThread = %q %q %v", got, key, err)
	}
	rec, err := s.FindDedupe(ctx, "web#s1")
	if err != nil || rec.TicketID != id || rec.MessageID != msg.ID || rec.Key != "web#s1" {
		t.Errorf("FindDedupe = %+v, %v", rec, err)
	}
	open, err := s.ListTickets(ctx, helpdesk.StateOpen, 10)
	if err != nil || len(open) != 1 || open[0].ID != id {
		t.Errorf("ListTickets(open) = %+v, %v", open, err)
	}
	if _, err := s.FindDedupe(ctx, "web#other"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FindDedupe of an unknown key = %v, want ErrNotFound", err)
	}
	if _, _, err := s.FindThread(ctx, []string{"nope"}); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("FindThread of an unknown key = %v, want ErrNotFound", err)
	}
}

func testCreateTicketReportsWhichRaceWasLost(t *testing.T, f *fixture) {
	s, ctx := f.st, f.ctx
	tk, msg := newTicket("1", "c1")
	c := helpdesk.Contact{ID: "c1", Email: "ann@example.com", CreatedAt: T0}
	if err := s.Commit(ctx, create(tk, msg, &c, "email#ann@example.com", []string{"thread-a"}, "web#s1")); err != nil {
		t.Fatal(err)
	}
	tk2, msg2 := newTicket("2", "c2")
	c2 := helpdesk.Contact{ID: "c2", Email: "ann@example.com", CreatedAt: T0}
	cases := []struct {
		name string
		nt   ticket.Change
		want error
	}{
		{"same dedupe key", create(tk2, msg2, nil, "", []string{"thread-b"}, "web#s1"), store.ErrDuplicate},
		{"same thread key", create(tk2, msg2, nil, "", []string{"thread-a"}, "web#s2"), store.ErrThreadTaken},
		{"same contact key, new contact", create(tk2, msg2, &c2, "email#ann@example.com", []string{"thread-b"}, "web#s2"), store.ErrContactTaken},
		{"same ticket id", create(tk, msg2, nil, "", []string{"thread-b"}, "web#s2"), store.ErrVersionChanged},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := s.Commit(ctx, tc.nt)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if _, err := s.GetTicket(ctx, "2"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("ticket 2 exists after a failed create: %v", err)
			}
			if id, _, err := s.FindThread(ctx, []string{"thread-b"}); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("thread-b leads to %q after a failed create (%v)", id, err)
			}
			if _, err := s.FindDedupe(ctx, "web#s2"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("dedupe web#s2 exists after a failed create: %v", err)
			}
		})
	}
	if got := f.conv("1"); len(got.Messages) != 1 || got.Ticket.Version != 1 {
		t.Fatalf("ticket 1 changed by failed creates: %+v, %d messages", got.Ticket, len(got.Messages))
	}
}

func testAppendIsIdempotentAndConditionedOnTheVersion(t *testing.T, f *fixture) {
	s, ctx := f.st, f.ctx
	tk, msg := newTicket("1", "c1")
	c := helpdesk.Contact{ID: "c1", Email: "ann@example.com", CreatedAt: T0}
	if err := s.Commit(ctx, create(tk, msg, &c, "email#ann@example.com", []string{"thread-a"}, "d1")); err != nil {
		t.Fatal(err)
	}
	later := T0.Add(time.Hour)
	reply := helpdesk.Message{ID: "m-2", Direction: helpdesk.Inbound, Text: "Still burning", CreatedAt: later}
	cur, err := s.GetTicketHeader(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	app, err := ticket.Append(cur, reply, "email#ann@example.com", []string{"thread-c", "thread-a", "thread-c"}, nil, helpdesk.DefaultSettings(), later)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(app.ThreadKeys); n != 1 {
		t.Fatalf("append registers %d thread keys, want 1 (thread-a is the ticket's, thread-c named twice)", n)
	}
	app.Dedupe = &ticket.Dedupe{Key: "d2", TicketID: "1", MessageID: reply.ID}
	if err := s.Commit(ctx, app); err != nil {
		t.Fatal(err)
	}
	if err := s.Commit(ctx, app); !errors.Is(err, store.ErrDuplicate) {
		t.Fatalf("second append: err = %v, want ErrDuplicate", err)
	}
	app.Dedupe.Key, app.Messages[0].ID = "d3", "m-3"
	if err := s.Commit(ctx, app); !errors.Is(err, store.ErrVersionChanged) {
		t.Fatalf("append decided on a stale version: err = %v, want ErrVersionChanged", err)
	}
	conv, err := s.GetTicket(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	if len(conv.Messages) != 2 || conv.Ticket.MessageCount != 2 || conv.Ticket.Version != 2 ||
		!conv.Ticket.LastCustomerMessageAt.Equal(later) || !conv.Ticket.UpdatedAt.Equal(later) {
		t.Fatalf("after append: ticket %+v, %d messages", conv.Ticket, len(conv.Messages))
	}
	if id, _, err := s.FindThread(ctx, []string{"thread-c"}); err != nil || id != "1" {
		t.Fatalf("new thread key: %q %v", id, err)
	}
	if _, err := s.GetTicketHeader(ctx, "404"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a missing ticket: err = %v, want ErrNotFound", err)
	}
	if _, err := s.GetTicket(ctx, "404"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("a missing ticket's conversation: err = %v, want ErrNotFound", err)
	}
}

// Sixteen writers race to create a ticket for the same thread key: the
// store's conditions must let exactly one win and tell every other one why
// it lost.
func testConcurrentCreatesWithOneThreadKeyYieldOneTicket(t *testing.T, f *fixture) {
	s, ctx := f.st, f.ctx
	const n = 16
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := fmt.Sprint(i + 1)
			tk, msg := newTicket(id, "c"+id)
			c := helpdesk.Contact{ID: "c" + id, Email: fmt.Sprintf("u%d@example.com", i), CreatedAt: T0}
			<-start
			errs[i] = s.Commit(ctx, create(tk, msg, &c, "email#"+c.Email, []string{"same-thread"}, "d"+id))
		}()
	}
	close(start)
	wg.Wait()
	won := 0
	for i, err := range errs {
		switch {
		case err == nil:
			won++
		case errors.Is(err, store.ErrThreadTaken), errors.Is(err, store.ErrContention):
		default:
			t.Errorf("writer %d: unexpected error %v", i, err)
		}
	}
	if won != 1 {
		t.Fatalf("%d writers created a ticket, want exactly 1", won)
	}
	open, err := s.ListTickets(ctx, helpdesk.StateOpen, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(open) != 1 {
		t.Fatalf("%d tickets in the table, want 1", len(open))
	}
}

// A change is written whole or not at all, and a refused one says why, in
// the store's order of precedence when several conditions fail at once:
// duplicate, thread taken, contact taken, load changed, version changed.
func testCommitIsAllOrNothing(t *testing.T, f *fixture) {
	ann, bob := agent("ann"), agent("bob")
	ann.Notify.EmailOnAssignment = true
	for _, a := range []helpdesk.Agent{ann, bob} {
		if err := f.st.PutAgent(f.ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	f.open("1", "one@example.com", T0, "key-1")
	// Ticket 2 holds what the failing changes collide with: a thread key,
	// a contact key, a dedupe record, a message, and ann's load.
	two := f.arrival("2", "taken@example.com", T0, "taken")
	route(&two, ann, nil, T0)
	f.commit(two)
	annLoad := f.load("ann")
	if annLoad.Count != 1 {
		t.Fatalf("ann's load after routing ticket 2 to her: %+v", annLoad)
	}
	now := T0.Add(time.Hour)

	// The change: ticket 1 assigned to ann (a notification, a timeline
	// entry, an email job, her load +1 conditioned on what was read) with
	// a customer's message, its dedupe record, a new contact and a new
	// thread key.
	change := func() ticket.Change {
		c, err := ticket.Assign(f.header("1"), &ann, "", "bob", now)
		if err != nil {
			t.Fatal(err)
		}
		l := annLoad
		c.Loads[0].Expect = &l
		c.Messages = []helpdesk.Message{{ID: "m-new", TicketID: "1", Direction: helpdesk.Inbound, ChannelID: "web",
			ChannelKind: helpdesk.ChannelForm, Text: "hello again", ThreadReason: "same", CreatedAt: now}}
		c.Dedupe = &ticket.Dedupe{Key: "web#new", TicketID: "1", MessageID: "m-new"}
		c.Contact = &ticket.NewContact{Contact: helpdesk.Contact{ID: "c-new", Email: "new@example.com", CreatedAt: now}, Key: "email#new@example.com"}
		c.ThreadKeys = append(c.ThreadKeys, ticket.ThreadKey{Key: "key-new", TicketID: "1"})
		return c
	}
	if len(change().Loads) != 1 || len(change().Notifications) != 1 || len(change().Jobs) != 1 || len(change().Activities) != 1 {
		t.Fatalf("the assignment decides %+v", change())
	}
	stale := func(c *ticket.Change) { c.Tickets[0].Before.Version-- }
	dupDedupe := func(c *ticket.Change) { c.Dedupe.Key = store.DedupeKey("web", "pm-2") }
	dupMessage := func(c *ticket.Change) {
		m := f.conv("2").Messages[0]
		c.Messages = append(c.Messages, m)
	}
	threadTaken := func(c *ticket.Change) {
		c.ThreadKeys = append(c.ThreadKeys, ticket.ThreadKey{Key: "taken", TicketID: "1"})
	}
	contactTaken := func(c *ticket.Change) { c.Contact.Key = "email#taken@example.com" }
	loadChanged := func(c *ticket.Change) { c.Loads[0].Expect.Version-- }
	cases := []struct {
		name   string
		breaks []func(*ticket.Change)
		want   error
	}{
		{"stale version", []func(*ticket.Change){stale}, store.ErrVersionChanged},
		{"dedupe exists", []func(*ticket.Change){dupDedupe}, store.ErrDuplicate},
		{"message exists", []func(*ticket.Change){dupMessage}, store.ErrDuplicate},
		{"thread key taken", []func(*ticket.Change){threadTaken}, store.ErrThreadTaken},
		{"contact key taken", []func(*ticket.Change){contactTaken}, store.ErrContactTaken},
		{"load changed", []func(*ticket.Change){loadChanged}, store.ErrLoadChanged},
		{"duplicate before the version", []func(*ticket.Change){stale, dupDedupe}, store.ErrDuplicate},
		{"duplicate before a thread", []func(*ticket.Change){threadTaken, dupMessage}, store.ErrDuplicate},
		{"thread before the contact", []func(*ticket.Change){contactTaken, threadTaken}, store.ErrThreadTaken},
		{"contact before the load", []func(*ticket.Change){loadChanged, contactTaken}, store.ErrContactTaken},
		{"load before the version", []func(*ticket.Change){stale, loadChanged}, store.ErrLoadChanged},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := change()
			for _, b := range tc.breaks {
				b(&c)
			}
			wantErr(t, "commit", f.st.Commit(f.ctx, c), tc.want)
			f.wantUntouched(t, annLoad)
		})
	}

	// Unbroken, it is written whole.
	f.commit(change())
	conv := f.conv("1")
	if conv.Ticket.OwnerID != "ann" || conv.Ticket.Version != 2 || len(conv.Messages) != 2 || len(conv.Activities) != 1 {
		t.Fatalf("after the change: %+v, %d messages, %d activities", conv.Ticket, len(conv.Messages), len(conv.Activities))
	}
	if l := f.load("ann"); l.Count != 2 || l.Version != annLoad.Version+1 {
		t.Fatalf("ann's load %+v, want 2 at version %d", l, annLoad.Version+1)
	}
	if _, err := f.st.FindDedupe(f.ctx, "web#new"); err != nil {
		t.Fatal(err)
	}
	if id, err := f.st.FindContactID(f.ctx, "email#new@example.com"); err != nil || id != "c-new" {
		t.Fatalf("new contact: %q %v", id, err)
	}
	if f.owner("key-new") != "1" || len(f.notes(helpdesk.AgentRecipient("ann"))) != 2 {
		t.Fatalf("thread key leads to %q; ann has %d notifications", f.owner("key-new"), len(f.notes(helpdesk.AgentRecipient("ann"))))
	}
	if box, err := f.st.PendingOutbox(f.ctx, "1"); err != nil || len(box) != 1 {
		t.Fatalf("outbox %v, %v", box, err)
	}
}

// wantUntouched checks that nothing of testCommitIsAllOrNothing's change
// was written.
func (f *fixture) wantUntouched(t *testing.T, annLoad routing.Load) {
	t.Helper()
	conv := f.conv("1")
	if conv.Ticket.Version != 1 || conv.Ticket.OwnerID != "" || len(conv.Messages) != 1 || len(conv.Activities) != 0 || len(conv.Ticket.Outbox) != 0 {
		t.Errorf("ticket 1 changed: %+v, %d messages, %d activities", conv.Ticket, len(conv.Messages), len(conv.Activities))
	}
	if l := f.load("ann"); l.Count != annLoad.Count || l.Version != annLoad.Version {
		t.Errorf("ann's load %+v, want %+v", l, annLoad)
	}
	if _, err := f.st.FindDedupe(f.ctx, "web#new"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("dedupe record written: %v", err)
	}
	if _, err := f.st.FindContactID(f.ctx, "email#new@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("contact key written: %v", err)
	}
	if _, err := f.st.GetContact(f.ctx, "c-new"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("contact written: %v", err)
	}
	if owner := f.owner("key-new"); owner != "" {
		t.Errorf("thread key written, to %s", owner)
	}
	if owner := f.owner("taken"); owner != "2" {
		t.Errorf("ticket 2's thread key leads to %q", owner)
	}
	if n := len(f.notes(helpdesk.AgentRecipient("ann"))); n != 1 {
		t.Errorf("ann has %d notifications, want 1 (ticket 2's)", n)
	}
}

// Changes the table refuses for what the contract does not name are
// refused by every store, and write nothing: one over the transaction
// limit, one writing an item twice, one creating a timeline entry or a
// contact that exists, one repeating a value of a ticket's sets.
func testRefusedChangesWriteNothing(t *testing.T, f *fixture) {
	f.open("1", "one@example.com", T0)
	now := T0.Add(time.Minute)
	note := func() ticket.Change {
		c, _, err := ticket.Note(f.header("1"), ticket.NoteInput{AgentID: "ann", Text: "internal"}, nil, now)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	n := helpdesk.Notification{ID: "n1", Recipient: helpdesk.AgentRecipient("ann"), Kind: helpdesk.NotifyAssigned, TicketID: "1", At: now}

	large := note()
	for i := range 99 { // with the ticket and the note: 101 items
		n := n
		n.ID = fmt.Sprintf("n%03d", i)
		large.Notifications = append(large.Notifications, n)
	}
	err := f.st.Commit(f.ctx, large)
	if !helpdesk.IsCode(err, helpdesk.EInvalid) || helpdesk.ErrorReason(err) != "change_too_large" {
		t.Errorf("a change of 101 items: err = %v, want EInvalid change_too_large", err)
	}
	limit := note()
	limit.Notifications = large.Notifications[:98] // 100 items
	if err := f.st.Commit(f.ctx, limit); err != nil {
		t.Fatalf("a change of 100 items: %v", err)
	}
	if got := len(f.notes(helpdesk.AgentRecipient("ann"))); got != 98 {
		t.Fatalf("%d notifications after the 100-item change, want 98", got)
	}

	twice := note()
	twice.Notifications = []helpdesk.Notification{n, n}
	if err := f.st.Commit(f.ctx, twice); err == nil || ticket.Lost(err) {
		t.Errorf("a change writing one notification twice: err = %v, want a refusal", err)
	}

	entry := f.conv("1")
	redo := note()
	act := helpdesk.Activity{ID: "a1", TicketID: "1", Kind: helpdesk.ActivitySpam, ActorID: "ann", At: now}
	first := redo
	first.Activities = []helpdesk.Activity{act}
	first.Tickets = nil
	first.Messages = nil
	f.commit(first)
	redo.Activities = []helpdesk.Activity{act}
	if err := f.st.Commit(f.ctx, redo); err == nil {
		t.Errorf("a change creating an existing timeline entry: err = nil, want a refusal")
	}
	// A ticket's participants and thread keys are sets: a repeated value
	// is refused.
	for _, field := range []func(t *helpdesk.Ticket) *[]string{
		func(t *helpdesk.Ticket) *[]string { return &t.Participants },
		func(t *helpdesk.Ticket) *[]string { return &t.ThreadKeys },
	} {
		repeat := note()
		set := field(repeat.Ticket())
		*set = append(*set, "k", "k")
		if err := f.st.Commit(f.ctx, repeat); err == nil || ticket.Lost(err) {
			t.Errorf("a ticket whose set repeats a value: err = %v, want a refusal", err)
		}
	}

	// A new contact whose id is taken (under another key) is refused too.
	contact := note()
	contact.Contact = &ticket.NewContact{Contact: helpdesk.Contact{ID: "c-1", CreatedAt: now}, Key: "email#someone@example.com"}
	if err := f.st.Commit(f.ctx, contact); err == nil {
		t.Errorf("a change creating an existing contact: err = nil, want a refusal")
	}
	if _, err := f.st.FindContactID(f.ctx, "email#someone@example.com"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("a refused contact's key was written: %v", err)
	}
	after := f.conv("1")
	if after.Ticket.Version != entry.Ticket.Version || len(after.Messages) != len(entry.Messages) {
		t.Fatalf("refused changes wrote: ticket %+v, %d messages", after.Ticket, len(after.Messages))
	}
	if got := len(f.notes(helpdesk.AgentRecipient("ann"))); got != 98 {
		t.Fatalf("%d notifications after refused changes, want 98", got)
	}
}

// Every kind of change the ticket model decides is written as decided and
// reads back: open and route, append, assign, status, properties, note,
// reply, spam.
func testEveryModelChangeReadsBack(t *testing.T, f *fixture) {
	ann, bob := agent("ann"), agent("bob")
	ann.Notify.EmailOnAssignment = true
	for _, a := range []helpdesk.Agent{ann, bob} {
		if err := f.st.PutAgent(f.ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	set := f.set

	// Open, routed to ann: owner, timeline, notification, email job, load.
	c := f.arrival("1", "cust@example.com", T0, "form#web#1")
	route(&c, ann, &routing.Load{}, T0)
	f.commit(c)
	conv := f.conv("1")
	tk := conv.Ticket
	if tk.OwnerID != "ann" || !tk.AssignedAt.Equal(T0) || tk.Version != 1 || tk.MessageCount != 1 || !tk.Unread ||
		tk.Status != "new" || tk.State != helpdesk.StateOpen || tk.Type != helpdesk.TypeEmailOther ||
		!slices.Equal(tk.Participants, []string{"email#cust@example.com"}) || !slices.Equal(tk.ThreadKeys, []string{"form#web#1"}) {
		t.Fatalf("opened ticket = %+v", tk)
	}
	if m := conv.Messages; len(m) != 1 || m[0].TicketID != "1" || m[0].ThreadReason != ticket.ReasonNewTicket ||
		m[0].Submission["order"] != "1" || len(m[0].Attachments) != 1 || m[0].Attachments[0].Key != "files/1" || m[0].AuthorContactID != "c-1" {
		t.Fatalf("opened ticket's messages = %+v", m)
	}
	if a := conv.Activities; len(a) != 1 || a[0].Kind != helpdesk.ActivityRouted || a[0].Routing == nil ||
		a[0].Routing.OwnerID != "ann" || len(a[0].Routing.Candidates) != 1 {
		t.Fatalf("opened ticket's timeline = %+v", a)
	}
	if ns := f.notes(helpdesk.AgentRecipient("ann")); len(ns) != 1 || ns[0].TicketID != "1" || ns[0].Kind != helpdesk.NotifyAssigned {
		t.Fatalf("ann's notifications = %+v", ns)
	}
	box, err := f.st.PendingOutbox(f.ctx, "1")
	if err != nil || len(box) != 1 || len(tk.Outbox) != 1 {
		t.Fatalf("outbox = %v (%v), ticket's %v", box, err, tk.Outbox)
	}
	for _, body := range box {
		if env, err := jobs.DecodeEnvelope(body); err != nil || env.Kind != jobs.KindNotificationEmail {
			t.Fatalf("job %s: %v", body, err)
		}
	}
	if l := f.load("ann"); l.Count != 1 || l.Version != 1 {
		t.Fatalf("ann's load = %+v", l)
	}

	// Each step a minute after the last, an hour in; loads are read then.
	at := T0.Add(time.Hour)
	step := func(i int) time.Time { return at.Add(time.Duration(i) * time.Minute) }
	f.clk.Set(step(10))

	// Append: a second participant, a new key, unread again.
	reply := helpdesk.Message{ID: "m-1b", Direction: helpdesk.Inbound, ChannelID: "web", ChannelKind: helpdesk.ChannelForm, Text: "more", CreatedAt: step(0)}
	f.change("1", func(t helpdesk.Ticket) (ticket.Change, error) {
		return ticket.Append(t, reply, "email#other@example.com", []string{"form#web#1b"}, nil, set, step(0))
	})
	tk = f.header("1")
	if tk.Version != 2 || tk.MessageCount != 2 || !tk.LastCustomerMessageAt.Equal(step(0)) || len(tk.Participants) != 2 || f.owner("form#web#1b") != "1" {
		t.Fatalf("after append: %+v", tk)
	}

	// Assign to bob: the load moves, bob is told, ann is not.
	f.change("1", func(t helpdesk.Ticket) (ticket.Change, error) { return ticket.Assign(t, &bob, "", "ann", step(1)) })
	if tk = f.header("1"); tk.OwnerID != "bob" || tk.Version != 3 || !tk.AssignedAt.Equal(step(1)) {
		t.Fatalf("after assign: %+v", tk)
	}
	if a, b := f.load("ann"), f.load("bob"); a.Count != 0 || b.Count != 1 || a.Version != 2 || b.Version != 1 {
		t.Fatalf("loads after assign: ann %+v, bob %+v", a, b)
	}
	if ns := f.notes(helpdesk.AgentRecipient("bob")); len(ns) != 1 {
		t.Fatalf("bob's notifications = %+v", ns)
	}

	// Close: out of bob's load, into the closed view.
	f.change("1", func(t helpdesk.Ticket) (ticket.Change, error) {
		return ticket.SetStatus(t, "closed", "bob", nil, set, step(2))
	})
	if tk = f.header("1"); tk.State != helpdesk.StateClosed || !tk.ClosedAt.Equal(step(2)) || f.load("bob").Count != 0 {
		t.Fatalf("after close: %+v, bob's load %+v", tk, f.load("bob"))
	}
	if got := f.list(helpdesk.StateClosed); !slices.Equal(got, []string{"1"}) || len(f.list(helpdesk.StateOpen)) != 0 {
		t.Fatalf("views after close: closed %v, open %v", got, f.list(helpdesk.StateOpen))
	}

	// The customer writes again: it reopens, back in bob's load.
	again := helpdesk.Message{ID: "m-1c", Direction: helpdesk.Inbound, ChannelID: "web", ChannelKind: helpdesk.ChannelForm, Text: "again", CreatedAt: step(3)}
	f.change("1", func(t helpdesk.Ticket) (ticket.Change, error) {
		return ticket.Append(t, again, "email#cust@example.com", nil, nil, set, step(3))
	})
	if tk = f.header("1"); tk.State != helpdesk.StateOpen || tk.Status != "new" || f.load("bob").Count != 1 {
		t.Fatalf("after the customer wrote again: %+v, bob's load %+v", tk, f.load("bob"))
	}

	// Properties, a note.
	high := helpdesk.PriorityHigh
	f.change("1", func(t helpdesk.Ticket) (ticket.Change, error) {
		return ticket.SetProperties(t, ticket.Properties{Priority: &high}, "bob", set, step(4))
	})
	var note helpdesk.Message
	f.change("1", func(t helpdesk.Ticket) (c ticket.Change, err error) {
		c, note, err = ticket.Note(t, ticket.NoteInput{AgentID: "bob", Text: "call them"}, nil, step(5))
		return c, err
	})

	// A reply by email: a queued outbound message, its Message-ID as a
	// thread key, the job that sends it.
	var out helpdesk.Message
	f.change("1", func(t helpdesk.Ticket) (c ticket.Change, err error) {
		t.ChannelID, t.ChannelKind = mailChannel.ID, mailChannel.Kind
		c, out, err = ticket.Reply(t, mailChannel, ticket.ReplyInput{AgentID: "bob", Text: "On it."}, step(6))
		return c, err
	})
	if f.owner(threading.MessageKey(out.EmailMessageID)) != "1" {
		t.Fatalf("the reply's Message-ID does not lead to the ticket")
	}
	box, _ = f.st.PendingOutbox(f.ctx, "1")
	if _, ok := box[out.ID]; !ok || len(box) != 2 {
		t.Fatalf("outbox after the reply = %v, want the assignment email and the reply", box)
	}

	// Spam: out of every load and into the spam view.
	f.change("1", func(t helpdesk.Ticket) (ticket.Change, error) { return ticket.MarkSpam(t, "bob", step(7)) })
	conv = f.conv("1")
	tk = conv.Ticket
	if tk.State != helpdesk.StateSpam || tk.Priority != helpdesk.PriorityHigh || tk.Version != 9 || tk.MessageCount != 5 || f.load("bob").Count != 0 {
		t.Fatalf("after spam: %+v, bob's load %+v", tk, f.load("bob"))
	}
	if got := f.list(helpdesk.StateSpam); !slices.Equal(got, []string{"1"}) {
		t.Fatalf("spam view = %v", got)
	}
	wantMsgs := []string{"m-1", "m-1b", "m-1c", note.ID, out.ID}
	if got := ids(conv.Messages); !slices.Equal(got, wantMsgs) {
		t.Fatalf("conversation %v, want %v", got, wantMsgs)
	}
	if conv.Messages[3].Direction != helpdesk.Note || conv.Messages[4].Status != helpdesk.StatusQueued || conv.Messages[4].EmailMessageID == "" {
		t.Fatalf("note %+v, reply %+v", conv.Messages[3], conv.Messages[4])
	}
	var kinds []helpdesk.ActivityKind
	for _, a := range conv.Activities {
		kinds = append(kinds, a.Kind)
	}
	wantKinds := []helpdesk.ActivityKind{helpdesk.ActivityRouted, helpdesk.ActivityAssigned, helpdesk.ActivityStatus,
		helpdesk.ActivityStatus, helpdesk.ActivityProperty, helpdesk.ActivitySpam}
	if !slices.Equal(kinds, wantKinds) {
		t.Fatalf("timeline %v, want %v", kinds, wantKinds)
	}
}

// A merged ticket's conversation holds the conversations of the tickets
// merged into it, and of those merged into them, in time order; the merged
// ones keep their own.
func testMergedConversationsShowRecursively(t *testing.T, f *fixture) {
	ann := agent("ann")
	if err := f.st.PutAgent(f.ctx, ann); err != nil {
		t.Fatal(err)
	}
	f.open("a", "a@example.com", T0, "key-a")
	f.open("b", "b@example.com", T0.Add(time.Minute), "key-b")
	c := f.arrival("c", "c@example.com", T0.Add(2*time.Minute), "key-c")
	route(&c, ann, nil, T0.Add(2*time.Minute))
	f.commit(c)
	if f.load("ann").Count != 1 {
		t.Fatalf("ann's load %+v", f.load("ann"))
	}

	at := T0.Add(time.Hour)
	merge := func(primary, secondary string) {
		t.Helper()
		c, err := ticket.Merge(f.header(primary), f.header(secondary), "ann", at)
		if err != nil {
			t.Fatal(err)
		}
		f.commit(c)
	}
	merge("b", "c")
	merge("a", "b")

	conv := f.conv("a")
	if got, want := ids(conv.Messages), []string{"m-a", "m-b", "m-c"}; !slices.Equal(got, want) {
		t.Fatalf("a's conversation %v, want %v", got, want)
	}
	from := map[string]string{}
	for _, m := range conv.Messages {
		from[m.ID] = m.TicketID
	}
	if from["m-b"] != "b" || from["m-c"] != "c" {
		t.Fatalf("messages lost their ticket: %v", from)
	}
	merged := 0
	for i, a := range conv.Activities {
		if a.Kind == helpdesk.ActivityMerged {
			merged++
		}
		if i > 0 && a.At.Before(conv.Activities[i-1].At) {
			t.Fatalf("timeline out of order: %+v", conv.Activities)
		}
	}
	if merged != 4 { // each merge records one entry on each of its two tickets
		t.Fatalf("%d merge entries in a's timeline, want 4", merged)
	}
	if conv.Ticket.MessageCount != 3 || !slices.Equal(conv.Ticket.MergedFrom, []string{"b"}) {
		t.Fatalf("a = %+v", conv.Ticket)
	}
	if got := ids(f.conv("b").Messages); !slices.Equal(got, []string{"m-b", "m-c"}) {
		t.Fatalf("b's conversation %v", got)
	}
	if got := ids(f.conv("c").Messages); !slices.Equal(got, []string{"m-c"}) {
		t.Fatalf("c's conversation %v", got)
	}
	for _, id := range []string{"b", "c"} {
		if h := f.header(id); h.State != helpdesk.StateMerged {
			t.Fatalf("%s = %+v", id, h)
		}
	}
	if got := f.list(helpdesk.StateOpen); !slices.Equal(got, []string{"a"}) {
		t.Fatalf("open view %v, want only a", got)
	}
	if f.load("ann").Count != 0 {
		t.Fatalf("ann's load after her ticket was merged: %+v", f.load("ann"))
	}
	for _, k := range []string{"key-a", "key-b", "key-c"} {
		if owner := f.owner(k); owner != "a" {
			t.Fatalf("%s leads to %q, want a", k, owner)
		}
	}
}

// A merge moves the secondary's thread keys to the primary: a key still
// the secondary's or free moves; a key another ticket took refuses the
// merge.
func testMergeRepointsThreadKeys(t *testing.T, f *fixture) {
	f.open("p", "p@example.com", T0, "key-p")
	f.open("s", "s@example.com", T0, "key-s")
	f.open("x", "x@example.com", T0, "key-x")
	// The secondary lists a key that leads nowhere (freed since).
	sec := f.header("s")
	sec.ThreadKeys = append(sec.ThreadKeys, "key-free")

	c, err := ticket.Merge(f.header("p"), sec, "ann", T0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	taken := c
	taken.ThreadKeys = append(slices.Clone(c.ThreadKeys), ticket.ThreadKey{Key: "key-x", TicketID: "p", Repoint: "s"})
	wantErr(t, "a merge moving another ticket's key", f.st.Commit(f.ctx, taken), store.ErrThreadTaken)
	if f.header("s").State == helpdesk.StateMerged || f.owner("key-s") != "s" || f.owner("key-x") != "x" {
		t.Fatalf("a refused merge wrote")
	}
	f.commit(c)
	for _, k := range []string{"key-p", "key-s", "key-free"} {
		if owner := f.owner(k); owner != "p" {
			t.Fatalf("%s leads to %q, want p", k, owner)
		}
	}
	if f.owner("key-x") != "x" {
		t.Fatal("the merge moved another ticket's key")
	}
}

// Deleting a ticket removes it, its conversation, its thread keys and its
// place in its owner's load; its dedupe records stay, so a late redelivery
// does not bring it back.
func testDeleteRemovesConversationAndThreadKeys(t *testing.T, f *fixture) {
	ann := agent("ann")
	if err := f.st.PutAgent(f.ctx, ann); err != nil {
		t.Fatal(err)
	}
	c := f.arrival("1", "cust@example.com", T0, "key-1", "key-1b")
	route(&c, ann, nil, T0)
	f.commit(c)
	f.open("2", "other@example.com", T0, "key-2")
	f.change("1", func(t helpdesk.Ticket) (ticket.Change, error) {
		c, _, err := ticket.Note(t, ticket.NoteInput{AgentID: "ann", Text: "note"}, nil, T0.Add(time.Minute))
		return c, err
	})
	before := f.header("1")

	// A delete decided on a stale version, or removing a key another
	// ticket owns, writes nothing.
	stale := deleted(t, before, T0.Add(time.Hour))
	stale.Tickets[0].Before.Version--
	wantErr(t, "a stale delete", f.st.Commit(f.ctx, stale), store.ErrVersionChanged)
	foreign := deleted(t, before, T0.Add(time.Hour))
	foreign.ThreadKeys = append(foreign.ThreadKeys, ticket.ThreadKey{Key: "key-2", TicketID: "1", Remove: true})
	wantErr(t, "a delete removing another ticket's key", f.st.Commit(f.ctx, foreign), store.ErrThreadTaken)
	if f.owner("key-1") != "1" || f.owner("key-2") != "2" || len(f.conv("1").Messages) != 2 || f.load("ann").Count != 1 {
		t.Fatal("a refused delete wrote")
	}

	// A key already gone is no obstacle.
	del := deleted(t, before, T0.Add(time.Hour))
	del.ThreadKeys = append(del.ThreadKeys, ticket.ThreadKey{Key: "key-gone", TicketID: "1", Remove: true})
	f.commit(del)
	if _, err := f.st.GetTicket(f.ctx, "1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetTicket of a deleted ticket: %v", err)
	}
	if _, err := f.st.GetTicketHeader(f.ctx, "1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("GetTicketHeader of a deleted ticket: %v", err)
	}
	if _, err := f.st.PendingOutbox(f.ctx, "1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("PendingOutbox of a deleted ticket: %v", err)
	}
	for _, k := range []string{"key-1", "key-1b"} {
		if owner := f.owner(k); owner != "" {
			t.Fatalf("%s survived the delete (leads to %s)", k, owner)
		}
	}
	if rec, err := f.st.FindDedupe(f.ctx, store.DedupeKey("web", "pm-1")); err != nil || rec.TicketID != "1" {
		t.Fatalf("the deleted ticket's dedupe record: %+v, %v", rec, err)
	}
	if l := f.load("ann"); l.Count != 0 {
		t.Fatalf("ann's load after the delete: %+v", l)
	}
	if got := f.list(helpdesk.StateOpen); !slices.Equal(got, []string{"2"}) {
		t.Fatalf("open view %v, want only 2", got)
	}
	if got := f.conv("2"); len(got.Messages) != 1 || f.owner("key-2") != "2" {
		t.Fatalf("the delete touched ticket 2: %+v", got)
	}
	// Deleting it again finds nothing to delete.
	wantErr(t, "a second delete", f.st.Commit(f.ctx, deleted(t, before, T0.Add(2*time.Hour))), store.ErrVersionChanged)

	// A new ticket may take its keys. (Its partition stays until the purge,
	// shared/app/purge, removes it with the files its messages name; ticket
	// numbers come from a counter and are never reused.)
	f.open("3", "cust@example.com", T0.Add(2*time.Hour), "key-1")
	if f.owner("key-1") != "3" || len(f.conv("3").Messages) != 1 {
		t.Fatalf("a new ticket on a deleted ticket's key")
	}
}

// A ticket counted again for its owner on a later UTC day moves the
// owner's count from that day to today: two load changes of one load item,
// in one change, which must be written as one update.
func testTwoDaysOfOneLoadItemAreWrittenOnce(t *testing.T, f *fixture) {
	ann := agent("ann")
	c := f.arrival("1", "cust@example.com", T0)
	route(&c, ann, nil, T0)
	f.commit(c)
	next := T0.Add(24 * time.Hour)
	f.clk.Set(next)
	was := f.load("ann")
	f.change("1", func(t helpdesk.Ticket) (ticket.Change, error) {
		again := t
		again.Version++
		again.AssignedAt, again.TeamID = next, "billing"
		return ticket.Change{Tickets: []ticket.Write{{Before: &t, After: &again}}, Loads: ticket.Loads(&t, &again, next)}, nil
	})
	if tk := f.header("1"); tk.OwnerID != "ann" || tk.TeamID != "billing" || !tk.AssignedAt.Equal(next) {
		t.Fatalf("after the move: %+v", tk)
	}
	if l := f.load("ann"); l.Count != 1 || l.Version != was.Version+1 {
		t.Fatalf("ann's load %+v (was %+v), want 1, written once", l, was)
	}
	// The count moved to today: 30 days after the first assignment it
	// still counts (it would not, had it stayed on T0's day).
	f.clk.Set(T0.Add(helpdesk.LoadWindowDays * 24 * time.Hour))
	if l := f.load("ann"); l.Count != 1 {
		t.Fatalf("ann's load 30 days after T0 = %+v, want 1: the count did not move to the new day", l)
	}
}

// A thread key leads to one ticket: registering a key the ticket owns
// already is a no-op, one another ticket owns is refused; FindThread
// follows the first key that has an owner.
func testThreadKeys(t *testing.T, f *fixture) {
	f.open("1", "one@example.com", T0, "key-1")
	f.open("2", "two@example.com", T0, "key-2")
	own := func(id string, keys ...string) ticket.Change {
		tk := f.header(id)
		c := ticket.Change{Tickets: []ticket.Write{{Before: &tk, After: &helpdesk.Ticket{}}}}
		*c.Tickets[0].After = tk
		c.Tickets[0].After.Version++
		for _, k := range keys {
			c.ThreadKeys = append(c.ThreadKeys, ticket.ThreadKey{Key: k, TicketID: id})
		}
		return c
	}
	f.commit(own("1", "key-1", "key-1b"))
	wantErr(t, "registering another ticket's key", f.st.Commit(f.ctx, own("1", "key-2")), store.ErrThreadTaken)
	if f.header("1").Version != 2 {
		t.Fatal("a refused key registration wrote the ticket")
	}
	cases := []struct {
		keys     []string
		id, key  string
		notFound bool
	}{
		{[]string{"none", "key-2", "key-1"}, "2", "key-2", false},
		{[]string{"key-1b"}, "1", "key-1b", false},
		{[]string{"none", "other"}, "", "", true},
		{nil, "", "", true},
	}
	for _, c := range cases {
		id, key, err := f.st.FindThread(f.ctx, c.keys)
		if c.notFound != errors.Is(err, store.ErrNotFound) || id != c.id || key != c.key {
			t.Errorf("FindThread(%v) = %q %q %v, want %q %q (not found: %v)", c.keys, id, key, err, c.id, c.key, c.notFound)
		}
	}
}

// Dedupe records outlast store.DedupeTTL for reads: the table deletes
// them lazily and reads do not filter, so a store must not either.
func testDedupeRecordsOutliveTheirTTL(t *testing.T, f *fixture) {
	f.open("1", "one@example.com", T0)
	f.clk.Set(T0.Add(store.DedupeTTL + 24*time.Hour))
	if rec, err := f.st.FindDedupe(f.ctx, store.DedupeKey("web", "pm-1")); err != nil || rec.TicketID != "1" || rec.MessageID != "m-1" {
		t.Fatalf("FindDedupe past the TTL = %+v, %v", rec, err)
	}
}

// Nothing a store returns shares memory with what it stores, nor does
// what it stores share memory with what it was given.
func testValuesAreCopies(t *testing.T, f *fixture) {
	ann := agent("ann")
	ann.Notify.EmailOnAssignment = true
	if err := f.st.PutAgent(f.ctx, ann); err != nil {
		t.Fatal(err)
	}
	c := f.arrival("1", "cust@example.com", T0, "key-1")
	route(&c, ann, nil, T0)
	f.commit(c)
	// What was passed in...
	tk := c.Ticket()
	tk.Participants[0], tk.ThreadKeys[0], tk.Subject = "x", "x", "x"
	for k := range tk.Outbox {
		tk.Outbox[k] = "x"
	}
	tk.Outbox["extra"] = "x"
	c.Messages[0].Submission["order"] = "x"
	c.Messages[0].Attachments[0].Key = "x"
	c.Activities[0].Routing.Candidates[0].AgentID = "x"
	// ...and what was read.
	conv := f.conv("1")
	conv.Ticket.Participants[0] = "x"
	conv.Ticket.Outbox["extra"] = "x"
	conv.Messages[0].Submission["order"] = "x"
	conv.Messages[0].Attachments[0].Key = "x"
	conv.Activities[0].Routing.Candidates[0].AgentID = "x"
	h := f.header("1")
	h.ThreadKeys[0] = "x"
	box, _ := f.st.PendingOutbox(f.ctx, "1")
	box["extra"] = "x"
	list, _ := f.st.ListTickets(f.ctx, helpdesk.StateOpen, 10)
	list[0].Participants[0] = "x"

	conv = f.conv("1")
	if tk := conv.Ticket; tk.Subject == "x" || tk.Participants[0] == "x" || tk.ThreadKeys[0] == "x" || len(tk.Outbox) != 1 {
		t.Errorf("stored ticket changed through a value: %+v", tk)
	}
	for _, body := range conv.Ticket.Outbox {
		if body == "x" {
			t.Errorf("stored outbox changed through a value")
		}
	}
	if m := conv.Messages[0]; m.Submission["order"] != "1" || m.Attachments[0].Key != "files/1" {
		t.Errorf("stored message changed through a value: %+v", m)
	}
	if a := conv.Activities[0]; a.Routing.Candidates[0].AgentID != "ann" {
		t.Errorf("stored timeline changed through a value: %+v", a.Routing)
	}

	// The directory and the settings.
	ch := mailChannel
	ch.Email = &helpdesk.EmailSettings{Address: "support@acme.example"}
	ch.Routing.UserIDs = []string{"ann"}
	if err := f.st.PutChannel(f.ctx, ch); err != nil {
		t.Fatal(err)
	}
	ch.Email.Address, ch.Routing.UserIDs[0] = "x", "x"
	got, _ := f.st.GetChannel(f.ctx, ch.ID)
	got.Email.Address = "y"
	if got, _ := f.st.GetChannel(f.ctx, ch.ID); got.Email.Address != "support@acme.example" || got.Routing.UserIDs[0] != "ann" {
		t.Errorf("stored channel changed through a value: %+v %+v", got.Email, got.Routing)
	}
	ann.Skills = []string{"fr"}
	if err := f.st.PutAgent(f.ctx, ann); err != nil {
		t.Fatal(err)
	}
	ann.Skills[0] = "x"
	a, _ := f.st.GetAgent(f.ctx, "ann")
	a.Skills[0] = "y"
	as, _ := f.st.GetAgents(f.ctx, []string{"ann"})
	as["ann"].Skills[0] = "z"
	if a, _ := f.st.GetAgent(f.ctx, "ann"); a.Skills[0] != "fr" {
		t.Errorf("stored agent changed through a value: %+v", a)
	}
	team := helpdesk.Team{ID: "support", Name: "Support", MemberIDs: []string{"ann"}}
	if err := f.st.PutTeam(f.ctx, team); err != nil {
		t.Fatal(err)
	}
	team.MemberIDs[0] = "x"
	m, _ := f.st.TeamMembers(f.ctx, []string{"support"})
	m["support"][0] = "y"
	if m, _ := f.st.TeamMembers(f.ctx, []string{"support"}); m["support"][0] != "ann" {
		t.Errorf("stored team changed through a value: %v", m)
	}
	if err := f.st.SetConsent(f.ctx, "c-1", helpdesk.Consent{Mode: helpdesk.ConsentImplicit, Text: "ok", At: T0}); err != nil {
		t.Fatal(err)
	}
	contact, _ := f.st.GetContact(f.ctx, "c-1")
	contact.Consent.Text = "x"
	if contact, _ := f.st.GetContact(f.ctx, "c-1"); contact.Consent == nil || contact.Consent.Text != "ok" {
		t.Errorf("stored consent changed through a value: %+v", contact.Consent)
	}
	set := defaults()
	if err := f.st.CreateSettingsIfMissing(f.ctx, set); err != nil {
		t.Fatal(err)
	}
	set.Pipelines["support"].Stages[0].Name = "x"
	read, _ := f.st.GetSettings(f.ctx)
	read.Pipelines["support"].Stages[0].Name = "y"
	delete(read.Pipelines, "support")
	if read, _ := f.st.GetSettings(f.ctx); read.Pipelines["support"].Stages[0].Name != "New" {
		t.Errorf("stored settings changed through a value: %+v", read.Pipelines)
	}
}

// deleted is the model's delete of tk.
func deleted(t *testing.T, tk helpdesk.Ticket, at time.Time) ticket.Change {
	t.Helper()
	c, err := ticket.Delete(tk, at)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
