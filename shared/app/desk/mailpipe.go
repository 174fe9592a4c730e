package desk

import (
	"context"
	"errors"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// replyContact reads the contact an email reply may go to, for the model
// to decide the recipients (ticket.ReplyRecipients); nil for a reply on
// another channel. A contact that is gone has no address.
func (s *Service) replyContact(ctx context.Context, t helpdesk.Ticket, ch helpdesk.Channel) (*helpdesk.Contact, error) {
	if ch.Kind != helpdesk.ChannelEmail {
		return nil, nil
	}
	c, err := s.Store.GetContact(ctx, t.ContactID)
	if errors.Is(err, helpdesk.ErrNotFound) {
		return &helpdesk.Contact{ID: t.ContactID}, nil
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}
