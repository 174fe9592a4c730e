// Package receive is the email-inbound function's logic: SES has stored the
// raw message in the mail bucket and invokes it; it reads the message,
// parses it, keeps the attachments in the bucket and enqueues one inbound
// message for the router. Mail that must never become a ticket (auto-replies,
// bulk mail, our own mail looping back, mail it cannot read) stops here,
// recorded in the Filtered list with its reason (filtered.go), from which
// an agent can still make it a ticket (promote.go).
package receive

import (
	"context"
	"fmt"
	"log/slog"
	"net/mail"
	"path"
	"regexp"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/channel/email"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Files is the mail bucket (s3files.Bucket): SES stores each raw message
// in it, and the attachments are kept in it.
type Files interface {
	// Read returns the file stored under key: helpdesk.ErrNotFound if there
	// is none, an error with code helpdesk.ETooLarge if it is over limit
	// bytes.
	Read(ctx context.Context, key string, limit int64) ([]byte, error)
	// Write stores data under key, replacing what was there.
	Write(ctx context.Context, key, contentType string, data []byte) error
	// Location names key for the record, e.g. s3://bucket/key.
	Location(key string) string
}

// ChannelReader reads channel configuration.
type ChannelReader interface {
	GetChannel(ctx context.Context, id string) (helpdesk.Channel, error)
}

// Enqueuer puts inbound messages on the ingest queue.
type Enqueuer interface {
	EnqueueInbound(ctx context.Context, m *helpdesk.InboundMessage) error
}

// Handler receives the mail SES delivers.
type Handler struct {
	Files    Files
	Channels ChannelReader
	Queue    Enqueuer
	Filtered Filtered // records the mail that stops here (filtered.go)
	Tenant   string
	Prefix   string // the S3 action's object key prefix, e.g. "inbound/"
	Log      *slog.Logger
	Now      func() time.Time // when SES's event has no time (time.Now if nil)
}

// Delivery is one message SES received for the tenant: SES has stored it
// under Prefix + ID and invoked the function (one record of its receipt
// event).
type Delivery struct {
	ID         string            // SES's message id
	Recipients []string          // the envelope recipients the receipt rule matched
	Timestamp  time.Time         // when SES received it
	Verdicts   helpdesk.Verdicts // SES's spam and virus verdicts: PASS, FAIL, GRAY, PROCESSING_FAILED
}

// maxRawSize bounds the raw message read: SES receives at most 40 MB.
const maxRawSize = 40 << 20

// ChannelID is the id of the email channel of a team address.
func ChannelID(address string) string { return "email:" + strings.ToLower(address) }

// plusTag strips "+anything" from a local part: support+t42.x@… → support@….
var plusTag = regexp.MustCompile(`\+[^@]*@`)

// Receive reads, parses and enqueues one delivered message. An error means
// it is worth another try (SES invokes asynchronously, so Lambda retries);
// enqueueing is idempotent on the Message-ID.
func (h *Handler) Receive(ctx context.Context, d Delivery) error {
	sesID := d.ID
	log := h.Log.With("ses_message_id", sesID)
	ch, err := h.channel(ctx, d.Recipients)
	if err != nil {
		return err
	}
	key := h.Prefix + sesID
	if ch == nil {
		log.WarnContext(ctx, "mail for no email channel of this tenant, not ticketed", "recipients", d.Recipients)
		return h.filterNoChannel(ctx, d, key)
	}
	raw, err := h.Files.Read(ctx, key, maxRawSize)
	if helpdesk.IsCode(err, helpdesk.ETooLarge) {
		// More than SES takes: it cannot get smaller by retrying.
		log.ErrorContext(ctx, "mail too large, not ticketed", "channel", ch.ID, "s3_key", key, "error", err)
		return h.filter(ctx, h.filtered(d, key, ch.ID, nil, helpdesk.FilteredTooLarge, err.Error()))
	}
	if err != nil {
		// Missing is retried too: SES may still be writing it.
		return fmt.Errorf("read raw message %s: %w", key, err)
	}
	p, err := email.Parse(raw, email.Options{Tenant: h.Tenant, UseOriginalSender: !ch.Email.LogForwarder})
	if err != nil {
		// Unparseable mail cannot get better by retrying: keep it in the bucket, say so.
		log.ErrorContext(ctx, "unparseable mail, not ticketed", "channel", ch.ID, "s3_key", key, "error", err)
		return h.filter(ctx, h.filtered(d, key, ch.ID, nil, helpdesk.FilteredUnparseable, err.Error()))
	}
	log = log.With("channel", ch.ID, "message_id", p.MessageID)
	switch p.Kind {
	case email.KindNormal:
	case email.KindBounce:
		if len(p.BouncedMessageIDs) == 0 || !permanentFailure(p.BounceRecipients) {
			// No message of ours, or only a delay warning: nothing failed yet.
			log.InfoContext(ctx, "bounce not recorded", "reason", p.KindReason, "bounced", p.BouncedMessageIDs)
			return h.filter(ctx, h.filtered(d, key, ch.ID, p, string(p.Kind), p.KindReason))
		}
		// Not a ticket: the router marks our bounced messages failed.
		log.InfoContext(ctx, "bounce, not ticketed", "reason", p.KindReason, "bounced", p.BouncedMessageIDs)
	default:
		log.InfoContext(ctx, "never ticketed, never answered", "kind", p.Kind, "reason", p.KindReason)
		return h.filter(ctx, h.filtered(d, key, ch.ID, p, string(p.Kind), p.KindReason))
	}
	m, err := h.Inbound(ctx, d, *ch, p, BuildOptions{})
	if err != nil {
		return err
	}
	if err := h.Queue.EnqueueInbound(ctx, m); err != nil {
		return err
	}
	log.InfoContext(ctx, "mail queued", "attachments", len(m.Attachments))
	return nil
}

// BuildOptions tune Inbound.
type BuildOptions struct {
	// AsNormal builds the message as normal mail whatever the parser made
	// of it (an agent promoting a filtered mail: a customer after all).
	AsNormal bool
	// AttachmentsID names the attachments' folder (attachments/<id>/);
	// SES's message id when empty.
	AttachmentsID string
}

// Inbound builds the inbound message of mail p, which SES delivered as d
// to channel ch, and keeps its attachments in the bucket.
func (h *Handler) Inbound(ctx context.Context, d Delivery, ch helpdesk.Channel, p *email.Parsed, o BuildOptions) (*helpdesk.InboundMessage, error) {
	sesID := d.ID
	key := h.Prefix + sesID
	log := h.Log.With("ses_message_id", sesID, "channel", ch.ID, "message_id", p.MessageID)
	m := &helpdesk.InboundMessage{
		Version:           helpdesk.InboundVersion,
		Channel:           helpdesk.ChannelEmail,
		ChannelID:         ch.ID,
		ProviderMessageID: p.MessageID,
		ReceivedAt:        d.Timestamp.UTC(),
		Sender:            p.From,
		Subject:           p.Subject,
		Text:              p.Text,
		Quoted:            p.Quoted,
		HTML:              p.HTML,
		QuotedHTML:        p.QuotedHTML,
		Verdicts:          d.Verdicts,
		RawLocation:       h.Files.Location(key),
		Email: &helpdesk.EmailHeaders{
			MessageID: p.MessageID, InReplyTo: p.InReplyTo, References: p.References,
			To: p.To, Cc: p.Cc, Recipients: lower(d.Recipients),
			Kind: string(p.Kind), KindReason: p.KindReason, FullText: p.FullText, BouncedMessageIDs: p.BouncedMessageIDs,
			ReplyTo: p.ReplyTo,
		},
	}
	if m.ProviderMessageID == "" {
		m.ProviderMessageID = "ses-" + sesID // no Message-ID: SES's id still dedupes redeliveries
	}
	if o.AsNormal && p.Kind != email.KindNormal {
		m.Email.Kind, m.Email.BouncedMessageIDs = helpdesk.EmailNormal, nil
		m.Email.KindReason = "promoted by an agent; filtered as " + string(p.Kind) + ": " + p.KindReason
	}
	attID := sesID
	if o.AttachmentsID != "" {
		attID = o.AttachmentsID
	}
	if p.Forwarded != nil && !ch.Email.LogForwarder {
		by := p.Forwarded.By
		m.Email.ForwardedBy = &by
	}
	var err error
	if m.Attachments, err = h.storeAttachments(ctx, attID, p.Attachments); err != nil {
		return nil, err
	}
	for _, r := range p.Rejected {
		// Listed on the message with why, so the agent knows a file is missing.
		log.WarnContext(ctx, "attachment dropped", "name", r.Name, "reason", r.Reason)
		m.Attachments = append(m.Attachments, helpdesk.Attachment{Name: r.Name, Size: r.Size, Note: "not stored: " + r.Reason})
	}
	if len(p.Warnings) > 0 {
		log.WarnContext(ctx, "damaged mail", "warnings", p.Warnings)
	}
	identify(m)
	return m, nil
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
		if err := h.Files.Write(ctx, key, a.ContentType, a.Data); err != nil {
			return nil, fmt.Errorf("store attachment %q: %w", a.Name, err)
		}
		out = append(out, helpdesk.Attachment{Name: a.Name, ContentType: a.ContentType, Size: a.Size, Key: key,
			ContentID: a.ContentID, Inline: a.Inline, Note: a.Note})
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
