package storetest

import (
	"slices"
	"testing"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// An email's dedupe record keeps the mail's content fingerprint (so a
// different mail reusing its Message-ID is told from a redelivery), and the
// Reply-To, recipients and note of messages and tickets read back.
func testMailRecordsReadBack(t *testing.T, f *fixture) {
	s, ctx := f.st, f.ctx
	tk, msg := newTicket("1", "c1")
	tk.ReplyTo = []string{"ann.private@example.org"}
	msg.ReplyTo = []string{"ann.private@example.org"}
	msg.Note = "reused a Message-ID"
	out := msg
	out.ID, out.Direction, out.To, out.Note, out.ReplyTo = "m-out", helpdesk.Outbound, []string{"ann.private@example.org"}, "", nil
	c := create(tk, msg, nil, "", []string{"msgid#x@example.com"}, "email#x@example.com")
	c.Messages = append(c.Messages, out)
	c.Dedupe.Fingerprint = "9f86d081884c7d65"
	if err := s.Commit(ctx, c); err != nil {
		t.Fatal(err)
	}
	rec, err := s.FindDedupe(ctx, "email#x@example.com")
	if err != nil || rec.Fingerprint != "9f86d081884c7d65" || rec.TicketID != "1" {
		t.Fatalf("FindDedupe = %+v, %v", rec, err)
	}
	conv, err := s.GetTicket(ctx, "1")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(conv.Ticket.ReplyTo, tk.ReplyTo) {
		t.Errorf("ticket reply_to = %v", conv.Ticket.ReplyTo)
	}
	for _, m := range conv.Messages {
		switch m.ID {
		case msg.ID:
			if !slices.Equal(m.ReplyTo, msg.ReplyTo) || m.Note != msg.Note {
				t.Errorf("inbound message = %+v", m)
			}
		case out.ID:
			if !slices.Equal(m.To, out.To) {
				t.Errorf("outbound message = %+v", m)
			}
		}
	}
}
