package desk

import (
	"context"
	"errors"
	"fmt"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// This file tells a ticket's customer of what agents do to it (issue 14):
// every agent decision committed through change asks the model
// (ticket.TellCustomer) with what it reads here about the customer.

// Customers is what deciding a customer notification reads besides the
// ticket: the contact's opt-outs and whether their sender is blocked.
type Customers interface {
	OptOuts(ctx context.Context, contactID string) ([]helpdesk.CustomerNotifyKind, error)
	IsBlocked(ctx context.Context, senderKey string) (bool, error)
}

// customers is Service.Customers, else the Store's own; nil: customer
// notifications are off (a store without opt-outs cannot honour them).
func (s *Service) customers() Customers {
	if s.Customers != nil {
		return s.Customers
	}
	if c, ok := s.Store.(Customers); ok {
		return c
	}
	return nil
}

// tellCustomer adds to c the customer notifications it calls for.
func (s *Service) tellCustomer(ctx context.Context, c *ticket.Change, set helpdesk.Settings) error {
	cs := s.customers()
	if cs == nil || !c.MayTellCustomer(set) {
		return nil
	}
	t := c.Ticket()
	r, err := s.customerReach(ctx, cs, *t)
	if err != nil {
		return fmt.Errorf("read the customer of ticket %s: %w", t.ID, err)
	}
	c.TellCustomer(r, set, s.Now())
	return nil
}

// customerReach reads the ticket's contact, their opt-outs, whether their
// sender key on the ticket's channel is blocked, and the email channel an
// email customer is written from (the ticket's own, else the default).
func (s *Service) customerReach(ctx context.Context, cs Customers, t helpdesk.Ticket) (ticket.CustomerReach, error) {
	var r ticket.CustomerReach
	contact, err := s.Store.GetContact(ctx, t.ContactID)
	switch {
	case errors.Is(err, helpdesk.ErrNotFound):
		return r, nil // nobody to tell: the model skips it (no_address)
	case err != nil:
		return r, err
	}
	r.Contact = contact
	if r.OptedOut, err = cs.OptOuts(ctx, contact.ID); err != nil {
		return r, err
	}
	key := helpdesk.Sender{Email: contact.Email, PageID: contact.PageID, PSID: contact.PSID,
		WhatsAppID: contact.WhatsAppID, WhatsAppUserID: contact.WhatsAppUserID}.Key(t.ChannelKind)
	if r.Blocked, err = cs.IsBlocked(ctx, key); err != nil {
		return r, err
	}
	if ticket.PortalOnly(t, contact) { // portalreply.go
		return s.portalChatReach(ctx, cs, t, r)
	}
	switch t.ChannelKind {
	case helpdesk.ChannelMessenger, helpdesk.ChannelWhatsApp:
		return r, nil
	case helpdesk.ChannelEmail:
		ch, err := s.Store.GetChannel(ctx, t.ChannelID)
		switch {
		case err == nil && ch.Email != nil && !ch.Disabled:
			r.Email = &ch
			return r, nil
		case err != nil && !errors.Is(err, helpdesk.ErrNotFound):
			return r, err
		}
	}
	r.Email, err = s.defaultEmail(ctx)
	if helpdesk.IsCode(err, helpdesk.EConflict) {
		return r, nil // no usable default channel: the model skips it (no_email_channel)
	}
	return r, err
}
