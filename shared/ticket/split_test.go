package ticket_test

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/threading"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// threeMails is email ticket 7 with three mails of its customer (a1, a2,
// a3, an hour apart), an agent's sent reply r1 after a1, and a note, as a
// conversation read from the store: unread, owned by ann.
func threeMails() helpdesk.Conversation {
	tk := helpdesk.Ticket{ID: "7", Subject: "Refund", Pipeline: "support", Status: "new", State: helpdesk.StateOpen,
		Type: helpdesk.TypeEmailOther, ChannelID: mail.ID, ChannelKind: helpdesk.ChannelEmail, ContactID: "c1",
		Participants: []string{"email#cus@example.com"}, OwnerID: "ann", AssignedAt: t0, Unread: true, MessageCount: 5, Version: 6,
		ThreadKeys: []string{"msgid#a1@example.com", "msgid#a2@example.com", "msgid#a3@example.com", "msgid#r1@acme.example", "ticket#7"},
		CreatedAt:  t0}
	in := func(id string, h int, replyTo ...string) helpdesk.Message {
		return helpdesk.Message{ID: "m-" + id, TicketID: "7", Direction: helpdesk.Inbound, ChannelID: mail.ID, ChannelKind: helpdesk.ChannelEmail,
			ProviderMessageID: id + "@example.com", AuthorContactID: "c1", Text: "mail " + id, ReplyTo: replyTo,
			CreatedAt: t0.Add(time.Duration(h) * time.Hour)}
	}
	reply := helpdesk.Message{ID: "m-r1", TicketID: "7", Direction: helpdesk.Outbound, ChannelID: mail.ID, ChannelKind: helpdesk.ChannelEmail,
		EmailMessageID: "r1@acme.example", ProviderMessageID: "ses-1", Status: helpdesk.StatusSent, Text: "On it", CreatedAt: t0.Add(30 * time.Minute)}
	note := helpdesk.Message{ID: "m-n1", TicketID: "7", Direction: helpdesk.Note, ChannelID: mail.ID, ChannelKind: helpdesk.ChannelEmail,
		Text: "check", CreatedAt: t0.Add(90 * time.Minute)}
	conv := helpdesk.Conversation{Ticket: tk, Messages: []helpdesk.Message{in("a1", 0), reply, in("a2", 1, "billing@example.com"), note, in("a3", 2)}}
	conv.Sort()
	return conv
}

func TestSplitMovesTheChosenMessagesAndTheirThreadKeys(t *testing.T) {
	conv := threeMails()
	now := t0.Add(5 * time.Hour)
	c, err := ticket.Split(conv, ticket.SplitInput{ID: "8", MessageIDs: []string{"m-a2", "m-n1"}, Subject: " Billing address ",
		Priority: helpdesk.PriorityHigh, AgentID: "bob", Channel: mail}, pipes, now)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Tickets) != 2 || c.Tickets[0].Before != nil || c.Tickets[1].Before == nil {
		t.Fatalf("writes %+v: want the new ticket first, then the old one", c.Tickets)
	}
	nt, old := c.Tickets[0].After, c.Tickets[1].After
	if nt.ID != "8" || nt.Subject != "Billing address" || nt.Priority != helpdesk.PriorityHigh || nt.ChannelKind != helpdesk.ChannelEmail ||
		nt.State != helpdesk.StateOpen || nt.Status != "new" || nt.MessageCount != 2 || !nt.Unread || nt.ContactID != "c1" ||
		nt.OwnerID != "" || nt.Description != "mail a2" || !nt.LastCustomerMessageAt.Equal(t0.Add(time.Hour)) ||
		!slices.Equal(nt.ReplyTo, []string{"billing@example.com"}) || !slices.Equal(nt.Participants, conv.Ticket.Participants) {
		t.Fatalf("new ticket %+v", nt)
	}
	if old.MessageCount != 3 || old.Version != 7 || !old.Unread || !old.LastCustomerMessageAt.Equal(t0.Add(2*time.Hour)) || old.ReplyTo != nil {
		t.Fatalf("old ticket %+v", old)
	}
	var moved []string
	for _, mv := range c.Moves {
		if mv.To != "8" || mv.Message.TicketID != "7" || mv.Moved().TicketID != "8" {
			t.Fatalf("move %+v", mv)
		}
		moved = append(moved, mv.Message.ID)
	}
	if !slices.Equal(moved, []string{"m-a2", "m-n1"}) || len(c.Messages) != 0 {
		t.Fatalf("moved %v, new messages %d", moved, len(c.Messages))
	}
	want := []ticket.ThreadKey{{Key: "msgid#a2@example.com", TicketID: "8", Repoint: "7"}, {Key: "ticket#8", TicketID: "8"}}
	if !slices.Equal(c.ThreadKeys, want) {
		t.Fatalf("thread keys %+v, want %+v", c.ThreadKeys, want)
	}
	if slices.Contains(old.ThreadKeys, "msgid#a2@example.com") || !slices.Contains(old.ThreadKeys, "msgid#a3@example.com") ||
		!slices.Contains(nt.ThreadKeys, "msgid#a2@example.com") || !slices.Contains(nt.ThreadKeys, threading.TicketKey("8")) {
		t.Fatalf("keys: old %v, new %v", old.ThreadKeys, nt.ThreadKeys)
	}
	if len(c.Activities) != 2 {
		t.Fatalf("activities %+v", c.Activities)
	}
	for i, id := range []string{"7", "8"} {
		a := c.Activities[i]
		if a.TicketID != id || a.Kind != helpdesk.ActivitySplit || a.From != "7" || a.To != "8" || a.ActorID != "bob" {
			t.Fatalf("activity %+v", a)
		}
	}
	if len(c.Loads) != 0 {
		t.Fatalf("loads %+v: the old ticket stays counted where it was, the new one is unowned", c.Loads)
	}
}

func TestSplitWithAnOwnerAssignsAndCountsIt(t *testing.T) {
	now := t0.Add(5 * time.Hour)
	c, err := ticket.Split(threeMails(), ticket.SplitInput{ID: "8", MessageIDs: []string{"m-a3", "m-r1"}, Subject: "Other",
		Owner: &ann, TeamID: "T", AgentID: "bob", Channel: mail}, pipes, now)
	if err != nil {
		t.Fatal(err)
	}
	nt, old := c.Tickets[0].After, c.Tickets[1].After
	if nt.OwnerID != "ann" || nt.TeamID != "T" || !nt.AssignedAt.Equal(now) || nt.Unread != true || old.MessageCount != 3 {
		t.Fatalf("new %+v old %+v", nt, old)
	}
	if len(c.Loads) != 1 || c.Loads[0] != (ticket.LoadChange{AgentID: "ann", Type: helpdesk.TypeEmailOther, Day: helpdesk.DayNumber(now), Delta: 1}) {
		t.Fatalf("loads %+v", c.Loads)
	}
	if len(c.Notifications) != 1 || c.Notifications[0].Recipient != helpdesk.AgentRecipient("ann") || c.Notifications[0].TicketID != "8" {
		t.Fatalf("notifications %+v", c.Notifications)
	}
	if len(nt.Outbox) != 1 || len(old.Outbox) != 0 {
		t.Fatalf("outboxes: new %v, old %v", nt.Outbox, old.Outbox)
	}
	// The sent reply's Message-ID follows it; its provider id too (store).
	if !slices.Contains(nt.ThreadKeys, "msgid#r1@acme.example") || slices.Contains(old.ThreadKeys, "msgid#r1@acme.example") {
		t.Fatalf("keys: new %v old %v", nt.ThreadKeys, old.ThreadKeys)
	}
	// No customer mail left unread in the old ticket? a1 and a2 stay: still unread.
	if !old.Unread {
		t.Fatal("the old ticket still holds the customer's mails: it stays unread")
	}
}

func TestSplitRefuses(t *testing.T) {
	conv := threeMails()
	ok := ticket.SplitInput{ID: "8", MessageIDs: []string{"m-a2"}, Subject: "S", AgentID: "bob", Channel: mail}
	with := func(f func(*helpdesk.Conversation, *ticket.SplitInput)) (helpdesk.Conversation, ticket.SplitInput) {
		c, in := threeMails(), ok
		c.Messages = slices.Clone(conv.Messages)
		f(&c, &in)
		return c, in
	}
	for _, tc := range []struct {
		name   string
		f      func(*helpdesk.Conversation, *ticket.SplitInput)
		code   string
		reason string
	}{
		{"a form ticket", func(c *helpdesk.Conversation, _ *ticket.SplitInput) { c.Ticket.ChannelKind = helpdesk.ChannelForm }, helpdesk.EInvalid, "split_email_only"},
		{"a Messenger ticket", func(c *helpdesk.Conversation, _ *ticket.SplitInput) { c.Ticket.ChannelKind = helpdesk.ChannelMessenger }, helpdesk.EInvalid, "split_email_only"},
		{"a merged ticket", func(c *helpdesk.Conversation, _ *ticket.SplitInput) {
			c.Ticket.State, c.Ticket.MergedInto = helpdesk.StateMerged, "9"
		}, helpdesk.EConflict, "ticket_merged"},
		{"a spam ticket", func(c *helpdesk.Conversation, _ *ticket.SplitInput) { c.Ticket.State = helpdesk.StateSpam }, helpdesk.EConflict, "ticket_spam"},
		{"no subject", func(_ *helpdesk.Conversation, in *ticket.SplitInput) { in.Subject = "  " }, helpdesk.EInvalid, "subject_required"},
		{"no message", func(_ *helpdesk.Conversation, in *ticket.SplitInput) { in.MessageIDs = nil }, helpdesk.EInvalid, "messages_required"},
		{"every message", func(_ *helpdesk.Conversation, in *ticket.SplitInput) {
			in.MessageIDs = []string{"m-a1", "m-r1", "m-a2", "m-n1", "m-a3"}
		}, helpdesk.EInvalid, "split_all_messages"},
		{"an unknown message", func(_ *helpdesk.Conversation, in *ticket.SplitInput) { in.MessageIDs = []string{"m-a2", "m-zz"} }, helpdesk.EInvalid, "unknown_messages"},
		{"a message of a merged-in ticket", func(c *helpdesk.Conversation, in *ticket.SplitInput) {
			c.Messages = append(c.Messages, helpdesk.Message{ID: "m-x", TicketID: "5", Direction: helpdesk.Inbound, CreatedAt: t0})
			in.MessageIDs = []string{"m-x"}
		}, helpdesk.EInvalid, "message_from_merged_ticket"},
		{"a reply still queued", func(c *helpdesk.Conversation, in *ticket.SplitInput) {
			c.Messages[1].Status = helpdesk.StatusQueued
			in.MessageIDs = []string{"m-r1"}
		}, helpdesk.EConflict, "message_sending"},
		{"over the bound", func(_ *helpdesk.Conversation, in *ticket.SplitInput) {
			in.MessageIDs = nil
			for i := range ticket.MaxSplitMessages + 1 {
				in.MessageIDs = append(in.MessageIDs, "m-"+string(rune('a'+i)))
			}
		}, helpdesk.EInvalid, "split_too_large"},
		{"an unknown priority", func(_ *helpdesk.Conversation, in *ticket.SplitInput) { in.Priority = "huge" }, helpdesk.EInvalid, "unknown_priority"},
		{"an owner without a seat", func(_ *helpdesk.Conversation, in *ticket.SplitInput) {
			in.Owner = &helpdesk.Agent{ID: "vic", Active: true}
		}, helpdesk.EInvalid, "no_seat"},
		{"another version", func(_ *helpdesk.Conversation, in *ticket.SplitInput) { in.Version = 5 }, helpdesk.EPrecondition, "version_mismatch"},
	} {
		c, in := with(tc.f)
		_, err := ticket.Split(c, in, pipes, t0)
		var he *helpdesk.Error
		if !errors.As(err, &he) || he.Code != tc.code || he.Reason != tc.reason {
			t.Errorf("%s: %v, want %s %s", tc.name, err, tc.code, tc.reason)
		}
	}
	if _, err := ticket.Split(conv, ok, pipes, t0); err != nil {
		t.Fatalf("the base case: %v", err)
	}
}
