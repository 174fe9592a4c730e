package send

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// This file sends a customer.chat job: a notification about a portal
// ticket whose contact has no email address (a portal-only reply, a close),
// in the contact's Messenger or WhatsApp conversation on the job's channel.
// The model decided it inside the 24 h standard window; the window is
// checked again here against the contact's latest conversation on the
// channel, since the job may be sent late. Nothing is recorded on a ticket
// (as for a customer email); a notice that may not go is dropped, logged.

func (s *Sender) sendCustomerChat(ctx context.Context, job jobs.CustomerChat) error {
	log := s.Log.With("notification_id", job.NotificationID, "ticket_id", job.TicketID, "kind", job.Kind, "channel", job.ChannelID)
	drop := func(code, detail string) error {
		log.InfoContext(ctx, "customer notification not sent in the conversation", "reason", code, "detail", detail)
		return nil
	}
	t, err := s.Store.GetTicketHeader(ctx, job.TicketID)
	switch {
	case helpdesk.IsCode(err, helpdesk.ENotFound):
		return drop("ticket_deleted", "the ticket no longer exists")
	case err != nil:
		return fmt.Errorf("customer notification %s: %w", job.NotificationID, err)
	case t.State == helpdesk.StateSpam || t.State == helpdesk.StateMerged:
		return drop("ticket_"+string(t.State), "the ticket went to "+string(t.State)+" since")
	case t.ContactID != job.ContactID:
		return drop("not_the_contacts", "the ticket is no longer the contact's")
	}
	contact, err := s.Store.GetContact(ctx, job.ContactID)
	switch {
	case helpdesk.IsCode(err, helpdesk.ENotFound):
		return drop("no_contact", "the contact no longer exists")
	case err != nil:
		return fmt.Errorf("customer notification %s: %w", job.NotificationID, err)
	}
	ch, err := s.Store.GetChannel(ctx, job.ChannelID)
	switch {
	case helpdesk.IsCode(err, helpdesk.ENotFound):
		return drop("no_channel", "the channel no longer exists")
	case err != nil:
		return fmt.Errorf("customer notification %s: %w", job.NotificationID, err)
	case ch.Disabled:
		return drop("channel_disabled", "the channel is disabled")
	}
	last, err := s.lastWroteOn(ctx, job.ContactID, job.ChannelID)
	if err != nil {
		return err
	}
	if !ticket.NoticeWindowOpen(last, s.Now()) {
		return drop(ticket.ReasonWindowClosed, "the customer last wrote on the channel more than 24 h ago")
	}
	text := job.Text
	if p := s.CustomerLinks.Portal; p != "" {
		text += "\n\nSee your request: " + strings.ReplaceAll(p, "{id}", url.PathEscape(job.TicketID))
	}
	send, err := s.chatMessage(ch, contact, last, helpdesk.Message{Text: text})
	if err != nil {
		return drop(helpdesk.ErrorReason(err), helpdesk.ErrorMessage(err)) // no recipient, not a chat channel
	}
	providerID, err := s.sendGraph(ctx, ch.ID, send)
	var refused *refusal
	if errors.As(err, &refused) {
		return drop("refused", refused.reason)
	}
	if err != nil {
		return fmt.Errorf("customer notification %s: %w", job.NotificationID, err)
	}
	log.InfoContext(ctx, "customer notification sent in the conversation", "provider_message_id", providerID)
	return nil
}

// lastWroteOn is when the contact last wrote in a conversation on channel
// (zero: never, or only in tickets now spam or merged).
func (s *Sender) lastWroteOn(ctx context.Context, contactID, channelID string) (time.Time, error) {
	ts, err := s.Store.ContactTickets(ctx, contactID, ticket.ConversationsScanned)
	if err != nil {
		return time.Time{}, fmt.Errorf("customer notification: tickets of %s: %w", contactID, err)
	}
	t, _ := ticket.LatestConversation(ts, func(t helpdesk.Ticket) bool { return t.ChannelID == channelID })
	return t.LastCustomerMessageAt, nil // zero when none
}
