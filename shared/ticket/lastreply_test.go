package ticket_test

import (
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// An agent's reply records who answered and when on the ticket (the
// portal's "who answered" and badge); a note does not, nor does a later
// change without a reply.
func TestAgentReplyIsRecordedOnTheTicket(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	ch := helpdesk.Channel{ID: "email:help@acme.example", Kind: helpdesk.ChannelEmail, Email: &helpdesk.EmailSettings{Address: "help@acme.example"}}
	tk := helpdesk.Ticket{ID: "7", Subject: "Refund", State: helpdesk.StateOpen, Pipeline: "support", Status: "new",
		ChannelID: ch.ID, ChannelKind: ch.Kind, ContactID: "c1", OwnerID: "ann", CreatedAt: t0, UpdatedAt: t0, Version: 1}
	contact := &helpdesk.Contact{ID: "c1", Email: "cus@example.com"}
	aud := ticket.Audience{"ann": helpdesk.Principal{Agent: helpdesk.Agent{ID: "ann"}}, "bob": helpdesk.Principal{Agent: helpdesk.Agent{ID: "bob"}}}

	c, _, err := ticket.Note(tk, ticket.NoteInput{AgentID: "bob", Text: "internal"}, aud, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if n := c.Ticket(); !n.LastAgentReplyAt.IsZero() || n.LastAgentReplyBy != "" {
		t.Fatalf("a note set the last reply: %v by %q", n.LastAgentReplyAt, n.LastAgentReplyBy)
	}
	c, _, err = ticket.Reply(*c.Ticket(), ch, ticket.ReplyInput{AgentID: "ann", Text: "On it.", Contact: contact}, t0.Add(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	n := *c.Ticket()
	if !n.LastAgentReplyAt.Equal(t0.Add(2*time.Minute)) || n.LastAgentReplyBy != "ann" {
		t.Fatalf("after the reply: %v by %q, want %v by ann", n.LastAgentReplyAt, n.LastAgentReplyBy, t0.Add(2*time.Minute))
	}
	c, _, err = ticket.Note(n, ticket.NoteInput{AgentID: "bob", Text: "later note"}, aud, t0.Add(3*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if m := c.Ticket(); !m.LastAgentReplyAt.Equal(n.LastAgentReplyAt) || m.LastAgentReplyBy != "ann" {
		t.Fatalf("a later note moved the last reply: %v by %q", m.LastAgentReplyAt, m.LastAgentReplyBy)
	}
}
