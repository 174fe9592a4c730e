package ticket_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// Edits keep the previous texts, bounded, and apply once and in order.
func TestReviseEdits(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
	m := helpdesk.Message{ID: "m", Text: "v0"}
	for i := 1; i <= ticket.MaxEdits+3; i++ {
		next, changed := ticket.ReviseMessage(m, helpdesk.MessageUpdate{Kind: helpdesk.UpdateEdit, Text: fmt.Sprint("v", i), NumEdit: i}, "c", t0.Add(time.Duration(i)*time.Minute))
		if !changed || next.Text != fmt.Sprint("v", i) {
			t.Fatalf("edit %d: %+v", i, next)
		}
		m = next
	}
	if len(m.Edits) != ticket.MaxEdits || m.Edits[0].Text != "v3" || m.Edits[len(m.Edits)-1].Text != fmt.Sprint("v", ticket.MaxEdits+2) {
		t.Fatalf("kept edits: %+v", m.Edits)
	}
	if _, changed := ticket.ReviseMessage(m, helpdesk.MessageUpdate{Kind: helpdesk.UpdateEdit, Text: "late", NumEdit: 0}, "c", t0); changed {
		t.Fatal("an edit older than the last one applied")
	}
	if _, changed := ticket.ReviseMessage(m, helpdesk.MessageUpdate{Kind: helpdesk.UpdateEdit, Text: m.Text}, "c", t0.Add(time.Hour)); changed {
		t.Fatal("an edit to the same text changed the message")
	}
}

// One reaction per reactor: set, replaced, withdrawn (kept as withdrawn, so
// an older reaction delivered late stays out); others' are kept.
func TestReviseReactions(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 9, 30, 0, 0, time.UTC)
	react := func(emoji string) helpdesk.MessageUpdate {
		return helpdesk.MessageUpdate{Kind: helpdesk.UpdateReact, Emoji: emoji, Reaction: "other"}
	}
	m := helpdesk.Message{ID: "m"}
	var changed bool
	m, _ = ticket.ReviseMessage(m, react("❤"), "a", t0)
	m, _ = ticket.ReviseMessage(m, react("👍"), "b", t0.Add(time.Second))
	m, _ = ticket.ReviseMessage(m, react("😮"), "a", t0.Add(2*time.Second))
	if len(m.Reactions) != 2 || m.Reactions[0].By != "b" || m.Reactions[1].Emoji != "😮" {
		t.Fatalf("reactions: %+v", m.Reactions)
	}
	if _, changed = ticket.ReviseMessage(m, react("😮"), "a", t0.Add(3*time.Second)); changed {
		t.Fatal("the same reaction again changed the message")
	}
	m, changed = ticket.ReviseMessage(m, helpdesk.MessageUpdate{Kind: helpdesk.UpdateUnreact}, "a", t0.Add(4*time.Second))
	if !changed || len(m.Reactions) != 2 || !m.Reactions[1].Removed || m.Reactions[1].Emoji != "" {
		t.Fatalf("after unreact: %+v", m.Reactions)
	}
	if _, changed = ticket.ReviseMessage(m, react("❤"), "a", t0); changed {
		t.Fatal("an older reaction brought a withdrawn one back")
	}
	if m, changed = ticket.ReviseMessage(m, react("❤"), "a", t0.Add(time.Minute)); !changed || m.Reactions[1].Removed {
		t.Fatalf("a new reaction after withdrawing: %+v", m.Reactions)
	}
}

// A customer's edit of their message changes what an agent may have read:
// the message is revised, and in the same change the ticket showing it
// (read, closed) becomes unread, conditioned on its version, and its
// watchers who can see it are told it was an edit (in the app, by email
// as they asked), the contact as the actor. Nothing else moves: no
// reopen, no reply window, no message count, no load.
func TestReviseEditMarksUnreadAndTellsWatchers(t *testing.T) {
	tk := teamTicket(t, "tom", "ola", "max", "eve")
	tk.Unread, tk.State, tk.Status, tk.ClosedAt = false, helpdesk.StateClosed, "solved", t0
	m := helpdesk.Message{ID: "m1", TicketID: tk.ID, Direction: helpdesk.Inbound, AuthorContactID: tk.ContactID, Text: "hello", CreatedAt: t0, Revision: 3}
	at, now := t0.Add(time.Hour), t0.Add(time.Hour+time.Second)
	aud := maps.Clone(everyone)
	wantsEdits := eve
	wantsEdits.Agent.Notify.EmailOnCustomerEdit = true
	aud["eve"] = wantsEdits
	c, err := ticket.Revise(tk, m, helpdesk.MessageUpdate{Kind: helpdesk.UpdateEdit, Text: "hello (order #1)", NumEdit: 1}, "messenger#p#u", at, aud, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Revisions) != 1 || c.Revisions[0].Before.Revision != 3 || c.Revisions[0].After.Text != "hello (order #1)" || len(c.Messages) != 0 {
		t.Fatalf("revisions %+v, messages %+v", c.Revisions, c.Messages)
	}
	if len(c.Tickets) != 1 || c.Tickets[0].Before.Version != tk.Version {
		t.Fatalf("the ticket write is not conditioned on the version read: %+v", c.Tickets)
	}
	n := c.Ticket()
	if !n.Unread || n.Version != tk.Version+1 || !n.UpdatedAt.Equal(at) || n.State != helpdesk.StateClosed || n.Status != "solved" ||
		n.MessageCount != tk.MessageCount || !n.LastCustomerMessageAt.Equal(tk.LastCustomerMessageAt) || tk.Unread {
		t.Fatalf("ticket after the edit: %+v", n)
	}
	if len(c.Loads) != 0 || len(c.Activities) != 0 {
		t.Fatalf("an edit moved loads %+v or wrote activities %+v", c.Loads, c.Activities)
	}
	// ann owns it, tom and eve follow and see it (eve asked for edits by
	// email); ola cannot see it, max is deactivated.
	want := []string{"ann customer_edit", "email eve customer_edit", "eve customer_edit", "tom customer_edit"}
	if got := told(t, c); !slices.Equal(got, want) {
		t.Fatalf("told %v, want %v", got, want)
	}
	for _, x := range c.Notifications {
		if x.ActorID != ticket.ContactActor(tk.ContactID) || x.MessageID != "m1" || x.TicketID != tk.ID || !x.At.Equal(at) {
			t.Fatalf("notification %+v", x)
		}
	}
	if len(n.Outbox) != 1 || len(c.Jobs) != 1 {
		t.Fatalf("the email job is not in the ticket's outbox: %v", n.Outbox)
	}
	// The same edit redelivered changes nothing.
	if _, err := ticket.Revise(*n, c.Revisions[0].After, helpdesk.MessageUpdate{Kind: helpdesk.UpdateEdit, Text: "hello (order #1)", NumEdit: 1}, "messenger#p#u", at, everyone, now); !errors.Is(err, ticket.ErrNoChange) {
		t.Fatalf("a redelivered edit: %v", err)
	}
}

// A reaction (the customer's 👍 to our answer, or to their own message)
// is an acknowledgement: the message shows it, the ticket is left alone
// (still read, same version and updatedAt) and nobody is told. So is an
// edit of a message that is not the customer's.
func TestReviseReactionLeavesTheTicketAlone(t *testing.T) {
	tk := teamTicket(t, "tom")
	tk.Unread = false
	ours := helpdesk.Message{ID: "r1", TicketID: tk.ID, Direction: helpdesk.Outbound, AuthorAgentID: "ann", Text: "It ships today.", CreatedAt: t0}
	for name, u := range map[string]helpdesk.MessageUpdate{
		"react":        {Kind: helpdesk.UpdateReact, Reaction: "like", Emoji: "👍"},
		"edit of ours": {Kind: helpdesk.UpdateEdit, Text: "It ships tomorrow."},
	} {
		c, err := ticket.Revise(tk, ours, u, "messenger#p#u", t0.Add(time.Hour), everyone, t0.Add(time.Hour))
		if err != nil || len(c.Revisions) != 1 {
			t.Fatalf("%s: %+v, %v", name, c, err)
		}
		if len(c.Tickets) != 0 || len(c.Notifications) != 0 || len(c.Jobs) != 0 || len(c.Loads) != 0 {
			t.Fatalf("%s touched the ticket: %+v", name, c)
		}
	}
	theirs := helpdesk.Message{ID: "m1", TicketID: tk.ID, Direction: helpdesk.Inbound, Text: "hello", CreatedAt: t0}
	c, err := ticket.Revise(tk, theirs, helpdesk.MessageUpdate{Kind: helpdesk.UpdateReact, Emoji: "❤"}, "messenger#p#u", t0.Add(time.Hour), everyone, t0.Add(time.Hour))
	if err != nil || len(c.Tickets) != 0 || len(c.Notifications) != 0 || len(c.Revisions[0].After.Reactions) != 1 {
		t.Fatalf("a reaction to their own message: %+v, %v", c, err)
	}
}

// The ticket told of an edit must be the one showing the message: a
// merged ticket shows nothing (the caller passes the one it was merged
// into, whose version the change is conditioned on).
func TestReviseEditOfAMergedTicketsMessage(t *testing.T) {
	primary, secondary := teamTicket(t), owned(t)
	secondary.ID = "8"
	c, err := ticket.Merge(primary, secondary, "ann", t0)
	if err != nil {
		t.Fatal(err)
	}
	p, s := *c.Tickets[0].After, *c.Tickets[1].After
	m := helpdesk.Message{ID: "m8", TicketID: s.ID, Direction: helpdesk.Inbound, AuthorContactID: s.ContactID, Text: "hello", CreatedAt: t0}
	edit := helpdesk.MessageUpdate{Kind: helpdesk.UpdateEdit, Text: "hello again"}
	if _, err := ticket.Revise(s, m, edit, "c", t0.Add(time.Hour), everyone, t0.Add(time.Hour)); helpdesk.ErrorReason(err) != "ticket_merged" {
		t.Fatalf("an edit told on the merged ticket: %v", err)
	}
	rc, err := ticket.Revise(p, m, edit, "c", t0.Add(time.Hour), everyone, t0.Add(time.Hour))
	if err != nil || rc.Ticket().ID != p.ID || !rc.Ticket().Unread || rc.Revisions[0].After.TicketID != s.ID {
		t.Fatalf("edit on the primary: %+v, %v", rc, err)
	}
	if got := told(t, rc); !slices.Contains(got, "ann customer_edit") {
		t.Fatalf("the primary's owner was not told: %v", got)
	}
	// A reaction needs no ticket: the merged one's message takes it.
	if rc, err := ticket.Revise(s, m, helpdesk.MessageUpdate{Kind: helpdesk.UpdateReact, Emoji: "👍"}, "c", t0.Add(time.Hour), everyone, t0.Add(time.Hour)); err != nil || len(rc.Tickets) != 0 {
		t.Fatalf("a reaction to a merged ticket's message: %+v, %v", rc, err)
	}
}
