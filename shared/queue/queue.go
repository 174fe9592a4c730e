// Package queue holds the SQS contracts: the envelope every queued job travels
// in, the ingest publisher (FIFO group and deduplication ids) and the batch
// processor that reports partial failures.
package queue

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Envelope kinds.
const (
	KindInbound           = "inbound.message"    // ingest queue: a helpdesk.InboundMessage
	KindNotificationEmail = "notification.email" // outbound queue: a NotificationEmail
	KindReplyEmail        = "reply.email"        // outbound queue: a ReplyEmail
	KindReplyChat         = "reply.chat"         // outbound queue: a ReplyChat (Messenger, WhatsApp)
	KindConsentPrompt     = "consent.prompt"     // outbound queue: a ConsentPrompt
)

// ReplyChat asks the outbound sender to send queued outbound messages of a
// Messenger or WhatsApp ticket, in order (a greeting before the instant reply).
type ReplyChat struct {
	TicketID   string    `json:"ticket_id"`
	MessageIDs []string  `json:"message_ids"`
	CreatedAt  time.Time `json:"created_at"`
}

// ConsentPrompt asks the outbound sender to send a page's greeting and
// consent text with an "I agree" quick reply to a visitor who has no
// ticket yet (explicit consent: nothing is ticketed before they agree).
type ConsentPrompt struct {
	ChannelID  string `json:"channel_id"`
	PSID       string `json:"psid"`
	Greeting   string `json:"greeting,omitempty"`
	Text       string `json:"text"`
	AgreeLabel string `json:"agree_label"`
	Payload    string `json:"payload"`
}

// ReplyEmail asks the outbound sender to send an agent's reply, recorded on
// the ticket as a queued outbound message.
type ReplyEmail struct {
	TicketID  string    `json:"ticket_id"`
	MessageID string    `json:"message_id"`
	CreatedAt time.Time `json:"created_at"`
}

// NotificationEmail asks the outbound sender to email an agent about a
// notification. NotificationID makes the send idempotent.
type NotificationEmail struct {
	NotificationID string                    `json:"notification_id"`
	TicketID       string                    `json:"ticket_id"`
	Kind           helpdesk.NotificationKind `json:"kind"`
	ToAgentID      string                    `json:"to_agent_id"`
	ToEmail        string                    `json:"to_email"`
	ToName         string                    `json:"to_name,omitempty"`
	Subject        string                    `json:"subject"`
}

// Encode wraps a payload in an envelope of the given kind.
func Encode(kind string, payload any) ([]byte, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", kind, err)
	}
	return json.Marshal(Envelope{Kind: kind, Payload: raw})
}

// Outbound publishes jobs (already encoded envelopes) to the outbound queue.
type Outbound struct {
	Client   SQS
	QueueURL string
}

// Publish sends one job body.
func (q *Outbound) Publish(ctx context.Context, body string) error {
	_, err := q.Client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q.QueueURL, MessageBody: &body})
	if err != nil {
		return fmt.Errorf("%w: outbound job: %v", ErrUnavailable, err)
	}
	return nil
}

// Envelope is the JSON body of every queued job. Kind says how to read
// Payload; the payload carries its own version.
type Envelope struct {
	Kind    string          `json:"kind"`
	Payload json.RawMessage `json:"payload"`
}

// SQS is the subset of the SQS client the publisher uses.
type SQS interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
}

// Ingest publishes inbound messages to the ingest FIFO queue.
type Ingest struct {
	Client   SQS
	QueueURL string
}

// ErrUnavailable wraps any failure to enqueue: the caller should answer so
// that its sender retries (HTTP 503, or a 5xx to Meta).
var ErrUnavailable = &helpdesk.Error{Code: helpdesk.EUnavailable, Reason: "queue_unavailable", Message: "the message could not be queued; retry later"}

// EnqueueInbound sends m with the sender's identity as its message group (one
// customer's messages apply in order) and channel + provider message id as
// its deduplication id (SQS drops a resend within five minutes).
func (q *Ingest) EnqueueInbound(ctx context.Context, m *helpdesk.InboundMessage) error {
	body, err := EncodeInbound(m)
	if err != nil {
		return err
	}
	_, err = q.Client.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:               &q.QueueURL,
		MessageBody:            aws.String(string(body)),
		MessageGroupId:         aws.String(GroupID(m)),
		MessageDeduplicationId: aws.String(DeduplicationID(m)),
	})
	if err != nil {
		return fmt.Errorf("%w: send %s/%s: %v", ErrUnavailable, m.ChannelID, m.ProviderMessageID, err)
	}
	return nil
}

// EncodeInbound wraps m in an envelope.
func EncodeInbound(m *helpdesk.InboundMessage) ([]byte, error) { return Encode(KindInbound, m) }

// DecodeEnvelope reads the envelope of a queued job; Decode its payload.
func DecodeEnvelope(body string) (Envelope, error) {
	var env Envelope
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		return env, helpdesk.Errorf(helpdesk.EInvalid, "bad_envelope", "decode envelope: %v", err)
	}
	return env, nil
}

// Decode reads the payload into v.
func (e Envelope) Decode(v any) error {
	if err := json.Unmarshal(e.Payload, v); err != nil {
		return helpdesk.Errorf(helpdesk.EInvalid, "bad_payload", "decode %s payload: %v", e.Kind, err)
	}
	return nil
}

// Inbound reads the inbound message an envelope carries and validates it.
func (e Envelope) Inbound() (*helpdesk.InboundMessage, error) {
	if e.Kind != KindInbound {
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "unknown_kind", "envelope kind %q, want %q", e.Kind, KindInbound)
	}
	var m helpdesk.InboundMessage
	if err := e.Decode(&m); err != nil {
		return nil, err
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// DecodeInbound reads an envelope carrying an inbound message and validates it.
func DecodeInbound(body string) (*helpdesk.InboundMessage, error) {
	env, err := DecodeEnvelope(body)
	if err != nil {
		return nil, err
	}
	return env.Inbound()
}

// GroupID is the FIFO message group of m: its channel and sender.
func GroupID(m *helpdesk.InboundMessage) string {
	return sqsID(m.ChannelID + "#" + m.Sender.Key(m.Channel))
}

// DeduplicationID is the FIFO deduplication id of m.
func DeduplicationID(m *helpdesk.InboundMessage) string {
	return sqsID(m.DedupeScope() + "#" + m.ProviderMessageID)
}

// sqsID keeps ids inside SQS's rules (at most 128 printable ASCII characters)
// by hashing anything else; the hash keeps distinct inputs distinct.
func sqsID(s string) string {
	if len(s) <= 128 && printableASCII(s) {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	return "h-" + hex.EncodeToString(sum[:])
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '!' || s[i] > '~' {
			return false
		}
	}
	return true
}

// KindStatus carries a provider's delivery report for one of our outbound
// messages (ingest queue): a StatusUpdate.
const KindStatus = "outbound.status"

// StatusUpdate is a delivery report (WhatsApp statuses[], Messenger
// delivery events) for the outbound message the provider knows by
// ProviderMessageID.
type StatusUpdate struct {
	Channel           helpdesk.ChannelKind   `json:"channel"`
	ChannelID         string                 `json:"channel_id"`
	ProviderMessageID string                 `json:"provider_message_id"`
	Status            helpdesk.MessageStatus `json:"status"`
	At                time.Time              `json:"at"`
	ErrorCode         int                    `json:"error_code,omitempty"`
	ErrorTitle        string                 `json:"error_title,omitempty"`
	ErrorDetail       string                 `json:"error_detail,omitempty"`
}

// Validate checks the fields the router needs.
func (u *StatusUpdate) Validate() error {
	switch {
	case u.ProviderMessageID == "":
		return helpdesk.Errorf(helpdesk.EInvalid, "provider_message_id_required", "status update needs provider_message_id")
	case u.Status == "":
		return helpdesk.Errorf(helpdesk.EInvalid, "status_required", "status update needs status")
	case u.At.IsZero():
		return helpdesk.Errorf(helpdesk.EInvalid, "at_required", "status update needs at")
	}
	return nil
}

// EnqueueStatus sends a delivery report. Reports of one outbound message
// share a message group, so they apply in the order Meta sent them.
func (q *Ingest) EnqueueStatus(ctx context.Context, u *StatusUpdate) error {
	body, err := Encode(KindStatus, u)
	if err != nil {
		return err
	}
	_, err = q.Client.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:               &q.QueueURL,
		MessageBody:            aws.String(string(body)),
		MessageGroupId:         aws.String(sqsID("status#" + u.ProviderMessageID)),
		MessageDeduplicationId: aws.String(sqsID("status#" + u.ProviderMessageID + "#" + string(u.Status))),
	})
	if err != nil {
		return fmt.Errorf("%w: send status %s/%s: %v", ErrUnavailable, u.ProviderMessageID, u.Status, err)
	}
	return nil
}
