package send

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/stackdesk/stackdesk/shared/channel/email/compose"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/unsubscribe"
)

// This file sends customer notification emails (issue 14; the ticket
// model decides them: ticket.TellCustomer).

// CustomerLinks are the public URLs a customer notification email points
// at. Unsubscribe is required to send one (a notification without a
// working unsubscribe link is not sent); Portal is optional.
type CustomerLinks struct {
	// Unsubscribe is the absolute URL of GET/POST /unsubscribe; the token
	// is added as ?token=.
	Unsubscribe string
	// Portal, when set, is the customer portal's ticket page with "{id}"
	// where the ticket id goes.
	Portal string
	// Survey, when set, is the absolute URL of the satisfaction survey
	// (GET /csat): a "closed" notice links to it with the ticket's signed
	// token as ?token= (csat.For: none for a ticket not closed).
	Survey string
}

// sendCustomer sends one customer notification email, once: its Message-ID
// is the notification's, so a redelivery SES accepts again is the same
// mail to the customer's server. A permanent reason drops it, logged.
func (s *Sender) sendCustomer(ctx context.Context, job jobs.CustomerEmail) error {
	log := s.Log.With("notification_id", job.NotificationID, "ticket_id", job.TicketID, "kind", job.Kind)
	drop := func(code, detail string) error {
		log.WarnContext(ctx, "customer notification dropped", "reason", code, "detail", detail)
		return nil
	}
	t, err := s.Store.GetTicketHeader(ctx, job.TicketID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return drop("ticket_deleted", "the ticket no longer exists")
	case err != nil:
		return fmt.Errorf("customer notification %s: %w", job.NotificationID, err)
	case t.State == helpdesk.StateSpam || t.State == helpdesk.StateMerged:
		return drop("ticket_"+string(t.State), "the ticket went to "+string(t.State)+" since")
	}
	ch, err := s.Store.GetChannel(ctx, job.FromChannelID)
	switch {
	case errors.Is(err, store.ErrNotFound) || helpdesk.IsCode(err, helpdesk.ENotFound):
		return drop("no_sender", "the email channel "+job.FromChannelID+" no longer exists")
	case err != nil:
		return fmt.Errorf("customer notification %s: read channel: %w", job.NotificationID, err)
	case ch.Email == nil:
		return drop("no_sender", "channel "+job.FromChannelID+" is not an email channel")
	}
	if s.CustomerLinks.Unsubscribe == "" || len(s.TokenSecret) == 0 {
		return drop("no_unsubscribe_link", "the sender has no unsubscribe URL or secret")
	}
	tok, err := unsubscribe.Token(unsubscribe.Key(s.TokenSecret), job.ContactID, job.Kind)
	if err != nil {
		return drop("not_signable", helpdesk.ErrorMessage(err))
	}
	unsub := s.CustomerLinks.Unsubscribe + "?token=" + url.QueryEscape(tok)
	text := job.Text + "\n"
	if p := s.CustomerLinks.Portal; p != "" {
		text += "\nSee your request: " + strings.ReplaceAll(p, "{id}", url.PathEscape(job.TicketID)) + "\n"
	}
	if link, ok := s.surveyLink(job, t); ok {
		text += "\nHow did we do? Rate your request (the link works for 28 days): " + link + "\n"
	}
	who := ch.Email.CompanyName
	if who == "" {
		who = ch.Email.Address
	}
	text += "\n--\nYou receive this because you wrote to " + who + ". Stop these emails (" + string(job.Kind) + "): " + unsub + "\n"
	_, domain, _ := strings.Cut(ch.Email.Address, "@")
	raw, err := compose.BuildNotification(compose.Notification{
		To: compose.Address{Name: job.ToName, Address: job.ToEmail}, Subject: job.Subject, Text: text,
		TeamAddress: ch.Email.Address, CompanyName: ch.Email.CompanyName, MessageID: compose.NewMessageID(domain, "c-"+job.NotificationID),
		Date: s.Now(), Tenant: s.Tenant, ListUnsubscribe: unsub,
	})
	if err != nil {
		return drop("not_buildable", err.Error())
	}
	_, err = s.Mailer.SendRaw(ctx, raw)
	if helpdesk.IsCode(err, helpdesk.EInvalid) {
		return drop("refused", helpdesk.ErrorMessage(err))
	}
	if err != nil {
		return fmt.Errorf("send customer notification %s: %w", job.NotificationID, err)
	}
	log.InfoContext(ctx, "customer notification sent")
	return nil
}
