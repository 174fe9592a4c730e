package send

import (
	"context"
	"errors"
	"fmt"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// This file sends a portal sign-in link in a customer's Messenger or
// WhatsApp conversation (issue 14): asked for by WhatsApp number on the
// portal (job.ToWhatsApp: link and code, in the contact's latest WhatsApp
// conversation, inside the 24-hour customer service window only), or by an
// agent for one chat ticket (job.TicketID: the link, inside that ticket's
// reply window). The window is decided as for agent replies
// (chatMessage). Outside it nothing is sent, and the reason is logged: the
// portal's answer was the same 202 either way. The message is not recorded
// on the ticket, because the link signs in as the customer and agents must
// not read it there.

func (s *Sender) sendPortalAccessChat(ctx context.Context, job jobs.PortalAccess) error {
	log := s.Log.With("contact_id", job.ContactID, "ticket_id", job.TicketID)
	drop := func(reason, detail string) error {
		log.InfoContext(ctx, "portal link not sent in the conversation", "reason", reason, "detail", detail)
		return nil
	}
	contact, err := s.Store.GetContact(ctx, job.ContactID)
	switch {
	case errors.Is(err, helpdesk.ErrNotFound):
		return drop("no_contact", "the contact no longer exists")
	case err != nil:
		return fmt.Errorf("portal link for %s: %w", job.ContactID, err)
	}
	var t helpdesk.Ticket
	if job.TicketID != "" {
		t, err = s.Store.GetTicketHeader(ctx, job.TicketID)
		switch {
		case errors.Is(err, helpdesk.ErrNotFound):
			return drop("no_ticket", "the ticket no longer exists")
		case err != nil:
			return fmt.Errorf("portal link on %s: %w", job.TicketID, err)
		case t.ContactID != job.ContactID:
			return drop("not_the_contacts", "the ticket is not the contact's")
		}
	} else {
		if contact.WhatsAppID != job.ToWhatsApp {
			return drop("number_changed", "the contact's WhatsApp number is not the one asked for")
		}
		var found bool
		if t, found, err = s.latestWhatsApp(ctx, job.ContactID); err != nil {
			return err
		}
		if !found {
			return drop("no_conversation", "the contact has no WhatsApp conversation")
		}
	}
	if t.State == helpdesk.StateSpam || t.State == helpdesk.StateMerged {
		return drop("ticket_"+string(t.State), "the conversation's ticket is "+string(t.State))
	}
	if job.TicketID == "" && t.ChannelKind != helpdesk.ChannelWhatsApp {
		return drop("not_whatsapp", "the conversation is not on WhatsApp")
	}
	ch, err := s.Store.GetChannel(ctx, t.ChannelID)
	switch {
	case helpdesk.IsCode(err, helpdesk.ENotFound):
		return drop("no_channel", "the channel "+t.ChannelID+" no longer exists")
	case err != nil:
		return fmt.Errorf("portal link on %s: %w", t.ID, err)
	}
	text := fmt.Sprintf("Here is your link to see your requests (it works once, until %s UTC):\n%s", job.ExpiresAt.UTC().Format("15:04"), job.Link)
	if job.Code != "" {
		text += "\n\nOr enter this code: " + job.Code
	}
	send, err := s.chatMessage(ch, contact, t.LastCustomerMessageAt, helpdesk.Message{Text: text})
	if err != nil {
		return drop(helpdesk.ErrorReason(err), helpdesk.ErrorMessage(err)) // outside the window, no recipient
	}
	providerID, err := s.sendGraph(ctx, ch.ID, send)
	var refused *refusal
	if errors.As(err, &refused) {
		return drop("refused", refused.reason)
	}
	if err != nil {
		return fmt.Errorf("portal link on %s: %w", t.ID, err) // retried by SQS until the link expires
	}
	log.InfoContext(ctx, "portal link sent in the conversation", "channel", ch.ID, "provider_message_id", providerID)
	return nil
}

// latestWhatsApp is the contact's WhatsApp ticket they last wrote in.
func (s *Sender) latestWhatsApp(ctx context.Context, contactID string) (helpdesk.Ticket, bool, error) {
	ts, err := s.Store.ContactTickets(ctx, contactID, ticket.ConversationsScanned)
	if err != nil {
		return helpdesk.Ticket{}, false, fmt.Errorf("portal link: tickets of %s: %w", contactID, err)
	}
	// A ticket the customer never wrote in is kept: chatMessage then drops
	// the link (no_customer_message), as before.
	best, found := ticket.LatestConversation(ts, func(t helpdesk.Ticket) bool { return t.ChannelKind == helpdesk.ChannelWhatsApp })
	return best, found, nil
}
