package ingest_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

func byID(ms []helpdesk.Message, id string) helpdesk.Message {
	for _, m := range ms {
		if m.ID == id {
			return m
		}
	}
	return helpdesk.Message{}
}

func waText(from, id, text string, at time.Time) *helpdesk.InboundMessage {
	return &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelWhatsApp,
		ChannelID: "whatsapp:" + fixturePhone, ProviderMessageID: id, ReceivedAt: at,
		Sender: helpdesk.Sender{WhatsAppID: from}, Text: text}
}

// systemNotice returns the fixture's system message for msgID, decoded.
func systemNotice(t *testing.T, msgID string) *helpdesk.InboundMessage {
	t.Helper()
	b := fixtureBatch(t, "whatsapp_system.json")
	for i := range b.Messages {
		if b.Messages[i].ProviderMessageID == msgID {
			if b.Messages[i].System == nil {
				t.Fatalf("%s decoded without its system event", msgID)
			}
			return &b.Messages[i]
		}
	}
	t.Fatalf("no %s in whatsapp_system.json", msgID)
	return nil
}

// A changed number is a note on the customer's ticket, not their message,
// and their contact takes the new number, in one transaction: what they
// write from the new number joins the same contact and ticket.
func TestWhatsAppChangedNumberNotesTheTicketAndMovesTheContact(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		ctx := context.Background()
		d := newChatDesk(t, backend, helpdesk.MessengerSettings{})
		first := d.apply(t, waText("16505551234", "wamid.FIRST", "Where is my order?", t0))
		before := d.conv(t, first.TicketID)

		notice := systemNotice(t, "wamid.SYS1") // 16505551234 → 12195555358
		res := d.apply(t, notice)
		if res.TicketID != first.TicketID || res.Created || res.Reason != ingest.ReasonSystemNote {
			t.Fatalf("system notice: %+v", res)
		}
		c := d.conv(t, first.TicketID)
		last := byID(c.Messages, res.MessageID)
		if len(c.Messages) != len(before.Messages)+1 || last.Direction != helpdesk.Note || last.AuthorAgentID != "" ||
			last.AuthorContactID != "" || last.ThreadReason != ticket.ReasonSystem ||
			last.Text != "User Sheena Nelson changed from 16505551234 to 12195555358" || last.Submission[ingest.RawSubmissionKey] == "" {
			t.Fatalf("note = %+v", last)
		}
		if c.Ticket.Unread != before.Ticket.Unread || c.Ticket.Status != before.Ticket.Status ||
			!c.Ticket.LastCustomerMessageAt.Equal(before.Ticket.LastCustomerMessageAt) {
			t.Fatalf("the notice changed the ticket as a customer message would: %+v", c.Ticket)
		}
		contact, err := d.st.GetContact(ctx, c.Ticket.ContactID)
		if err != nil || contact.WhatsAppID != "12195555358" {
			t.Fatalf("contact = %+v, %v", contact, err)
		}
		for _, key := range []string{"whatsapp#12195555358", "whatsapp#16505551234"} {
			if id, err := d.st.FindContactID(ctx, key); err != nil || id != contact.ID {
				t.Fatalf("%s leads to %q, %v", key, id, err)
			}
		}
		if again := d.apply(t, notice); !again.Duplicate {
			t.Fatalf("redelivered notice: %+v", again)
		}
		next := d.apply(t, waText("12195555358", "wamid.NEWNUMBER", "It's me, new number", t0.Add(time.Minute)))
		if next.TicketID != first.TicketID || next.Created {
			t.Fatalf("message from the new number: %+v; want ticket %s", next, first.TicketID)
		}
		if got := d.conv(t, first.TicketID).Messages; got[len(got)-1].AuthorContactID != contact.ID {
			t.Fatalf("message from the new number by %q, want %q", got[len(got)-1].AuthorContactID, contact.ID)
		}
	})
}

func TestWhatsAppSystemNoticesWithoutAContactOrANewNumber(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		ctx := context.Background()
		d := newChatDesk(t, backend, helpdesk.MessengerSettings{})
		// Never seen: nothing to note, nothing opened.
		if res := d.apply(t, systemNotice(t, "wamid.SYS2")); res.TicketID != "" || res.Reason != ingest.ReasonSystemNoContact {
			t.Fatalf("notice about a stranger: %+v", res)
		}
		if _, err := d.st.FindContactID(ctx, "whatsapp#447700900999"); err == nil {
			t.Fatal("a contact was created for a stranger's new number")
		}
		// A security-code change: a note only.
		first := d.apply(t, waText("5215512345678", "wamid.LUIS", "Hola", t0))
		res := d.apply(t, systemNotice(t, "wamid.SYS3"))
		c := d.conv(t, first.TicketID)
		if res.TicketID != first.TicketID || byID(c.Messages, res.MessageID).Text != "Luis's security code changed" {
			t.Fatalf("identity notice: %+v", res)
		}
		if contact, _ := d.st.GetContact(ctx, c.Ticket.ContactID); contact.WhatsAppID != "5215512345678" {
			t.Fatalf("contact changed: %+v", contact)
		}
	})
}

// The customer wrote from the new number before the notice came: that
// number is another contact's, which keeps it; the note says so.
func TestWhatsAppChangedNumberAlreadyAnotherContact(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		ctx := context.Background()
		d := newChatDesk(t, backend, helpdesk.MessengerSettings{})
		kai := d.apply(t, waText("447700900123", "wamid.KAI", "hi", t0))
		other := d.apply(t, waText("447700900999", "wamid.KAI2", "hi from my new phone", t0.Add(time.Second)))
		res := d.apply(t, systemNotice(t, "wamid.SYS2"))
		c := d.conv(t, kai.TicketID)
		note := byID(c.Messages, res.MessageID)
		if res.TicketID != kai.TicketID || !strings.Contains(note.Text, "whatsapp#447700900999 already belongs to another contact") {
			t.Fatalf("note = %q (%+v)", note.Text, res)
		}
		if id, _ := d.st.FindContactID(ctx, "whatsapp#447700900999"); id != d.conv(t, other.TicketID).Ticket.ContactID {
			t.Fatalf("the new number moved to %q", id)
		}
		if contact, _ := d.st.GetContact(ctx, c.Ticket.ContactID); contact.WhatsAppID != "447700900123" {
			t.Fatalf("contact changed: %+v", contact)
		}
	})
}

// Kinds kept as text keep their payload on the stored message.
func TestUnsupportedKindKeepsItsRawPayload(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, backend testbed.Backend) {
		d := newChatDesk(t, backend, helpdesk.MessengerSettings{})
		b := fixtureBatch(t, "whatsapp_unsupported.json")
		res := d.apply(t, &b.Messages[2]) // a poll
		c := d.conv(t, res.TicketID)
		m := c.Messages[0]
		if m.Text != "unsupported message (poll)" || !strings.Contains(m.Submission[ingest.RawSubmissionKey], `"question":"Which colour?"`) {
			t.Fatalf("message = %q, submission %v", m.Text, m.Submission)
		}
	})
}
