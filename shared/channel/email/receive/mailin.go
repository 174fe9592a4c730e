// Package mailin is the email-inbound function's logic: SES has stored the
// raw message in the mail bucket and invokes it; it reads the message,
// parses it, keeps the attachments in the bucket and enqueues one inbound
// message for the router. Mail that must never become a ticket (auto-replies,
// bulk mail, our own mail looping back) stops here, logged with its reason.
package receive

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/mail"
	"path"
	"regexp"
	"strings"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/stackdesk/stackdesk/shared/channel/email"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// S3 is the subset of the S3 client the handler uses.
type S3 interface {
	GetObject(ctx context.Context, in *s3.GetObjectInput, opts ...func(*s3.Options)) (*s3.GetObjectOutput, error)
	PutObject(ctx context.Context, in *s3.PutObjectInput, opts ...func(*s3.Options)) (*s3.PutObjectOutput, error)
}

// ChannelReader reads channel configuration.
type ChannelReader interface {
	GetChannel(ctx context.Context, id string) (helpdesk.Channel, error)
}

// Enqueuer puts inbound messages on the ingest queue.
type Enqueuer interface {
	EnqueueInbound(ctx context.Context, m *helpdesk.InboundMessage) error
}

// Handler handles SES receipt events.
type Handler struct {
	S3       S3
	Channels ChannelReader
	Queue    Enqueuer
	Tenant   string
	Bucket   string
	Prefix   string // the S3 action's object key prefix, e.g. "inbound/"
	Log      *slog.Logger
}

// ChannelID is the id of the email channel of a team address.
func ChannelID(address string) string { return "email:" + strings.ToLower(address) }

// plusTag strips "+anything" from a local part: support+t42.x@… → support@….
var plusTag = regexp.MustCompile(`\+[^@]*@`)

// Handle processes each record; an error makes Lambda retry the event (SES
// invokes asynchronously), and enqueueing is idempotent on the Message-ID.
func (h *Handler) Handle(ctx context.Context, ev events.SimpleEmailEvent) error {
	var errs []error
	for _, rec := range ev.Records {
		if err := h.handle(ctx, rec.SES); err != nil {
			errs = append(errs, fmt.Errorf("ses message %s: %w", rec.SES.Mail.MessageID, err))
		}
	}
	return errors.Join(errs...)
}

func (h *Handler) handle(ctx context.Context, ses events.SimpleEmailService) error {
	sesID := ses.Mail.MessageID
	log := h.Log.With("ses_message_id", sesID)
	ch, err := h.channel(ctx, ses.Receipt.Recipients)
	if err != nil {
		return err
	}
	if ch == nil {
		log.WarnContext(ctx, "mail for no email channel of this tenant, dropped", "recipients", ses.Receipt.Recipients)
		return nil
	}
	key := h.Prefix + sesID
	obj, err := h.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: &h.Bucket, Key: &key})
	if err != nil {
		return fmt.Errorf("read raw message s3://%s/%s: %w", h.Bucket, key, err)
	}
	raw, err := io.ReadAll(obj.Body)
	obj.Body.Close()
	if err != nil {
		return fmt.Errorf("read raw message s3://%s/%s: %w", h.Bucket, key, err)
	}
	p, err := email.Parse(raw, email.Options{Tenant: h.Tenant, UseOriginalSender: !ch.Email.LogForwarder})
	if err != nil {
		// Unparseable mail cannot get better by retrying: keep it in the bucket, say so.
		log.ErrorContext(ctx, "unparseable mail, not ticketed", "channel", ch.ID, "s3_key", key, "error", err)
		return nil
	}
	log = log.With("channel", ch.ID, "message_id", p.MessageID)
	switch p.Kind {
	case email.KindNormal:
	case email.KindBounce:
		if len(p.BouncedMessageIDs) == 0 || !permanentFailure(p.BounceRecipients) {
			// No message of ours, or only a delay warning: nothing failed yet.
			log.InfoContext(ctx, "bounce not recorded", "reason", p.KindReason, "bounced", p.BouncedMessageIDs)
			return nil
		}
		// Not a ticket: the router marks our bounced messages failed.
		log.InfoContext(ctx, "bounce, not ticketed", "reason", p.KindReason, "bounced", p.BouncedMessageIDs)
	default:
		log.InfoContext(ctx, "never ticketed, never answered", "kind", p.Kind, "reason", p.KindReason)
		return nil
	}
	m := &helpdesk.InboundMessage{
		Version:           helpdesk.InboundVersion,
		Channel:           helpdesk.ChannelEmail,
		ChannelID:         ch.ID,
		ProviderMessageID: p.MessageID,
		ReceivedAt:        ses.Mail.Timestamp.UTC(),
		Sender:            p.From,
		Subject:           p.Subject,
		Text:              p.Text,
		HTML:              p.HTML,
		Verdicts:          helpdesk.Verdicts{Spam: ses.Receipt.SpamVerdict.Status, Virus: ses.Receipt.VirusVerdict.Status},
		RawLocation:       "s3://" + h.Bucket + "/" + key,
		Email: &helpdesk.EmailHeaders{
			MessageID: p.MessageID, InReplyTo: p.InReplyTo, References: p.References,
			To: p.To, Cc: p.Cc, Recipients: lower(ses.Receipt.Recipients),
			Kind: string(p.Kind), KindReason: p.KindReason, FullText: p.FullText, BouncedMessageIDs: p.BouncedMessageIDs,
		},
	}
	if m.ProviderMessageID == "" {
		m.ProviderMessageID = "ses-" + sesID // no Message-ID: SES's id still dedupes redeliveries
	}
	if p.Forwarded != nil && !ch.Email.LogForwarder {
		by := p.Forwarded.By
		m.Email.ForwardedBy = &by
	}
	if m.Attachments, err = h.storeAttachments(ctx, sesID, p.Attachments); err != nil {
		return err
	}
	for _, r := range p.Rejected {
		// Listed on the message with why, so the agent knows a file is missing.
		log.WarnContext(ctx, "attachment dropped", "name", r.Name, "reason", r.Reason)
		m.Attachments = append(m.Attachments, helpdesk.Attachment{Name: r.Name, Size: r.Size, Note: "not stored: " + r.Reason})
	}
	if len(p.Warnings) > 0 {
		log.WarnContext(ctx, "damaged mail", "warnings", p.Warnings)
	}
	if err := h.Queue.EnqueueInbound(ctx, m); err != nil {
		return err
	}
	log.InfoContext(ctx, "mail queued", "attachments", len(m.Attachments))
	return nil
}

// channel finds the email channel among the envelope recipients (a reply
// token address maps to its team address).
func (h *Handler) channel(ctx context.Context, recipients []string) (*helpdesk.Channel, error) {
	for _, r := range recipients {
		addr, err := mail.ParseAddress(r)
		if err != nil {
			continue
		}
		base := plusTag.ReplaceAllString(addr.Address, "@")
		ch, err := h.Channels.GetChannel(ctx, ChannelID(base))
		if helpdesk.IsCode(err, helpdesk.ENotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if ch.Kind == helpdesk.ChannelEmail && ch.Email != nil && !ch.Disabled {
			return &ch, nil
		}
	}
	return nil, nil
}

var unsafeName = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// storeAttachments keeps each attachment in the bucket under the SES message
// id, so a redelivery overwrites rather than duplicates.
func (h *Handler) storeAttachments(ctx context.Context, sesID string, atts []email.Attachment) ([]helpdesk.Attachment, error) {
	var out []helpdesk.Attachment
	for i, a := range atts {
		name := unsafeName.ReplaceAllString(path.Base(a.Name), "_")
		if name == "" || name == "." || name == "_" {
			name = "attachment"
		}
		key := fmt.Sprintf("attachments/%s/%02d-%s", sesID, i, name)
		_, err := h.S3.PutObject(ctx, &s3.PutObjectInput{
			Bucket: &h.Bucket, Key: &key, Body: bytes.NewReader(a.Data),
			ContentType: aws.String(a.ContentType), ContentLength: aws.Int64(int64(len(a.Data))),
		})
		if err != nil {
			return nil, fmt.Errorf("store attachment %q: %w", a.Name, err)
		}
		out = append(out, helpdesk.Attachment{Name: a.Name, ContentType: a.ContentType, Size: a.Size, Key: key})
	}
	return out, nil
}

// permanentFailure reports whether a DSN reports a failed delivery; a DSN
// without per-recipient blocks (a plain-text bounce) counts as one.
func permanentFailure(rs []email.BounceRecipient) bool {
	if len(rs) == 0 {
		return true
	}
	for _, r := range rs {
		if strings.EqualFold(r.Action, "failed") {
			return true
		}
	}
	return false
}

func lower(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = strings.ToLower(s)
	}
	return out
}
