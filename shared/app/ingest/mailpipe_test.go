package ingest_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/channel/email"
	"github.com/stackdesk/stackdesk/shared/channel/email/receive"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// The email pipeline's classes of issue 11 (a mail with no address, mails
// sharing a Message-ID, Reply-To), each from a real-shaped mail in
// receive/testdata through receive.Handler, the queue's JSON and Apply.

const mailFixtures = "../../channel/email/receive/testdata/"

// applyQueue stands for the ingest queue and the router: each message
// crosses as JSON, then is applied.
type applyQueue struct {
	svc     *ingest.Service
	results []ingest.Result
	sent    []*helpdesk.InboundMessage
}

func (q *applyQueue) EnqueueInbound(ctx context.Context, m *helpdesk.InboundMessage) error {
	body, err := json.Marshal(m)
	if err != nil {
		return err
	}
	var in helpdesk.InboundMessage
	if err := json.Unmarshal(body, &in); err != nil {
		return err
	}
	r, err := q.svc.Apply(ctx, &in)
	if err != nil {
		return err
	}
	q.sent, q.results = append(q.sent, &in), append(q.results, r)
	return nil
}

// receiveMail delivers a fixture to support@ under SES id sesID and
// returns what it became (nothing if it was not queued).
func (d *mailDesk) receiveMail(t *testing.T, sesID, file string) (ingest.Result, *helpdesk.InboundMessage, bool) {
	t.Helper()
	raw, err := os.ReadFile(mailFixtures + file)
	if err != nil {
		t.Fatal(err)
	}
	q := &applyQueue{svc: d.svc}
	h := &receive.Handler{Files: testbed.MailBucket{"inbound/" + sesID: raw}, Channels: d.st, Queue: q, Tenant: "acme",
		Prefix: "inbound/", Log: quiet}
	if err := h.Receive(context.Background(), receive.Delivery{ID: sesID, Recipients: []string{"support@acme.example"},
		Timestamp: d.clk.Add(time.Duration(len(sesID)) * time.Second)}); err != nil {
		t.Fatal(err)
	}
	if len(q.results) == 0 {
		return ingest.Result{}, nil, false
	}
	return q.results[0], q.sent[0], true
}

func (d *mailDesk) contact(t *testing.T, id string) helpdesk.Contact {
	t.Helper()
	c, err := d.st.GetContact(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// A mail that names no address anywhere becomes a ticket from an
// "Unknown sender" contact of its own (two such mails: two contacts; a
// redelivery: the same ticket, nothing new), and an agent's reply is
// refused with a reason rather than queued to nobody.
func TestMailWithNoAddressBecomesATicketFromAnUnknownSender(t *testing.T) {
	raw, err := os.ReadFile(mailFixtures + "unknown_sender.eml")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := email.Parse(raw, email.Options{Tenant: "acme"}); errors.Is(err, email.ErrMalformed) {
		// Parsed with an empty From once the sender-recovery work of issue
		// 11 is merged; until then the receive half cannot run.
		t.Skipf("the parser still refuses mail with no sender address: %v", err)
	}
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newMailDesk(t, backend, helpdesk.EmailSettings{})
		r, m, ok := d.receiveMail(t, "ses-scan-1", "unknown_sender.eml")
		if !ok || !r.Created {
			t.Fatalf("mail with no address: queued %v, %+v", ok, r)
		}
		conv := d.conv(t, r.TicketID)
		c := d.contact(t, conv.Ticket.ContactID)
		if c.Email != "" || c.Name == "" || m.Sender.UnknownID == "" {
			t.Fatalf("contact %+v, sender %+v", c, m.Sender)
		}
		if len(conv.Messages) != 1 || len(conv.Messages[0].Attachments) != 1 {
			t.Fatalf("messages %+v", conv.Messages)
		}
		if again, _, _ := d.receiveMail(t, "ses-scan-1", "unknown_sender.eml"); !again.Duplicate || again.TicketID != r.TicketID {
			t.Fatalf("redelivery: %+v", again)
		}
		_, _, err := d.tickets.Reply(context.Background(), r.TicketID, "bob", "Who are you?", "")
		if helpdesk.ErrorReason(err) != "no_reply_address" {
			t.Fatalf("reply to an unknown sender: %v", err)
		}
	})
}

// The same, from the message receive queues for such a mail, so it runs
// whatever the parser: two address-less mails are two contacts, never one.
func TestUnknownSendersAreNeverMerged(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newMailDesk(t, backend, helpdesk.EmailSettings{})
		unknown := func(id string) mailOpt {
			return func(m *helpdesk.InboundMessage) {
				m.Sender = helpdesk.Sender{UnknownID: id + "#" + m.ContentFingerprint()[:16]}
			}
		}
		a := d.mail(t, "scan-1@mx3070.local", "Scanned document", unknown("scan-1@mx3070.local"))
		b := d.mail(t, "scan-2@mx3070.local", "Scanned document", unknown("scan-2@mx3070.local"))
		ca, cb := d.conv(t, a.TicketID).Ticket.ContactID, d.conv(t, b.TicketID).Ticket.ContactID
		if !a.Created || !b.Created || ca == cb {
			t.Fatalf("two unknown senders: %+v %+v, contacts %s %s", a, b, ca, cb)
		}
		if c := d.contact(t, ca); c.Name != helpdesk.UnknownSenderName || c.Email != "" {
			t.Fatalf("contact %+v", c)
		}
		if again := d.mail(t, "scan-1@mx3070.local", "Scanned document", unknown("scan-1@mx3070.local")); !again.Duplicate {
			t.Fatalf("redelivery: %+v", again)
		}
		_, _, err := d.tickets.Reply(context.Background(), a.TicketID, "bob", "Who are you?", "")
		if helpdesk.ErrorReason(err) != "no_reply_address" || helpdesk.ErrorCode(err) != helpdesk.EInvalid {
			t.Fatalf("reply to an unknown sender: %v", err)
		}
		if n := len(d.conv(t, a.TicketID).Messages); n != 1 {
			t.Fatalf("the refused reply left %d messages", n)
		}
	})
}

// Two different mails with one Message-ID (a shop plugin that stamps the
// same one on everything) are two messages, the second noted and with its
// attachment; each one delivered again is a duplicate.
func TestDistinctMailsSharingAMessageIDAreBothKept(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newMailDesk(t, backend, helpdesk.EmailSettings{})
		a, _, _ := d.receiveMail(t, "ses-a1", "reused_msgid_a.eml")
		b, _, _ := d.receiveMail(t, "ses-b1", "reused_msgid_b.eml")
		if !a.Created || b.Duplicate || b.MessageID == a.MessageID {
			t.Fatalf("first %+v, second %+v", a, b)
		}
		// Unrelated mails: the second threads nowhere, so it is its own ticket.
		if b.TicketID == a.TicketID || !b.Created {
			t.Fatalf("a different mail reusing a Message-ID joined the first's ticket: %+v", b)
		}
		bc := d.conv(t, b.TicketID)
		mb := bc.Messages[0]
		if mb.ProviderMessageID != "1@localhost.localdomain#"+mb.ProviderMessageID[len("1@localhost.localdomain#"):] ||
			!strings.Contains(mb.Note, "<1@localhost.localdomain>") || !strings.Contains(mb.Note, "#"+a.TicketID) {
			t.Fatalf("second mail's message: provider id %q, note %q", mb.ProviderMessageID, mb.Note)
		}
		if len(mb.Attachments) != 1 || mb.Attachments[0].Name != "invoice-2211.pdf" || mb.Subject != "Invoice for order 2211" {
			t.Fatalf("second mail kept as %+v", mb)
		}
		if c := d.contact(t, bc.Ticket.ContactID); c.Email != "bob@shop.example" {
			t.Fatalf("second mail's contact %+v", c)
		}
		if am := d.conv(t, a.TicketID).Messages[0]; am.Note != "" || am.ProviderMessageID != "1@localhost.localdomain" {
			t.Fatalf("first mail's message %+v", am)
		}
		// Redeliveries (another SES id: delivered twice, or to two addresses).
		if r, _, _ := d.receiveMail(t, "ses-a2", "reused_msgid_a.eml"); !r.Duplicate || r.TicketID != a.TicketID || r.MessageID != a.MessageID {
			t.Fatalf("first mail again: %+v", r)
		}
		if r, _, _ := d.receiveMail(t, "ses-b2", "reused_msgid_b.eml"); !r.Duplicate || r.TicketID != b.TicketID || r.MessageID != b.MessageID {
			t.Fatalf("second mail again: %+v", r)
		}
		if n := len(d.conv(t, a.TicketID).Messages) + len(d.conv(t, b.TicketID).Messages); n != 2 {
			t.Fatalf("%d messages in all, want 2", n)
		}
	})
}

// A different mail reusing a Message-ID that is a reply joins the ticket it
// answers, as its own message.
func TestReusedMessageIDThreadsWhereItsHeadersLead(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newMailDesk(t, backend, helpdesk.EmailSettings{})
		root := d.mail(t, "root@mail.example", "Printer on fire")
		first := d.mail(t, "same@broken.example", "Re: Printer on fire", inReplyTo("root@mail.example"))
		second := d.mail(t, "same@broken.example", "Re: Printer on fire", inReplyTo("root@mail.example"), func(m *helpdesk.InboundMessage) {
			m.Text = "and the scanner too"
		})
		if first.TicketID != root.TicketID || second.TicketID != root.TicketID || second.Duplicate || second.MessageID == first.MessageID {
			t.Fatalf("root %+v, first %+v, second %+v", root, first, second)
		}
		c := d.conv(t, root.TicketID)
		if len(c.Messages) != 3 || c.Ticket.MessageCount != 3 || c.Messages[2].Note == "" || c.Messages[1].Note != "" {
			t.Fatalf("conversation %+v", c.Messages)
		}
	})
}

// Under SQS's at-least-once delivery, many routers applying copies of two
// different mails with one Message-ID at once make exactly two messages.
func TestDistinctMailsSharingAMessageIDConcurrently(t *testing.T) {
	d := newMailDesk(t, testbed.DynamoDB, helpdesk.EmailSettings{})
	e := env{svc: d.svc, st: d.st}
	const n = 12
	msgs := make([]*helpdesk.InboundMessage, n)
	for i := range msgs {
		who := []string{"ann@example.com", "bob@shop.example"}[i%2]
		msgs[i] = d.message("1@localhost.localdomain", "Hello from "+who, from(who), func(m *helpdesk.InboundMessage) {
			m.Text = "text from " + who
		})
	}
	res := race(t, e, n, func(i int) *helpdesk.InboundMessage { return msgs[i] })
	applied := map[string]string{} // message id → ticket
	for _, r := range res {
		applied[r.MessageID] = r.TicketID
	}
	if len(applied) != 2 {
		t.Fatalf("%d distinct messages applied, want 2: %+v", len(applied), res)
	}
	total := 0
	for msgID, ticketID := range applied {
		c := d.conv(t, ticketID)
		for _, m := range c.Messages {
			if m.ID == msgID {
				total++
			}
		}
	}
	if total != 2 {
		t.Fatalf("%d of the 2 messages stored", total)
	}
}

// A mail whose Reply-To differs from From: the contact is the From person,
// the message keeps its Reply-To, and the agent's reply is addressed to it.
func TestReplyToIsKeptAndAnswered(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newMailDesk(t, backend, helpdesk.EmailSettings{})
		r, _, _ := d.receiveMail(t, "ses-r1", "reply_to.eml")
		if !r.Created {
			t.Fatalf("%+v", r)
		}
		c := d.conv(t, r.TicketID)
		home := []string{"alice.martin.home@mail.example"}
		if !slices.Equal(c.Messages[0].ReplyTo, home) || !slices.Equal(c.Ticket.ReplyTo, home) {
			t.Fatalf("message reply_to %v, ticket reply_to %v", c.Messages[0].ReplyTo, c.Ticket.ReplyTo)
		}
		if ct := d.contact(t, c.Ticket.ContactID); ct.Email != "alice.martin@corp.example" {
			t.Fatalf("contact %+v, want the From person", ct)
		}
		msg, _, err := d.tickets.Reply(context.Background(), r.TicketID, "bob", "Sorry to hear that.", "")
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(msg.To, home) {
			t.Fatalf("reply addressed to %v, want %v", msg.To, home)
		}
	})
}
