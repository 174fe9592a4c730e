package desk

import (
	"context"
	"errors"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// This file reads where a portal customer without an email address is
// told of a portal-only reply (ticket.PortalOnly): their latest Messenger
// or WhatsApp conversation. The model decides whether it may go.

// ContactChats lists a contact's tickets, newest first (both stores have
// it); a Store without it tells portal-only customers nothing.
type ContactChats interface {
	ContactTickets(ctx context.Context, contactID string, limit int32) ([]helpdesk.Ticket, error)
}

// contactChatsScanned bounds the contact's tickets read to find their
// latest conversation.
const contactChatsScanned = 50

// portalChatReach adds to r the contact's latest Messenger or WhatsApp
// conversation (the one they last wrote in, on an enabled channel) and
// whether their sender key there is blocked.
func (s *Service) portalChatReach(ctx context.Context, cs Customers, t helpdesk.Ticket, r ticket.CustomerReach) (ticket.CustomerReach, error) {
	lister, ok := s.Store.(ContactChats)
	if !ok {
		return r, nil
	}
	ts, err := lister.ContactTickets(ctx, t.ContactID, contactChatsScanned)
	if err != nil {
		return r, err
	}
	var best helpdesk.Ticket
	for _, ct := range ts {
		if ct.ChannelKind != helpdesk.ChannelMessenger && ct.ChannelKind != helpdesk.ChannelWhatsApp {
			continue
		}
		if ct.State == helpdesk.StateSpam || ct.State == helpdesk.StateMerged || ct.LastCustomerMessageAt.IsZero() {
			continue
		}
		if best.ID == "" || ct.LastCustomerMessageAt.After(best.LastCustomerMessageAt) {
			best = ct
		}
	}
	if best.ID == "" {
		return r, nil // no conversation: the model skips it (no_address)
	}
	ch, err := s.Store.GetChannel(ctx, best.ChannelID)
	switch {
	case errors.Is(err, helpdesk.ErrNotFound) || helpdesk.IsCode(err, helpdesk.ENotFound):
		return r, nil
	case err != nil:
		return r, err
	case ch.Disabled:
		return r, nil
	}
	c := r.Contact
	key := helpdesk.Sender{Email: c.Email, PageID: c.PageID, PSID: c.PSID, WhatsAppID: c.WhatsAppID, WhatsAppUserID: c.WhatsAppUserID}.Key(ch.Kind)
	blocked, err := cs.IsBlocked(ctx, key)
	if err != nil {
		return r, err
	}
	r.Blocked = r.Blocked || blocked
	r.Chat = &ticket.ChatReach{Channel: ch, LastCustomerMessageAt: best.LastCustomerMessageAt}
	return r, nil
}
