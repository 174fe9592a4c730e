package ingest

import (
	"context"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// askProfile has the change that applies a Messenger message also ask for
// the sender's name (a contact.profile job in the ticket's outbox, for the
// outbound function), when the contact is new or still has no name (a
// fetch that failed is retried on a message a day later). A contact that
// cannot be read is asked about on a later message: a name never holds up
// a message.
func (s *Service) askProfile(ctx context.Context, c *ticket.Change, m *helpdesk.InboundMessage, contactID string, newContact *helpdesk.Contact) {
	if m.Channel != helpdesk.ChannelMessenger {
		return
	}
	contact := newContact
	if contact == nil {
		known, err := s.Store.GetContact(ctx, contactID)
		if err != nil {
			s.Log.WarnContext(ctx, "contact not read; its name is asked for on a later message", "contact_id", contactID, "error", err)
			return
		}
		contact = &known
	}
	if now := s.Now(); ticket.NeedsProfile(*contact, now) {
		ticket.AskProfile(c, *contact, m.ChannelID, now)
	}
}
