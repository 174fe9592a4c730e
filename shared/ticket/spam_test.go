package ticket_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// merged7 is ticket 7 (owned by ann) with ticket 8 merged into it.
func merged7(t *testing.T) (helpdesk.Ticket, helpdesk.Ticket) {
	t.Helper()
	p := owned(t)
	s := p
	s.ID, s.OwnerID, s.AssignedAt, s.ThreadKeys, s.Participants = "8", "", time.Time{}, []string{"k8"}, []string{"form#other@example.com"}
	c, err := ticket.Merge(p, s, "ann", t0)
	if err != nil {
		t.Fatal(err)
	}
	return *c.Tickets[0].After, *c.Tickets[1].After
}

func TestMarkSpamConversationByConversation(t *testing.T) {
	p, _ := merged7(t)
	all := ticket.Conversations(p, []string{"8"})
	if !slices.Equal(all, []string{"7", "8"}) {
		t.Fatalf("conversations %v", all)
	}
	if _, err := ticket.MarkSpamConversations(p, all, []string{"9"}, "ann", t0); helpdesk.ErrorReason(err) != "unknown_conversation" {
		t.Fatalf("an unknown conversation: %v", err)
	}
	// One of two: recorded, the ticket stays where it is, counted.
	c, err := ticket.MarkSpamConversations(p, all, []string{"8"}, "ann", t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	n := c.Ticket()
	if n.State != helpdesk.StateOpen || !slices.Equal(n.SpamConversations, []string{"8"}) || len(c.Loads) != 0 ||
		len(c.Activities) != 1 || c.Activities[0].Kind != helpdesk.ActivitySpam || c.Activities[0].To != "8" {
		t.Fatalf("one conversation: state %s, marked %v, loads %v, activities %+v", n.State, n.SpamConversations, c.Loads, c.Activities)
	}
	if _, err := ticket.MarkSpamConversations(*n, all, []string{"8"}, "ann", t0.Add(2*time.Minute)); !errors.Is(err, ticket.ErrNoChange) {
		t.Fatalf("marking it again: %v", err)
	}
	// The other one too: the ticket goes to spam, out of ann's count.
	at := t0.Add(3 * time.Minute)
	c, err = ticket.MarkSpamConversations(*n, all, []string{"7"}, "ann", at)
	if err != nil {
		t.Fatal(err)
	}
	s := c.Ticket()
	if s.State != helpdesk.StateSpam || !s.SpamAt.Equal(at) || len(s.SpamConversations) != 0 ||
		len(c.Loads) != 1 || c.Loads[0].AgentID != "ann" || c.Loads[0].Delta != -1 || len(c.Jobs) != 0 || len(c.Notifications) != 0 {
		t.Fatalf("all conversations: %+v, loads %v", s, c.Loads)
	}
	if _, err := ticket.MarkSpamConversations(*s, all, nil, "ann", at); !errors.Is(err, ticket.ErrNoChange) {
		t.Fatalf("spam again: %v", err)
	}
}

func TestNotSpamRestoresWithinNinetyDays(t *testing.T) {
	tk := owned(t)
	at := t0.Add(time.Hour)
	c, err := ticket.MarkSpamConversations(tk, []string{"7"}, nil, "ann", at)
	if err != nil {
		t.Fatal(err)
	}
	spam := *c.Ticket()
	if _, err := ticket.NotSpam(spam, "ann", pipes, at.Add(helpdesk.SpamKeepDays*24*time.Hour+time.Second)); helpdesk.ErrorReason(err) != "spam_expired" {
		t.Fatalf("after 90 days: %v", err)
	}
	now := at.Add(24 * time.Hour)
	c, err = ticket.NotSpam(spam, "ann", pipes, now)
	if err != nil {
		t.Fatal(err)
	}
	n := c.Ticket()
	// Within the load window the owner counts it again (assigned at t0).
	if n.State != helpdesk.StateOpen || !n.SpamAt.IsZero() || len(c.Loads) != 1 || c.Loads[0].Delta != 1 ||
		c.Activities[0].Kind != helpdesk.ActivityNotSpam || c.Activities[0].To != "open" {
		t.Fatalf("not spam: %+v, loads %v, activities %+v", n, c.Loads, c.Activities)
	}
	// A closed status comes back closed.
	closed := spam
	closed.Status = "closed"
	if c, err := ticket.NotSpam(closed, "ann", pipes, now); err != nil || c.Ticket().State != helpdesk.StateClosed || len(c.Loads) != 0 {
		t.Fatalf("not spam of a closed one: %v %+v", err, c.Ticket())
	}
	if _, err := ticket.NotSpam(tk, "ann", pipes, now); !errors.Is(err, ticket.ErrNoChange) {
		t.Fatalf("not spam of a ticket that is not: %v", err)
	}
}

// Spam tells nobody: a customer's later message on a spam ticket, a
// note, a status change make no notification and no job.
func TestSpamIsNeverNotified(t *testing.T) {
	tk := owned(t)
	tk.Followers = []string{"bob"}
	aud := ticket.Audience{"ann": {Agent: helpdesk.Agent{ID: "ann", Email: "ann@acme.example", Active: true, Role: helpdesk.RoleAdmin,
		Notify: helpdesk.NotifyPrefs{EmailOnCustomerMessage: true, EmailOnNote: true, EmailOnStatus: true}}},
		"bob": {Agent: helpdesk.Agent{ID: "bob", Active: true, Role: helpdesk.RoleAdmin}}}
	c, err := ticket.MarkSpamConversations(tk, []string{"7"}, nil, "ann", t0)
	if err != nil {
		t.Fatal(err)
	}
	spam := *c.Ticket()
	msg := helpdesk.Message{ID: "m2", Direction: helpdesk.Inbound, Text: "more spam", CreatedAt: t0.Add(time.Minute), AuthorContactID: "c1"}
	a, err := ticket.Append(spam, msg, "form#cus@example.com", nil, aud, pipes, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	nt, _, err := ticket.Note(spam, ticket.NoteInput{AgentID: "bob", Text: "@ann look", Mentions: nil}, aud, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	st, err := ticket.SetStatus(spam, "closed", "bob", aud, pipes, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]ticket.Change{"append": a, "note": nt, "status": st} {
		if len(c.Notifications) != 0 || len(c.Jobs) != 0 || c.Ticket().State != helpdesk.StateSpam {
			t.Errorf("%s on a spam ticket: %d notifications, %d jobs, state %s", name, len(c.Notifications), len(c.Jobs), c.Ticket().State)
		}
	}
}

func TestOpenOfABlockedSenderGoesToSpam(t *testing.T) {
	m := inbound(page, "mid.b1", t0)
	msg := helpdesk.Message{ID: "m-b1", Direction: helpdesk.Inbound, ChannelID: page.ID, ChannelKind: page.Kind, Text: m.Text, CreatedAt: t0}
	c, _ := ticket.Open(ticket.Arrival{ID: "9", Inbound: m, Message: msg, Channel: page, ContactID: "c1",
		SenderKey: m.Sender.Key(page.Kind), NewContact: true, Blocked: true}, pipes, t0)
	if c.Ticket().State != helpdesk.StateSpam || !c.Ticket().SpamAt.Equal(t0) || len(c.Jobs) != 0 || len(c.Messages) != 1 {
		t.Fatalf("a blocked sender's ticket: state %s, %d jobs, %d messages", c.Ticket().State, len(c.Jobs), len(c.Messages))
	}
}

func TestDeleteMergedRemovesBothAndTheirKeys(t *testing.T) {
	p, s := merged7(t)
	c, err := ticket.DeleteMerged(p, []helpdesk.Ticket{s}, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Tickets) != 2 || c.Tickets[0].After != nil || c.Tickets[1].After != nil || c.Tickets[1].Before.ID != "8" {
		t.Fatalf("tickets written: %+v", c.Tickets)
	}
	var keys []string
	for _, k := range c.ThreadKeys {
		if !k.Remove || k.TicketID != "7" {
			t.Errorf("key %+v: want removed from 7 (8's keys lead to 7)", k)
		}
		keys = append(keys, k.Key)
	}
	slices.Sort(keys)
	if !slices.Equal(keys, []string{"k1", "k2", "k8"}) || len(c.Loads) != 1 || c.Loads[0].Delta != -1 {
		t.Fatalf("keys %v, loads %v", keys, c.Loads)
	}
	if _, err := ticket.DeleteMerged(s, nil, t0); helpdesk.ErrorReason(err) != "ticket_merged" {
		t.Fatalf("deleting the merged ticket alone: %v", err)
	}
}

// The model gives a spam ticket its expiry (SpamAt + 90 days, the TTL of
// its purge) with every decision that leaves it spam, stamps what the
// change adds to it, and takes the expiry off when it is restored.
func TestSpamExpiryIsDecidedWithEveryChange(t *testing.T) {
	day := 24 * time.Hour
	tk := owned(t)
	if tk.ExpiresAt != 0 {
		t.Fatalf("an open ticket expires at %d", tk.ExpiresAt)
	}
	at := t0.Add(time.Hour)
	want := at.Add(helpdesk.SpamKeepDays * day).Unix()
	c, err := ticket.MarkSpamConversations(tk, []string{"7"}, nil, "ann", at)
	if err != nil {
		t.Fatal(err)
	}
	spam := *c.Ticket()
	if spam.ExpiresAt != want || c.Activities[0].ExpiresAt != want {
		t.Fatalf("marked spam: ticket expires %d, activity %d; want %d", spam.ExpiresAt, c.Activities[0].ExpiresAt, want)
	}
	// A later message keeps the ticket's expiry (not its own 90 days) and
	// is stamped with it, its thread key too.
	later := at.Add(10 * day)
	msg := helpdesk.Message{ID: "m9", TicketID: spam.ID, Direction: helpdesk.Inbound, Text: "more", CreatedAt: later, AuthorContactID: "c1"}
	a, err := ticket.Append(spam, msg, "form#cus@example.com", []string{"<m9@spam.example>"}, nil, pipes, later)
	if err != nil {
		t.Fatal(err)
	}
	if a.Ticket().ExpiresAt != want || a.Messages[0].ExpiresAt != want || len(a.ThreadKeys) == 0 || a.ThreadKeys[0].ExpiresAt != want {
		t.Fatalf("a message on spam: ticket %d, message %d, keys %+v; want %d", a.Ticket().ExpiresAt, a.Messages[0].ExpiresAt, a.ThreadKeys, want)
	}
	// Restored: no expiry on the ticket or on what the change writes.
	r, err := ticket.NotSpam(*a.Ticket(), "ann", pipes, later)
	if err != nil {
		t.Fatal(err)
	}
	if r.Ticket().ExpiresAt != 0 || r.Activities[0].ExpiresAt != 0 {
		t.Fatalf("restored: ticket %d, activity %d", r.Ticket().ExpiresAt, r.Activities[0].ExpiresAt)
	}
	// A ticket that opens in spam (a blocked sender) expires 90 days on.
	m := inbound(page, "mid.b2", t0)
	first := helpdesk.Message{ID: "m-b2", Direction: helpdesk.Inbound, ChannelID: page.ID, ChannelKind: page.Kind, Text: m.Text, CreatedAt: t0}
	o, _ := ticket.Open(ticket.Arrival{ID: "10", Inbound: m, Message: first, Channel: page, ContactID: "c1",
		SenderKey: m.Sender.Key(page.Kind), ThreadKeys: []string{"k10"}, NewContact: true, Blocked: true}, pipes, t0)
	w := t0.Add(helpdesk.SpamKeepDays * day).Unix()
	if o.Ticket().ExpiresAt != w || o.Messages[0].ExpiresAt != w || o.ThreadKeys[0].ExpiresAt != w {
		t.Fatalf("opened in spam: ticket %d, message %d, keys %+v; want %d", o.Ticket().ExpiresAt, o.Messages[0].ExpiresAt, o.ThreadKeys, w)
	}
	// A spam ticket is merged with nothing: its items would expire inside
	// the merged ticket.
	other := owned(t)
	other.ID = "11"
	if _, err := ticket.Merge(other, spam, "ann", later); helpdesk.ErrorReason(err) != "ticket_spam" {
		t.Fatalf("merging a spam ticket: %v", err)
	}
	if _, err := ticket.Merge(spam, other, "ann", later); helpdesk.ErrorReason(err) != "ticket_spam" {
		t.Fatalf("merging into a spam ticket: %v", err)
	}
}

// A spam ticket others were merged into is not unmerged: what it hands
// back would carry its TTL.
func TestUnmergeOfASpamTicketIsRefused(t *testing.T) {
	p, s := merged7(t)
	c, err := ticket.MarkSpamConversations(p, ticket.Conversations(p, []string{"8"}), nil, "ann", t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ticket.Unmerge(*c.Ticket(), s, nil, "ann", t0.Add(2*time.Minute)); helpdesk.ErrorReason(err) != "ticket_spam" {
		t.Fatalf("unmerge of a spam ticket: %v", err)
	}
	if _, err := ticket.UnmergeStep(*c.Ticket(), s, nil, t0.Add(2*time.Minute)); helpdesk.ErrorReason(err) != "ticket_spam" {
		t.Fatalf("an unmerge step of a spam ticket: %v", err)
	}
}
