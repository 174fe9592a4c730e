package ingest

import (
	"context"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// author is the message's contact, read from the store at most once per
// attempt however many decisions need it (consent, contact-owner routing,
// the profile ask); a contact created by the message is never read.
type author struct {
	s  *Service
	id string
	c  *helpdesk.Contact
}

// get returns the contact, reading it the first time; a failed read is
// tried again on the next call.
func (a *author) get(ctx context.Context) (helpdesk.Contact, error) {
	if a.c != nil {
		return *a.c, nil
	}
	c, err := a.s.Store.GetContact(ctx, a.id)
	if err != nil {
		return helpdesk.Contact{}, err
	}
	a.c = &c
	return c, nil
}

// askProfile has the change that applies a Messenger message also ask for
// the sender's name (a contact.profile job in the ticket's outbox, for the
// outbound function), when the contact is new or still has no name (a
// fetch that failed is retried on a message a day later). A contact that
// cannot be read is asked about on a later message: a name never holds up
// a message.
func (s *Service) askProfile(ctx context.Context, c *ticket.Change, m *helpdesk.InboundMessage, a *author) {
	if m.Channel != helpdesk.ChannelMessenger {
		return
	}
	contact, err := a.get(ctx)
	if err != nil {
		s.Log.WarnContext(ctx, "contact not read; its name is asked for on a later message", "contact_id", a.id, "error", err)
		return
	}
	if now := s.Now(); ticket.NeedsProfile(contact, now) {
		ticket.AskProfile(c, contact, m.ChannelID, now)
	}
}
