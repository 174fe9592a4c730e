package desk

import (
	"context"

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

// portalChatReach adds to r the contact's latest Messenger or WhatsApp
// conversation (the one they last wrote in, on an enabled channel) and
// whether their sender key there is blocked.
func (s *Service) portalChatReach(ctx context.Context, cs Customers, t helpdesk.Ticket, r ticket.CustomerReach) (ticket.CustomerReach, error) {
	lister, ok := s.Store.(ContactChats)
	if !ok {
		return r, nil
	}
	ts, err := lister.ContactTickets(ctx, t.ContactID, ticket.ConversationsScanned)
	if err != nil {
		return r, err
	}
	best, found := ticket.LatestConversation(ts, func(ct helpdesk.Ticket) bool {
		return (ct.ChannelKind == helpdesk.ChannelMessenger || ct.ChannelKind == helpdesk.ChannelWhatsApp) && !ct.LastCustomerMessageAt.IsZero()
	})
	if !found {
		return r, nil // no conversation: the model skips it (no_address)
	}
	ch, err := s.Store.GetChannel(ctx, best.ChannelID)
	switch {
	case helpdesk.IsCode(err, helpdesk.ENotFound):
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
