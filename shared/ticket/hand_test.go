package ticket_test

import (
	"slices"
	"testing"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/threading"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

func TestReplyViaEmailForTicketsWhoseChannelCannotReply(t *testing.T) {
	formTicket := owned(t)
	jane := helpdesk.Contact{ID: "c1", Email: "jane@example.com"}
	ch, err := ticket.ReplyVia(formTicket, &form, &mail, jane)
	if err != nil || ch.ID != mail.ID {
		t.Fatalf("a form ticket: %v %v, want the email channel", ch.ID, err)
	}
	for _, c := range []struct {
		email   *helpdesk.Channel
		contact helpdesk.Contact
		want    string
	}{{nil, jane, "no_email_channel"}, {&form, jane, "no_email_channel"}, {&mail, helpdesk.Contact{ID: "c1"}, "contact_has_no_email"}} {
		if _, err := ticket.ReplyVia(formTicket, &form, c.email, c.contact); helpdesk.ErrorReason(err) != c.want {
			t.Errorf("ReplyVia: %v, want %s", err, c.want)
		}
	}
	mailTicket := formTicket
	mailTicket.ChannelKind, mailTicket.ChannelID = helpdesk.ChannelEmail, mail.ID
	other := mail
	other.ID = "email:other@acme.example"
	if ch, err := ticket.ReplyVia(mailTicket, &mail, &other, helpdesk.Contact{}); err != nil || ch.ID != mail.ID {
		t.Fatalf("an email ticket: %v %v, want its own channel", ch.ID, err)
	}
	if _, err := ticket.ReplyVia(mailTicket, nil, &other, jane); helpdesk.ErrorReason(err) != "channel_missing" {
		t.Fatalf("an email ticket whose channel is gone: %v", err)
	}

	// The email reply registers its Message-ID and the ticket's own key,
	// so both the In-Reply-To and the reply-token address lead back.
	c, msg, err := ticket.Reply(formTicket, mail, ticket.ReplyInput{AgentID: "ann", Text: "Hello"}, t0)
	if err != nil || msg.ChannelID != mail.ID || msg.EmailMessageID == "" {
		t.Fatalf("reply: %+v %v", msg, err)
	}
	var keys []string
	for _, k := range c.ThreadKeys {
		keys = append(keys, k.Key)
	}
	if !slices.Equal(keys, []string{threading.MessageKey(msg.EmailMessageID), threading.TicketKey("7")}) {
		t.Fatalf("thread keys %v", keys)
	}
}

func TestReplyAndSetStatusIsOneChange(t *testing.T) {
	tk := owned(t)
	c, msg, err := ticket.ReplyAndSetStatus(tk, mail, ticket.ReplyInput{AgentID: "ann", Text: "Done"}, "closed", nil, pipes, t0)
	n := c.Ticket()
	if err != nil || n.State != helpdesk.StateClosed || n.Version != tk.Version+1 || len(c.Messages) != 1 || c.Messages[0].ID != msg.ID {
		t.Fatalf("reply and close: %+v %v", n, err)
	}
	if len(c.Loads) != 1 || c.Loads[0].AgentID != "ann" || c.Loads[0].Delta != -1 {
		t.Fatalf("loads %+v, want ann's count down by one", c.Loads)
	}
	if len(c.Jobs) != 1 || n.Outbox[msg.ID] == "" {
		t.Fatalf("jobs %v, outbox %v", c.Jobs, n.Outbox)
	}
	// An unassigned ticket becomes the replier's and closes: never counted.
	free := tk
	free.OwnerID, free.AssignedAt = "", t0.AddDate(0, 0, -1)
	c, _, _ = ticket.ReplyAndSetStatus(free, mail, ticket.ReplyInput{AgentID: "bob", Text: "Done"}, "closed", nil, pipes, t0)
	if c.Ticket().OwnerID != "bob" || len(c.Loads) != 0 {
		t.Fatalf("owner %q loads %+v", c.Ticket().OwnerID, c.Loads)
	}
	if _, _, err := ticket.ReplyAndSetStatus(tk, mail, ticket.ReplyInput{AgentID: "ann", Text: "x"}, "done", nil, pipes, t0); helpdesk.ErrorReason(err) != "unknown_status" {
		t.Fatalf("an unknown status: %v", err)
	}
	if s, err := ticket.ClosingStatus(pipes, "support"); s != "closed" || err != nil {
		t.Fatalf("ClosingStatus = %q, %v", s, err)
	}
}

func TestCreateByHand(t *testing.T) {
	jane := helpdesk.Contact{ID: "c9", Email: "jane@example.com"}
	in := ticket.NewTicket{ID: "42", Kind: ticket.HandEmail, Subject: " Order ", Text: "It shipped.", Contact: jane,
		ContactKey: "email#jane@example.com", Email: &mail, Send: true, AgentID: "bob", Priority: helpdesk.PriorityHigh}
	c, msg, err := ticket.Create(in, pipes, t0)
	if err != nil {
		t.Fatal(err)
	}
	tk := c.Ticket()
	if tk.ID != "42" || tk.Subject != "Order" || tk.OwnerID != "bob" || tk.ChannelID != mail.ID || tk.Priority != helpdesk.PriorityHigh ||
		tk.State != helpdesk.StateOpen || tk.Status != "new" || c.Tickets[0].Before != nil || tk.Unread {
		t.Fatalf("ticket %+v", tk)
	}
	if msg.Direction != helpdesk.Outbound || msg.AuthorAgentID != "bob" || msg.Status != helpdesk.StatusQueued || msg.EmailMessageID == "" {
		t.Fatalf("first message %+v", msg)
	}
	if !slices.Contains(tk.ThreadKeys, threading.TicketKey("42")) || !slices.Contains(tk.ThreadKeys, threading.MessageKey(msg.EmailMessageID)) {
		t.Fatalf("thread keys %v", tk.ThreadKeys)
	}
	if len(c.Jobs) != 1 || len(c.Loads) != 1 || c.Loads[0].AgentID != "bob" || c.Loads[0].Delta != 1 {
		t.Fatalf("jobs %v loads %+v", c.Jobs, c.Loads)
	}

	other := in
	other.Kind, other.Send, other.Email, other.Owner = ticket.HandOther, false, nil, &ann
	c, msg, err = ticket.Create(other, pipes, t0)
	if err != nil || c.Ticket().ChannelKind != helpdesk.ChannelOther || msg.Direction != helpdesk.Inbound || msg.AuthorContactID != "c9" ||
		c.Jobs[msg.ID] != "" || c.Ticket().OwnerID != "ann" || len(c.Notifications) != 1 {
		t.Fatalf("other ticket %+v %+v %v", c.Ticket(), msg, err)
	}
	for _, bad := range []struct {
		edit func(*ticket.NewTicket)
		want string
	}{
		{func(n *ticket.NewTicket) { n.Kind = "fax" }, "unknown_type"},
		{func(n *ticket.NewTicket) { n.Subject = " " }, "subject_required"},
		{func(n *ticket.NewTicket) { n.Text = "" }, "text_required"},
		{func(n *ticket.NewTicket) { n.Kind, n.Email = ticket.HandOther, nil }, "cannot_send"},
		{func(n *ticket.NewTicket) { n.Email = nil }, "no_email_channel"},
		{func(n *ticket.NewTicket) { n.Contact.Email = "" }, "contact_has_no_email"},
		{func(n *ticket.NewTicket) { n.Priority = "asap" }, "unknown_priority"},
		{func(n *ticket.NewTicket) { n.Owner = &helpdesk.Agent{ID: "vic", Active: true} }, "no_seat"},
	} {
		n := in
		bad.edit(&n)
		if _, _, err := ticket.Create(n, pipes, t0); helpdesk.ErrorReason(err) != bad.want {
			t.Errorf("Create: %v, want %s", err, bad.want)
		}
	}
}
