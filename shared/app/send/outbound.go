// Package send is the outbound function's logic: it sends each job of the
// outbound queue through its channel (email through a Mailer, Messenger and
// WhatsApp through Meta's Graph API), recording on the ticket what became
// of it.
package send

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/channel/email/compose"
	"github.com/stackdesk/stackdesk/shared/channel/email/replytoken"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/store"
)

// Store is what sending needs from the table.
type Store interface {
	GetTicket(ctx context.Context, id string) (helpdesk.Conversation, error)
	GetTicketHeader(ctx context.Context, id string) (helpdesk.Ticket, error)
	GetChannel(ctx context.Context, id string) (helpdesk.Channel, error)
	GetAgent(ctx context.Context, id string) (helpdesk.Agent, error)
	GetContact(ctx context.Context, id string) (helpdesk.Contact, error)
	SetMessageStatus(ctx context.Context, m helpdesk.Message, from, to helpdesk.MessageStatus, providerID, reason string) error
	// SetNotificationEmail records an email about a notification that was
	// dropped (notifystatus.go).
	SetNotificationEmail(ctx context.Context, recipient string, at time.Time, id, status, reason string) error
	// ContactTickets finds a contact's WhatsApp conversation (portalchat.go).
	ContactTickets(ctx context.Context, contactID string, limit int32) ([]helpdesk.Ticket, error)
}

// Mailer sends email (SES, through sesmail.Mailer).
type Mailer interface {
	// SendRaw sends a raw MIME message as it is and returns the provider's
	// id for it. A refusal that retrying would not change is an error with
	// code helpdesk.EInvalid, its message saying why; any other error is
	// worth retrying.
	SendRaw(ctx context.Context, raw []byte) (providerID string, err error)
}

// Files reads the files agents attach to replies (s3files.Bucket).
type Files interface {
	// Read returns the file stored under key: helpdesk.ErrNotFound if there
	// is none, an error with code helpdesk.ETooLarge if it is over limit
	// bytes.
	Read(ctx context.Context, key string, limit int64) ([]byte, error)
}

// Sender sends outbound jobs.
type Sender struct {
	Store       Store
	Mailer      Mailer
	Files       Files // reply attachments
	Tenant      string
	TokenSecret []byte
	Now         func() time.Time
	Log         *slog.Logger
	// Graph and Tokens send Messenger and WhatsApp messages.
	Graph  Graph
	Tokens Tokens
	// GraphBackoff is the base delay between retries of a Graph API call.
	GraphBackoff time.Duration
	// NotificationSender is the address (a verified SES identity, the
	// stack's NotificationSender parameter) agents' notification emails
	// come from, whatever channel the ticket came by. Empty: the ticket's
	// own email channel, so tickets from other channels notify nobody.
	NotificationSender string
	// Profiles and Contacts name Messenger contacts (contact.profile jobs).
	Profiles Profiles
	Contacts ContactNames
	// CustomerLinks are the links of customer notification emails (customer.go).
	CustomerLinks CustomerLinks
}

// Send sends one outbound job. received is how often the queue has
// delivered it, this delivery included (0 if unknown). An error means the
// job is worth another delivery; permanent refusals are recorded on the
// message and return nil.
func (s *Sender) Send(ctx context.Context, env jobs.Envelope, received int) error {
	switch env.Kind {
	case jobs.KindReplyEmail:
		return decodeAnd(env, func(job jobs.ReplyEmail) error { return s.sendReply(ctx, job, received) })
	case jobs.KindNotificationEmail:
		return decodeAnd(env, func(job jobs.NotificationEmail) error { return s.sendNotification(ctx, job) })
	case jobs.KindReplyChat:
		return decodeAnd(env, func(job jobs.ReplyChat) error { return s.sendChat(ctx, job, received) })
	case jobs.KindConsentPrompt:
		return decodeAnd(env, func(job jobs.ConsentPrompt) error { return s.sendConsentPrompt(ctx, job) })
	case jobs.KindContactProfile:
		return decodeAnd(env, func(job jobs.ContactProfile) error { return s.fetchProfile(ctx, job, received) })
	case jobs.KindPortalAccess: // portalaccess.go
		return decodeAnd(env, func(job jobs.PortalAccess) error { return s.sendPortalAccess(ctx, job) })
	case jobs.KindCustomerEmail:
		return decodeAnd(env, func(job jobs.CustomerEmail) error { return s.sendCustomer(ctx, job) })
	case jobs.KindCustomerChat: // customerchatjob.go
		return decodeAnd(env, func(job jobs.CustomerChat) error { return s.sendCustomerChat(ctx, job) })
	}
	return helpdesk.Errorf(helpdesk.EInvalid, "unknown_kind", "unknown outbound job kind %q", env.Kind)
}

// decodeAnd decodes a job's payload and hands it to send.
func decodeAnd[T any](env jobs.Envelope, send func(T) error) error {
	var job T
	if err := env.Decode(&job); err != nil {
		return err
	}
	return send(job)
}

// MaxReceives is the outbound queue's maxReceiveCount in template.yaml
// (a test holds the two equal): the delivery after which SQS moves a job
// to the DLQ.
const MaxReceives = 5

// retryOrGiveUp hands a transient failure back to SQS; on the last delivery
// before the DLQ it first marks the message failed, so the agent sees it
// (the job still goes to the DLQ for the operator).
func (s *Sender) retryOrGiveUp(ctx context.Context, m helpdesk.Message, received int, err error) error {
	if received < MaxReceives {
		return err
	}
	if ferr := s.fail(ctx, m, fmt.Sprintf("not sent after %d deliveries: %v", received, err)); ferr != nil {
		return errors.Join(err, ferr)
	}
	return err
}

// sendReply sends a queued agent reply once: a message no longer queued was
// sent (or refused) by an earlier delivery of the job.
func (s *Sender) sendReply(ctx context.Context, job jobs.ReplyEmail, received int) error {
	conv, err := s.Store.GetTicket(ctx, job.TicketID)
	if err != nil {
		return fmt.Errorf("reply %s: %w", job.MessageID, err)
	}
	var msg *helpdesk.Message
	for i := range conv.Messages {
		if conv.Messages[i].ID == job.MessageID {
			msg = &conv.Messages[i]
		}
	}
	log := s.Log.With("ticket_id", job.TicketID, "message_id", job.MessageID)
	if msg == nil {
		log.WarnContext(ctx, "reply job for a message that does not exist, dropped")
		return nil
	}
	if msg.Status != helpdesk.StatusQueued {
		log.InfoContext(ctx, "reply already handled", "status", msg.Status)
		return nil
	}
	refs, inReplyTo := threadOf(conv.Messages, *msg)
	raw, err := s.buildReply(ctx, conv.Ticket, *msg, refs, inReplyTo)
	if helpdesk.IsCode(err, helpdesk.EInvalid) {
		return s.fail(ctx, *msg, "not sendable: "+helpdesk.ErrorMessage(err))
	}
	if err != nil {
		return s.retryOrGiveUp(ctx, *msg, received, fmt.Errorf("build reply %s: %w", msg.ID, err))
	}
	providerID, err := s.Mailer.SendRaw(ctx, raw)
	if helpdesk.IsCode(err, helpdesk.EInvalid) {
		return s.fail(ctx, *msg, helpdesk.ErrorMessage(err))
	}
	if err != nil {
		return s.retryOrGiveUp(ctx, *msg, received, fmt.Errorf("send reply %s: %w", msg.ID, err))
	}
	if err := s.Store.SetMessageStatus(ctx, *msg, helpdesk.StatusQueued, helpdesk.StatusSent, providerID, ""); err != nil {
		return err
	}
	log.InfoContext(ctx, "reply sent", "provider_message_id", providerID)
	return nil
}

// maxReplyAttachments bounds what one reply carries (SES takes 40 MB raw).
const maxReplyAttachments = 30 << 20

// attachments reads a reply's files; a missing one, or more than
// maxReplyAttachments in all, makes the reply unsendable (EInvalid).
func (s *Sender) attachments(ctx context.Context, list []helpdesk.Attachment) ([]compose.Attachment, error) {
	var out []compose.Attachment
	var total int64
	for _, a := range list {
		data, err := s.Files.Read(ctx, a.Key, maxReplyAttachments-total)
		switch {
		case errors.Is(err, helpdesk.ErrNotFound):
			return nil, helpdesk.Errorf(helpdesk.EInvalid, "attachment_missing", "attachment %q is not stored", a.Name)
		case helpdesk.IsCode(err, helpdesk.ETooLarge):
			return nil, helpdesk.Errorf(helpdesk.EInvalid, "attachments_too_large", "attachments over %d MB", maxReplyAttachments>>20)
		case err != nil:
			return nil, fmt.Errorf("read attachment %q: %w", a.Name, err)
		}
		total += int64(len(data))
		out = append(out, compose.Attachment{Name: a.Name, ContentType: a.ContentType, Data: data})
	}
	return out, nil
}

// threadOf returns the Message-IDs of the conversation before m, oldest
// first, and the last customer message among them, which m answers.
func threadOf(msgs []helpdesk.Message, m helpdesk.Message) (refs []string, inReplyTo string) {
	for _, x := range msgs {
		if x.ID == m.ID || x.CreatedAt.After(m.CreatedAt) {
			continue
		}
		id := x.EmailMessageID
		if x.Direction == helpdesk.Inbound && x.ChannelKind == helpdesk.ChannelEmail {
			id, inReplyTo = x.ProviderMessageID, x.ProviderMessageID
		}
		if id != "" {
			refs = append(refs, id)
		}
	}
	return refs, inReplyTo
}

func (s *Sender) fail(ctx context.Context, m helpdesk.Message, reason string) error {
	s.Log.WarnContext(ctx, "reply not sent", "ticket_id", m.TicketID, "message_id", m.ID, "reason", reason)
	return s.Store.SetMessageStatus(ctx, m, helpdesk.StatusQueued, helpdesk.StatusFailed, "", reason)
}

func (s *Sender) buildReply(ctx context.Context, t helpdesk.Ticket, m helpdesk.Message, refs []string, inReplyTo string) ([]byte, error) {
	ch, err := s.Store.GetChannel(ctx, m.ChannelID)
	if err != nil {
		return nil, err
	}
	if ch.Email == nil {
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "not_email", "channel %s is not an email channel", ch.ID)
	}
	contact, err := s.Store.GetContact(ctx, t.ContactID)
	if err != nil {
		return nil, err
	}
	agent, err := s.Store.GetAgent(ctx, m.AuthorAgentID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	replyTo, err := replytoken.Address(s.TokenSecret, ch.Email.Address, t.ID)
	if err != nil {
		return nil, err
	}
	atts, err := s.attachments(ctx, m.Attachments)
	if err != nil {
		return nil, err
	}
	return compose.Build(compose.Reply{
		Attachments: atts,
		Tenant:      s.Tenant, TeamAddress: ch.Email.Address, CompanyName: ch.Email.CompanyName,
		FromMode: compose.FromMode(ch.Email.FromMode), AgentFullName: agent.Name, Signature: ch.Email.Signature,
		ReplyTo: replyTo, To: recipients(m, contact),
		Subject: t.Subject, TicketID: t.ID, MessageID: "<" + m.EmailMessageID + ">", // as tickets.Reply registered it
		InReplyTo: inReplyTo, References: refs, Text: m.Text, HTML: m.HTML, Date: m.CreatedAt,
	})
}

// sendNotification emails an agent about a notification; it carries no state
// to update, so a redelivered job may email twice (rare; never to customers).
func (s *Sender) sendNotification(ctx context.Context, job jobs.NotificationEmail) error {
	t, err := s.Store.GetTicketHeader(ctx, job.TicketID)
	if errors.Is(err, store.ErrNotFound) {
		return s.dropNotification(ctx, job, "ticket_deleted", "the ticket no longer exists")
	}
	if err != nil {
		return fmt.Errorf("notification %s: %w", job.NotificationID, err)
	}
	// A read that fails is retried (SQS redelivers the job); only a
	// permanent reason drops the email, recorded on the notification.
	from, company := s.NotificationSender, "Help desk"
	ch, err := s.Store.GetChannel(ctx, t.ChannelID)
	switch {
	case err == nil && ch.Email != nil:
		company = ch.Email.CompanyName // the name agents know the desk by
		if from == "" {
			from = ch.Email.Address
		}
	case err == nil && ch.Name != "":
		company = ch.Name
	case err != nil && !errors.Is(err, store.ErrNotFound) && !helpdesk.IsCode(err, helpdesk.ENotFound):
		return fmt.Errorf("notification %s: read channel %s: %w", job.NotificationID, t.ChannelID, err)
	}
	if from == "" {
		return s.dropNotification(ctx, job, "no_sender", "no email channel to send the notification from")
	}
	_, domain, _ := strings.Cut(from, "@")
	raw, err := compose.BuildNotification(compose.Notification{
		To: compose.Address{Name: job.ToName, Address: job.ToEmail}, Subject: job.Subject,
		Text:        fmt.Sprintf("%s\n\nTicket #%s: %s\n", job.Subject, job.TicketID, t.Subject),
		TeamAddress: from, CompanyName: company, MessageID: compose.NewMessageID(domain, "n-"+job.NotificationID),
		Date: s.Now(), Tenant: s.Tenant,
	})
	if err != nil {
		return s.dropNotification(ctx, job, "not_buildable", err.Error())
	}
	_, err = s.Mailer.SendRaw(ctx, raw)
	if helpdesk.IsCode(err, helpdesk.EInvalid) {
		return s.dropNotification(ctx, job, "refused", helpdesk.ErrorMessage(err))
	}
	if err != nil {
		return fmt.Errorf("send notification %s: %w", job.NotificationID, err)
	}
	return nil
}
