package ticket_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// statusActivities lists a change's status moves as "from>to by actor".
func statusActivities(c ticket.Change) []string {
	var out []string
	for _, a := range c.Activities {
		if a.Kind == helpdesk.ActivityStatus {
			out = append(out, a.From+">"+a.To+" by "+a.ActorID)
		}
	}
	return out
}

// The customer closes and reopens their own ticket: version-conditioned
// changes, recorded as theirs, the owner told; never another's ticket, a
// closed ticket closed again or an open one reopened; the customer is not
// told of what they did.
func TestCustomerCloseAndReopen(t *testing.T) {
	tk := owned(t)
	aud := ticket.Audience{"ann": helpdesk.Principal{Agent: ann}}
	at := t0.Add(time.Hour)

	c, err := ticket.CustomerClose(tk, "c1", aud, pipes, at)
	if err != nil {
		t.Fatal(err)
	}
	closed := c.Ticket()
	if len(c.Tickets) != 1 || c.Tickets[0].Before.Version != tk.Version || closed.Version != tk.Version+1 ||
		closed.State != helpdesk.StateClosed || closed.Status != "closed" || !closed.ClosedAt.Equal(at) {
		t.Fatalf("close: %+v", closed)
	}
	if got := statusActivities(c); len(got) != 1 || got[0] != "new>closed by contact:c1" {
		t.Fatalf("close activities %v", got)
	}
	if len(c.Notifications) != 1 || c.Notifications[0].Kind != helpdesk.NotifyStatus || c.Notifications[0].ActorID != "contact:c1" {
		t.Fatalf("close notifications %+v, want the owner told", c.Notifications)
	}
	if len(c.Loads) != 1 || c.Loads[0].AgentID != "ann" || c.Loads[0].Delta != -1 {
		t.Fatalf("close loads %+v, want ann's count down", c.Loads)
	}
	if n := c.TellCustomer(reach, pipes, at); len(n) != 0 || len(customerJobs(t, c)) != 0 {
		t.Fatalf("the customer is told of their own close: %+v", n)
	}

	for _, tc := range []struct {
		name string
		err  error
		do   func() (ticket.Change, error)
	}{
		{"close a closed ticket", ticket.ErrAlreadyClosed, func() (ticket.Change, error) { return ticket.CustomerClose(*closed, "c1", aud, pipes, at) }},
		{"reopen an open ticket", ticket.ErrNotClosed, func() (ticket.Change, error) { return ticket.CustomerReopen(tk, "c1", aud, pipes, at) }},
		{"close another's ticket", ticket.ErrNotTheirs, func() (ticket.Change, error) { return ticket.CustomerClose(tk, "c2", aud, pipes, at) }},
		{"reopen another's ticket", ticket.ErrNotTheirs, func() (ticket.Change, error) { return ticket.CustomerReopen(*closed, "c2", aud, pipes, at) }},
		{"no contact", ticket.ErrNotTheirs, func() (ticket.Change, error) { return ticket.CustomerClose(tk, "", aud, pipes, at) }},
	} {
		if _, err := tc.do(); !errors.Is(err, tc.err) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.err)
		}
	}
	spam := tk
	spam.State = helpdesk.StateSpam
	if _, err := ticket.CustomerClose(spam, "c1", aud, pipes, at); !errors.Is(err, ticket.ErrNotTheirs) {
		t.Errorf("close a spam ticket: %v", err)
	}

	c, err = ticket.CustomerReopen(*closed, "c1", aud, pipes, at.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if r := c.Ticket(); r.State != helpdesk.StateOpen || r.Status != "new" || r.Version != closed.Version+1 {
		t.Fatalf("reopen: %+v", r)
	}
	if got := statusActivities(c); len(got) != 1 || got[0] != "closed>new by contact:c1" {
		t.Fatalf("reopen activities %v", got)
	}
	if len(c.Notifications) != 1 || c.Notifications[0].Kind != helpdesk.NotifyStatus {
		t.Fatalf("reopen notifications %+v", c.Notifications)
	}
	if n := c.TellCustomer(reach, pipes, at); len(n) != 0 {
		t.Fatalf("the customer is told of their own reopen: %+v", n)
	}
}

// A portal reply is an email reply's decision (it reopens a closed ticket,
// the owner is told of the message once), and with close it is closed in
// the same change; it does not open a chat ticket's reply window.
func TestCustomerReplyAndClose(t *testing.T) {
	tk := owned(t)
	aud := ticket.Audience{"ann": helpdesk.Principal{Agent: ann}}
	at := t0.Add(time.Hour)
	msg := helpdesk.Message{ID: "pm1", Direction: helpdesk.Inbound, ChannelID: helpdesk.PortalChannelID, ChannelKind: helpdesk.ChannelPortal,
		AuthorContactID: "c1", Text: "Thanks, solved.", CreatedAt: at}
	c, err := ticket.CustomerReply(tk, "c1", msg, "email#cus@example.com", true, aud, pipes, at)
	if err != nil {
		t.Fatal(err)
	}
	n := c.Ticket()
	if len(c.Messages) != 1 || n.State != helpdesk.StateClosed || n.Version != tk.Version+1 || !n.Unread || n.MessageCount != tk.MessageCount+1 {
		t.Fatalf("reply and close: %+v %+v", n, c.Messages)
	}
	if got := statusActivities(c); len(got) != 1 || got[0] != "new>closed by contact:c1" {
		t.Fatalf("activities %v", got)
	}
	if len(c.Notifications) != 1 || c.Notifications[0].Kind != helpdesk.NotifyCustomerMessage {
		t.Fatalf("notifications %+v, want the owner told once, of the message", c.Notifications)
	}

	// A reply to the closed ticket reopens it, as an email would.
	msg2 := msg
	msg2.ID, msg2.CreatedAt = "pm2", at.Add(time.Minute)
	c, err = ticket.CustomerReply(*n, "c1", msg2, "email#cus@example.com", false, aud, pipes, at.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if r := c.Ticket(); r.State != helpdesk.StateOpen {
		t.Fatalf("reply to a closed ticket: %+v", r)
	}
	if _, err := ticket.CustomerReply(*n, "c2", msg2, "email#x@example.com", false, aud, pipes, at); !errors.Is(err, ticket.ErrNotTheirs) {
		t.Fatalf("another's ticket: %v", err)
	}

	// A WhatsApp ticket's window stays where the customer's last WhatsApp message left it.
	wa := tk
	wa.ChannelKind, wa.LastCustomerMessageAt = helpdesk.ChannelWhatsApp, t0
	c, err = ticket.CustomerReply(wa, "c1", msg, "whatsapp#15550001", false, aud, pipes, at)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Ticket().LastCustomerMessageAt.Equal(t0) {
		t.Fatalf("a portal message moved the WhatsApp window to %v", c.Ticket().LastCustomerMessageAt)
	}
}
