package ticket_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// openMail opens ticket 7 from an email whose Reply-To is replyTo.
func openMail(t *testing.T, replyTo ...string) helpdesk.Ticket {
	t.Helper()
	m := inbound(mail, "a@x", t0)
	msg := helpdesk.Message{ID: "m-a", Direction: helpdesk.Inbound, ChannelID: mail.ID, ChannelKind: mail.Kind,
		Text: m.Text, CreatedAt: t0, ReplyTo: replyTo}
	c, _ := ticket.Open(ticket.Arrival{ID: "7", Inbound: m, Message: msg, Channel: mail, ContactID: "c1",
		SenderKey: m.Sender.Key(mail.Kind)}, pipes, t0)
	return *c.Ticket()
}

func appendMail(t *testing.T, tk helpdesk.Ticket, id string, replyTo ...string) helpdesk.Ticket {
	t.Helper()
	msg := helpdesk.Message{ID: id, Direction: helpdesk.Inbound, ChannelID: mail.ID, ChannelKind: mail.Kind, Text: "more",
		CreatedAt: t0.Add(time.Hour), ReplyTo: replyTo}
	c, err := ticket.Append(tk, msg, "email#cus@example.com", nil, nil, pipes, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return *c.Ticket()
}

// Replies go to the Reply-To of the latest customer mail, else to the
// contact (the From person); the desk's own address is never a recipient.
func TestReplyGoesToTheLatestReplyTo(t *testing.T) {
	contact := &helpdesk.Contact{ID: "c1", Name: "Cus", Email: "cus@example.com"}
	reply := func(tk helpdesk.Ticket) []string {
		t.Helper()
		_, msg, err := ticket.Reply(tk, mail, ticket.ReplyInput{AgentID: "bob", Text: "On it.", Contact: contact}, t0.Add(2*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		return msg.To
	}
	tk := openMail(t, "cus.home@example.org")
	if !slices.Equal(tk.ReplyTo, []string{"cus.home@example.org"}) || tk.ContactID != "c1" {
		t.Fatalf("opened ticket reply_to %v, contact %s", tk.ReplyTo, tk.ContactID)
	}
	if got := reply(tk); !slices.Equal(got, []string{"cus.home@example.org"}) {
		t.Fatalf("reply to a Reply-To mail goes to %v", got)
	}
	// A later mail without Reply-To: answered at the contact again.
	later := appendMail(t, tk, "m-b")
	if len(later.ReplyTo) != 0 {
		t.Fatalf("reply_to after a mail without one = %v", later.ReplyTo)
	}
	if got := reply(later); !slices.Equal(got, []string{"cus@example.com"}) {
		t.Fatalf("reply goes to %v, want the contact", got)
	}
	// The desk's own address (a plus tag aside) is dropped from Reply-To;
	// duplicates are sent once.
	mixed := appendMail(t, tk, "m-c", "Support+t7.sig@acme.example", "a@example.org", "A@example.org", "b@example.org")
	if got := reply(mixed); !slices.Equal(got, []string{"a@example.org", "b@example.org"}) {
		t.Fatalf("reply goes to %v", got)
	}
	only := appendMail(t, tk, "m-d", "support@acme.example")
	if got := reply(only); !slices.Equal(got, []string{"cus@example.com"}) {
		t.Fatalf("reply goes to %v, want the contact", got)
	}
	// Not given the contact, the model leaves the address to the sender.
	if _, msg, err := ticket.Reply(later, mail, ticket.ReplyInput{AgentID: "bob", Text: "x"}, t0); err != nil || msg.To != nil {
		t.Fatalf("reply without the contact: %v, to %v", err, msg.To)
	}
}

// A ticket from a mail that gave no address cannot be answered by email:
// a 4xx with its reason, and nothing queued.
func TestReplyToAnUnknownSenderIsRefused(t *testing.T) {
	tk := openMail(t)
	unknown := &helpdesk.Contact{ID: "c1", Name: helpdesk.UnknownSenderName}
	c, _, err := ticket.Reply(tk, mail, ticket.ReplyInput{AgentID: "bob", Text: "Hello?", Contact: unknown}, t0)
	if helpdesk.ErrorReason(err) != "no_reply_address" || helpdesk.ErrorCode(err) != helpdesk.EInvalid || len(c.Tickets) != 0 {
		t.Fatalf("reply to an unknown sender: %v (change %+v)", err, c)
	}
	// Once an agent records an address on the contact, it is answered there.
	unknown.Email = "found@example.com"
	if _, msg, err := ticket.Reply(tk, mail, ticket.ReplyInput{AgentID: "bob", Text: "Hello?", Contact: unknown}, t0); err != nil ||
		!slices.Equal(msg.To, []string{"found@example.com"}) {
		t.Fatalf("reply after the address was added: %v, to %v", err, msg.To)
	}
}

// A mail that reuses a Message-ID with other content is its own provider
// message, with a note naming the ticket of the first.
func TestReusedMessageIDIsItsOwnMessage(t *testing.T) {
	msg := helpdesk.Message{ID: "m1", ProviderMessageID: "1@localhost"}
	fp := strings.Repeat("ab", 32)
	ticket.ReusedMessageID(&msg, "1@localhost", fp, ticket.Dedupe{TicketID: "12", MessageID: "m0"})
	if msg.ProviderMessageID != "1@localhost#abababababababab" || msg.ProviderMessageID != ticket.DistinctProviderID("1@localhost", fp) {
		t.Fatalf("provider id %q", msg.ProviderMessageID)
	}
	if !strings.Contains(msg.Note, "<1@localhost>") || !strings.Contains(msg.Note, "#12") {
		t.Fatalf("note %q", msg.Note)
	}
}
