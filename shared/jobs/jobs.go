// Package jobs holds the contracts of queued work: the envelope every job
// travels in and the typed payloads (inbound messages and delivery reports on
// the ingest queue; replies, notifications and consent prompts on the
// outbound queue). It knows nothing of SQS or Lambda.
package jobs

import (
	"encoding/json"
	"fmt"
	"time"

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
	// Recipient and At name the notification's item (its feed and time),
	// where the sender records an email it could not send.
	Recipient string    `json:"recipient,omitempty"`
	At        time.Time `json:"at,omitzero"`
}

// Encode wraps a payload in an envelope of the given kind.
func Encode(kind string, payload any) ([]byte, error) {
	raw, err := json.Marshal(payload)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", kind, err)
	}
	return json.Marshal(Envelope{Kind: kind, Payload: raw})
}

// Envelope is the JSON body of every queued job. Kind says how to read
// Payload; the payload carries its own version.
type Envelope struct {
	Kind    string          `json:"kind"`
	Payload json.RawMessage `json:"payload"`
}

// EncodeInbound cleans m's text (helpdesk.CleanText: every channel's, once,
// before enqueue) and wraps m in an envelope.
func EncodeInbound(m *helpdesk.InboundMessage) ([]byte, error) {
	m.Clean()
	return Encode(KindInbound, m)
}

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
	m.Clean() // what another producer queued is held to the same text rules
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
	// Recipient, set instead of ProviderMessageID, makes this a watermark
	// (Messenger delivery and read receipts): every outbound message of the
	// conversation with this customer (their PSID on the page of ChannelID)
	// created at or before At has reached Status.
	Recipient string `json:"recipient,omitempty"`
}

// IsWatermark reports whether u covers a conversation up to a time rather
// than one message.
func (u *StatusUpdate) IsWatermark() bool { return u.ProviderMessageID == "" && u.Recipient != "" }

// Validate checks the fields the router needs.
func (u *StatusUpdate) Validate() error {
	switch {
	case u.ProviderMessageID == "" && u.Recipient == "":
		return helpdesk.Errorf(helpdesk.EInvalid, "provider_message_id_required", "status update needs provider_message_id (or recipient, for a watermark)")
	case u.Status == "":
		return helpdesk.Errorf(helpdesk.EInvalid, "status_required", "status update needs status")
	case u.At.IsZero():
		return helpdesk.Errorf(helpdesk.EInvalid, "at_required", "status update needs at")
	}
	return nil
}
