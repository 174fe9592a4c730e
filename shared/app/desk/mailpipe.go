package desk

import (
	"context"
	"errors"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// replyContact reads the contact an email reply may go to, for the model
// to decide the recipients (ticket.ReplyRecipients); nil for a reply on
// another channel, or when the contact is not there to read (the sender
// then addresses the reply as it always did).
func (s *Service) replyContact(ctx context.Context, t helpdesk.Ticket, ch helpdesk.Channel) (*helpdesk.Contact, error) {
	if ch.Kind != helpdesk.ChannelEmail {
		return nil, nil
	}
	c, err := s.Store.GetContact(ctx, t.ContactID)
	if errors.Is(err, helpdesk.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}
