// Package outbound is the outbound function's logic: it consumes the
// outbound queue and sends each job through its channel (email through
// SES, Messenger and WhatsApp through Meta's Graph API), recording on the
// ticket what became of it.
package send

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/stackdesk/stackdesk/shared/channel/email/compose"
	"github.com/stackdesk/stackdesk/shared/channel/email/replytoken"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/store"
)

// Store is what sending needs from the table.
type Store interface {
	GetTicket(ctx context.Context, id string) (store.Conversation, error)
	GetTicketHeader(ctx context.Context, id string) (helpdesk.Ticket, error)
	GetChannel(ctx context.Context, id string) (helpdesk.Channel, error)
	GetAgent(ctx context.Context, id string) (helpdesk.Agent, error)
	GetContact(ctx context.Context, id string) (helpdesk.Contact, error)
	SetMessageStatus(ctx context.Context, m helpdesk.Message, from, to helpdesk.MessageStatus, providerID, reason string) error
}

// Files reads stored attachments (the mail bucket).
type Files interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
}

// SES is the subset of the SESv2 client the sender uses.
type SES interface {
	SendEmail(ctx context.Context, in *sesv2.SendEmailInput, opts ...func(*sesv2.Options)) (*sesv2.SendEmailOutput, error)
}

// Sender sends outbound jobs.
type Sender struct {
	Store       Store
	SES         SES
	Files       Files
	Bucket      string // where reply attachments are stored
	Tenant      string
	TokenSecret []byte
	Now         func() time.Time
	Log         *slog.Logger
	// Graph and Tokens send Messenger and WhatsApp messages.
	Graph  Graph
	Tokens Tokens
	// GraphBackoff is the base delay between retries of a Graph API call.
	GraphBackoff time.Duration
}

// HandleSQS sends each job of a batch and reports the ones to retry.
// Permanent refusals are recorded on the message and not retried.
func (s *Sender) HandleSQS(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var resp events.SQSEventResponse
	for _, rec := range ev.Records {
		received, _ := strconv.Atoi(rec.Attributes["ApproximateReceiveCount"])
		if err := s.handle(ctx, rec.Body, received); err != nil {
			s.Log.ErrorContext(ctx, "outbound job failed", "sqs_message_id", rec.MessageId, "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	return resp, nil
}

func (s *Sender) handle(ctx context.Context, body string, received int) error {
	env, err := jobs.DecodeEnvelope(body)
	if err != nil {
		return err
	}
	switch env.Kind {
	case jobs.KindReplyEmail:
		return decodeAnd(env, func(job jobs.ReplyEmail) error { return s.sendReply(ctx, job, received) })
	case jobs.KindNotificationEmail:
		return decodeAnd(env, func(job jobs.NotificationEmail) error { return s.sendNotification(ctx, job) })
	case jobs.KindReplyChat:
		return decodeAnd(env, func(job jobs.ReplyChat) error { return s.sendChat(ctx, job, received) })
	case jobs.KindConsentPrompt:
		return decodeAnd(env, func(job jobs.ConsentPrompt) error { return s.sendConsentPrompt(ctx, job) })
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
	out, err := s.SES.SendEmail(ctx, &sesv2.SendEmailInput{Content: &sestypes.EmailContent{Raw: &sestypes.RawMessage{Data: raw}}})
	if err != nil {
		if permanent(err) {
			return s.fail(ctx, *msg, "refused by SES: "+err.Error())
		}
		return s.retryOrGiveUp(ctx, *msg, received, fmt.Errorf("send reply %s: %w", msg.ID, err))
	}
	providerID := ""
	if out.MessageId != nil {
		providerID = *out.MessageId
	}
	if err := s.Store.SetMessageStatus(ctx, *msg, helpdesk.StatusQueued, helpdesk.StatusSent, providerID, ""); err != nil {
		return err
	}
	log.InfoContext(ctx, "reply sent", "ses_message_id", providerID)
	return nil
}

// maxReplyAttachments bounds what one reply carries (SES takes 40 MB raw).
const maxReplyAttachments = 30 << 20

func (s *Sender) attachments(ctx context.Context, list []helpdesk.Attachment) ([]compose.Attachment, error) {
	var out []compose.Attachment
	total := 0
	for _, a := range list {
		obj, err := s.Files.GetObject(ctx, &s3.GetObjectInput{Bucket: &s.Bucket, Key: &a.Key})
		var api smithy.APIError
		if errors.As(err, &api) && (api.ErrorCode() == "NoSuchKey" || api.ErrorCode() == "NotFound") {
			return nil, helpdesk.Errorf(helpdesk.EInvalid, "attachment_missing", "attachment %q is not stored", a.Name)
		}
		if err != nil {
			return nil, fmt.Errorf("read attachment %q: %w", a.Name, err)
		}
		data, err := io.ReadAll(io.LimitReader(obj.Body, maxReplyAttachments+1))
		obj.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read attachment %q: %w", a.Name, err)
		}
		if total += len(data); total > maxReplyAttachments {
			return nil, helpdesk.Errorf(helpdesk.EInvalid, "attachments_too_large", "attachments over %d MB", maxReplyAttachments>>20)
		}
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
		ReplyTo: replyTo, To: []compose.Address{{Name: contact.Name, Address: contact.Email}},
		Subject: t.Subject, TicketID: t.ID, MessageID: "<" + m.EmailMessageID + ">", // as tickets.Reply registered it
		InReplyTo: inReplyTo, References: refs, Text: m.Text, HTML: m.HTML, Date: m.CreatedAt,
	})
}

// sendNotification emails an agent about a notification; it carries no state
// to update, so a redelivered job may email twice (rare; never to customers).
func (s *Sender) sendNotification(ctx context.Context, job jobs.NotificationEmail) error {
	t, err := s.Store.GetTicketHeader(ctx, job.TicketID)
	if err != nil {
		return fmt.Errorf("notification %s: %w", job.NotificationID, err)
	}
	ch, err := s.Store.GetChannel(ctx, t.ChannelID)
	from, company := "", ""
	if err == nil && ch.Email != nil {
		from, company = ch.Email.Address, ch.Email.CompanyName
	}
	if from == "" {
		s.Log.WarnContext(ctx, "no email channel to send the notification from, skipped", "notification_id", job.NotificationID)
		return nil
	}
	_, domain, _ := strings.Cut(from, "@")
	raw, err := compose.BuildNotification(compose.Notification{
		To: compose.Address{Name: job.ToName, Address: job.ToEmail}, Subject: job.Subject,
		Text:        fmt.Sprintf("%s\n\nTicket #%s: %s\n", job.Subject, job.TicketID, t.Subject),
		TeamAddress: from, CompanyName: company, MessageID: compose.NewMessageID(domain, "n-"+job.NotificationID),
		Date: s.Now(), Tenant: s.Tenant,
	})
	if err != nil {
		s.Log.ErrorContext(ctx, "notification not buildable, dropped", "notification_id", job.NotificationID, "error", err)
		return nil
	}
	if _, err := s.SES.SendEmail(ctx, &sesv2.SendEmailInput{Content: &sestypes.EmailContent{Raw: &sestypes.RawMessage{Data: raw}}}); err != nil {
		if permanent(err) {
			s.Log.WarnContext(ctx, "notification refused by SES", "notification_id", job.NotificationID, "error", err)
			return nil
		}
		return fmt.Errorf("send notification %s: %w", job.NotificationID, err)
	}
	return nil
}

// permanent reports whether SES refused the message for good (retrying
// would be refused again); throttling and server errors are retried.
func permanent(err error) bool {
	var api smithy.APIError
	if !errors.As(err, &api) {
		return false
	}
	switch api.ErrorCode() {
	case "MessageRejected", "MailFromDomainNotVerifiedException", "AccountSuspendedException",
		"SendingPausedException", "NotFoundException", "BadRequestException":
		return true
	}
	return false
}
