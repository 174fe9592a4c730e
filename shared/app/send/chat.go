package send

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/channel/meta/graphapi"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/platform/retry"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// This file sends Messenger and WhatsApp messages through Meta's Graph
// API: agent replies and automatic replies inside each provider's reply
// window, and the consent question of a page in explicit mode.

// Graph is the subset of the Graph API client the sender uses.
type Graph interface {
	SendMessenger(ctx context.Context, token, pageID string, m graphapi.MessengerMessage) (graphapi.SendResult, error)
	SendWhatsApp(ctx context.Context, token, phoneNumberID string, m graphapi.WhatsAppMessage) (graphapi.SendResult, error)
}

// Tokens gives a channel's Graph API access token (secrets.MetaSource).
type Tokens interface {
	AccessToken(ctx context.Context, channelID string) (string, error)
}

// graphTries is how often one delivery of a job tries a retryable Graph
// error (rate limits, 5xx) before handing the job back to SQS, whose
// redelivery (then the DLQ) is the slower, outer retry.
const graphTries = 3

// sendChat sends a ticket's queued Messenger or WhatsApp messages in order.
// received is the job's SQS receive count (see retryOrGiveUp).
func (s *Sender) sendChat(ctx context.Context, job jobs.ReplyChat, received int) error {
	conv, err := s.Store.GetTicket(ctx, job.TicketID)
	if err != nil {
		return fmt.Errorf("chat reply on %s: %w", job.TicketID, err)
	}
	byID := map[string]helpdesk.Message{}
	for _, m := range conv.Messages {
		byID[m.ID] = m
	}
	ch, err := s.Store.GetChannel(ctx, conv.Ticket.ChannelID)
	if err != nil {
		return fmt.Errorf("chat reply on %s: %w", job.TicketID, err)
	}
	contact, err := s.Store.GetContact(ctx, conv.Ticket.ContactID)
	if err != nil {
		return fmt.Errorf("chat reply on %s: %w", job.TicketID, err)
	}
	for _, id := range job.MessageIDs {
		msg, ok := byID[id]
		log := s.Log.With("ticket_id", job.TicketID, "message_id", id, "channel", ch.ID)
		if !ok {
			log.WarnContext(ctx, "chat reply job for a message that does not exist, skipped")
			continue
		}
		if msg.Status != helpdesk.StatusQueued {
			log.InfoContext(ctx, "chat reply already handled", "status", msg.Status)
			continue
		}
		if msg.ThreadReason == ticket.ReasonCustomerNotice { // customerchat.go
			if msg, err = s.chatNotice(conv.Ticket, msg); err != nil {
				log.InfoContext(ctx, "customer notification not sent", "reason", helpdesk.ErrorReason(err))
				if err := s.fail(ctx, msg, helpdesk.ErrorMessage(err)); err != nil {
					return err
				}
				continue
			}
		}
		send, err := s.chatMessage(ch, contact, conv.Ticket.LastCustomerMessageAt, msg)
		if err != nil {
			if err := s.fail(ctx, msg, helpdesk.ErrorMessage(err)); err != nil {
				return err
			}
			continue
		}
		providerID, err := s.sendGraph(ctx, ch.ID, send)
		var refused *refusal
		if errors.As(err, &refused) {
			if err := s.fail(ctx, msg, refused.reason); err != nil {
				return err
			}
			continue
		}
		if err != nil {
			return s.retryOrGiveUp(ctx, msg, received, fmt.Errorf("chat reply %s: %w", id, err))
		}
		if err := s.Store.SetMessageStatus(ctx, msg, helpdesk.StatusQueued, helpdesk.StatusSent, providerID, ""); err != nil {
			return err
		}
		log.InfoContext(ctx, "chat reply sent", "provider_message_id", providerID)
	}
	return nil
}

// graphSend is one Graph API call: the provider's id on success.
type graphSend func(ctx context.Context, g Graph, token string) (string, error)

// chatMessage builds the Send API call for msg, or the reason it must not
// be sent: outside the provider's window, or no recipient.
func (s *Sender) chatMessage(ch helpdesk.Channel, c helpdesk.Contact, lastCustomer time.Time, msg helpdesk.Message) (graphSend, error) {
	if len(msg.Attachments) > 0 {
		return nil, helpdesk.Errorf(helpdesk.EUnsupported, "chat_attachments_unsupported", "attachments cannot be sent on %s yet", ch.Kind)
	}
	now := s.Now()
	switch {
	case ch.Kind == helpdesk.ChannelMessenger && ch.Messenger != nil:
		mt, tag, err := ticket.MessengerReplyMode(lastCustomer, now)
		if err != nil {
			return nil, err
		}
		if c.PSID == "" {
			return nil, helpdesk.Errorf(helpdesk.EInvalid, "no_recipient", "the contact has no Messenger id")
		}
		m := graphapi.MessengerMessage{PSID: c.PSID, MessagingType: mt, Tag: tag, Text: msg.Text}
		return func(ctx context.Context, g Graph, token string) (string, error) {
			r, err := g.SendMessenger(ctx, token, ch.Messenger.PageID, m)
			return r.MessageID, err
		}, nil
	case ch.Kind == helpdesk.ChannelWhatsApp && ch.WhatsApp != nil:
		if err := ticket.WhatsAppReplyAllowed(lastCustomer, now); err != nil {
			return nil, err
		}
		if c.WhatsAppID == "" && c.WhatsAppUserID == "" {
			return nil, helpdesk.Errorf(helpdesk.EInvalid, "no_recipient", "the contact has no WhatsApp id")
		}
		m := graphapi.WhatsAppMessage{WaID: c.WhatsAppID, UserID: c.WhatsAppUserID, Text: msg.Text}
		return func(ctx context.Context, g Graph, token string) (string, error) {
			r, err := g.SendWhatsApp(ctx, token, ch.WhatsApp.PhoneNumberID, m)
			return r.MessageID, err
		}, nil
	}
	return nil, helpdesk.Errorf(helpdesk.EInvalid, "not_chat", "channel %s is not a configured Messenger or WhatsApp channel", ch.ID)
}

// refusal is a send Meta (or our own checks) refused for good: recorded
// on the message, not retried.
type refusal struct{ reason string }

func (r *refusal) Error() string { return r.reason }

// sendGraph makes one Graph API call, retrying retryable errors a few
// times with backoff; a permanent error comes back as a *refusal.
func (s *Sender) sendGraph(ctx context.Context, channelID string, send graphSend) (string, error) {
	token, err := s.Tokens.AccessToken(ctx, channelID)
	if helpdesk.IsCode(err, helpdesk.EInvalid) {
		return "", &refusal{reason: helpdesk.ErrorMessage(err)}
	}
	if err != nil {
		return "", err
	}
	var last error
	for attempt := range graphTries {
		if attempt > 0 {
			if err := retry.Backoff(ctx, attempt, s.graphBackoff()); err != nil {
				return "", err
			}
		}
		id, err := send(ctx, s.Graph, token)
		if err == nil {
			return id, nil
		}
		if !graphapi.Retryable(err) {
			if helpdesk.IsCode(err, helpdesk.EInvalid) {
				return "", &refusal{reason: "not sendable: " + helpdesk.ErrorMessage(err)}
			}
			return "", &refusal{reason: "refused by Meta: " + err.Error()}
		}
		s.Log.WarnContext(ctx, "graph api error, retrying", "channel", channelID, "attempt", attempt+1, "error", err)
		last = err
	}
	return "", fmt.Errorf("gave up after %d tries: %w", graphTries, last)
}

func (s *Sender) graphBackoff() time.Duration {
	if s.GraphBackoff > 0 {
		return s.GraphBackoff
	}
	return 200 * time.Millisecond
}

// sendConsentPrompt sends a page's greeting and its consent question with
// the "I agree" quick reply. Nothing is recorded: the visitor has no ticket
// (and no contact) until they agree.
func (s *Sender) sendConsentPrompt(ctx context.Context, job jobs.ConsentPrompt) error {
	ch, err := s.Store.GetChannel(ctx, job.ChannelID)
	if err != nil {
		return fmt.Errorf("consent prompt on %s: %w", job.ChannelID, err)
	}
	if ch.Messenger == nil {
		s.Log.WarnContext(ctx, "consent prompt for a channel that is not a Messenger page, dropped", "channel", ch.ID)
		return nil
	}
	label := job.AgreeLabel
	if r := []rune(label); len(r) > 20 {
		label = string(r[:20]) // the Send API's limit on quick-reply titles
	}
	var msgs []graphapi.MessengerMessage
	if job.Greeting != "" {
		msgs = append(msgs, graphapi.MessengerMessage{PSID: job.PSID, MessagingType: "RESPONSE", Text: job.Greeting})
	}
	msgs = append(msgs, graphapi.MessengerMessage{PSID: job.PSID, MessagingType: "RESPONSE", Text: job.Text,
		QuickReplies: []graphapi.QuickReply{{Title: label, Payload: job.Payload}}})
	for _, m := range msgs {
		_, err := s.sendGraph(ctx, ch.ID, func(ctx context.Context, g Graph, token string) (string, error) {
			r, err := g.SendMessenger(ctx, token, ch.Messenger.PageID, m)
			return r.MessageID, err
		})
		var refused *refusal
		if errors.As(err, &refused) {
			s.Log.WarnContext(ctx, "consent prompt refused", "channel", ch.ID, "reason", refused.reason)
			return nil
		}
		if err != nil {
			return fmt.Errorf("consent prompt on %s: %w", ch.ID, err)
		}
	}
	return nil
}
