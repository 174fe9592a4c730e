package helpdesk

import (
	"encoding/json"
	"strings"
	"time"
)

// InboundVersion is the version of the InboundMessage JSON contract. Bump it on
// any incompatible change; the router refuses versions it does not know.
const InboundVersion = 1

// InboundMessage is what every channel parser produces and the router consumes:
// one customer message, channel-agnostic, as JSON on the ingest queue.
type InboundMessage struct {
	Version           int           `json:"v"`
	Channel           ChannelKind   `json:"channel"`
	ChannelID         string        `json:"channel_id"`
	ProviderMessageID string        `json:"provider_message_id"`
	ReceivedAt        time.Time     `json:"received_at"`
	Sender            Sender        `json:"sender"`
	Subject           string        `json:"subject,omitempty"`
	Text              string        `json:"text,omitempty"`
	Quoted            string        `json:"quoted,omitempty"`      // history under the new text (email)
	HTML              string        `json:"html,omitempty"`        // sanitised
	QuotedHTML        string        `json:"quoted_html,omitempty"` // the history cut from HTML, sanitised (email)
	Attachments       []Attachment  `json:"attachments,omitempty"`
	Email             *EmailHeaders `json:"email,omitempty"`
	Verdicts          Verdicts      `json:"verdicts,omitempty"`
	RawLocation       string        `json:"raw_location,omitempty"` // s3://bucket/key of the raw message
	// Ticket carries properties the source asked for (a form's hidden pipeline
	// and status fields); empty fields fall back to the channel's defaults.
	Ticket TicketDefaults `json:"ticket,omitempty"`
	// Submission keeps a form's other hidden fields, never shown in the conversation.
	Submission map[string]string `json:"submission,omitempty"`
	// Raw is the provider's event as it came (a Meta message object), kept
	// for kinds rendered as text (Flow replies, orders, system events) and
	// for kinds not supported yet, so nothing the customer sent is lost.
	Raw json.RawMessage `json:"raw,omitempty"`
	// System, when set, is a provider's notice about the sender (a changed
	// number), not a customer message: it becomes a note on the ticket and
	// updates the contact.
	System *SystemEvent `json:"system,omitempty"`
	// BodyLocation is the bucket key of the whole body (Body, JSON) of a
	// message too large to carry: Text is then a snippet (body.go).
	BodyLocation string `json:"body_location,omitempty"`
	// Update, when set, makes this an edit of or a reaction to a message
	// already sent (Target), not a new message.
	Update *MessageUpdate `json:"update,omitempty"`
	// Portal, set on every message of the portal channel, is what a
	// signed-in customer did: it names the contact (and the ticket) the
	// portal checked, so the router targets that ticket without threading.
	Portal *PortalAction `json:"portal,omitempty"`
}

// PortalAction is a customer's action in the portal (portal.go).
type PortalAction struct {
	// TicketID is the ticket acted on; "" opens a new ticket.
	TicketID  string `json:"ticket_id,omitempty"`
	ContactID string `json:"contact_id"`
	// Close closes the ticket (after the message, if there is one);
	// Reopen reopens a closed one without a message.
	Close  bool `json:"close,omitempty"`
	Reopen bool `json:"reopen,omitempty"`
}

// SystemEvent is a provider's notice about the customer (WhatsApp "system"
// messages).
type SystemEvent struct {
	Kind string `json:"kind"`           // e.g. "customer_changed_number", "user_changed_user_id", "customer_identity_changed"
	Text string `json:"text,omitempty"` // the provider's wording ("User X changed from A to B")
	// NewWhatsAppID and NewWhatsAppUserID are the sender's new identity,
	// when the event carries one.
	NewWhatsAppID     string `json:"new_wa_id,omitempty"`
	NewWhatsAppUserID string `json:"new_wa_user_id,omitempty"`
}

// Sender identifies the customer on the channel.
type Sender struct {
	Email      string `json:"email,omitempty"`
	Name       string `json:"name,omitempty"`
	PSID       string `json:"psid,omitempty"`
	PageID     string `json:"page_id,omitempty"`
	WhatsAppID string `json:"wa_id,omitempty"`
	// WhatsAppUserID is the business-scoped user id (BSUID, "US.1349…")
	// WhatsApp sends with, or instead of, the phone number (wa_id).
	WhatsAppUserID string `json:"wa_user_id,omitempty"`
	// UnknownID is set, on email only, when the mail names no usable address
	// anywhere (From, Sender, Reply-To, Return-Path): a key unique to that
	// mail (its provider id and content fingerprint), so each such mail gets
	// its own "Unknown sender" contact (unrelated people are never merged)
	// and a redelivery finds the same one. Email is empty then.
	UnknownID string `json:"unknown_id,omitempty"`
}

// Key is the sender's identity on its channel kind, used as the FIFO message
// group (so one customer's messages apply in order) and as the contact lookup.
func (s Sender) Key(kind ChannelKind) string {
	switch kind {
	case ChannelMessenger:
		return "messenger#" + s.PageID + "#" + s.PSID
	case ChannelWhatsApp:
		if s.WhatsAppID == "" && s.WhatsAppUserID != "" {
			// A user known only by their BSUID (a username hides the number).
			return "whatsapp#user:" + s.WhatsAppUserID
		}
		return "whatsapp#" + s.WhatsAppID
	case ChannelPortal:
		// The customer's own identity: their address, or, with none, the
		// chat identity they are known by.
		switch {
		case strings.TrimSpace(s.Email) == "" && (s.WhatsAppID != "" || s.WhatsAppUserID != ""):
			return s.Key(ChannelWhatsApp)
		case strings.TrimSpace(s.Email) == "" && s.PSID != "":
			return s.Key(ChannelMessenger)
		}
		return s.Key(ChannelEmail)
	default:
		if strings.TrimSpace(s.Email) == "" && s.UnknownID != "" {
			return "email#unknown#" + s.UnknownID // no '@': never an address's key
		}
		return "email#" + strings.ToLower(strings.TrimSpace(s.Email))
	}
}

// EmailHeaders carry what threading, contacts and loop handling need from
// an email. Message-IDs are without angle brackets; addresses lower-cased.
type EmailHeaders struct {
	MessageID  string   `json:"message_id,omitempty"`
	InReplyTo  []string `json:"in_reply_to,omitempty"`
	References []string `json:"references,omitempty"`
	To         []string `json:"to,omitempty"`
	Cc         []string `json:"cc,omitempty"`
	// Recipients are the envelope recipients: the team addresses (plus any
	// reply-token address) this copy was delivered to.
	Recipients []string `json:"recipients,omitempty"`
	// Kind is "normal", or why the mail must never become a ticket nor be
	// answered: "auto_reply", "bounce", "bulk", "loop".
	Kind       string `json:"kind,omitempty"`
	KindReason string `json:"kind_reason,omitempty"`
	// BouncedMessageIDs are our outbound Message-IDs a bounce reports.
	BouncedMessageIDs []string `json:"bounced_message_ids,omitempty"`
	// ForwardedBy is who forwarded the mail when the ticket is logged against
	// the original sender.
	ForwardedBy *Sender `json:"forwarded_by,omitempty"`
	// FullText is the whole text, quoted history included (Text holds the new part).
	FullText string `json:"full_text,omitempty"`
	// ReplyTo are the Reply-To addresses (lower-cased): where the customer
	// asked to be answered, when it is not From.
	ReplyTo []string `json:"reply_to,omitempty"`
	// Fingerprint is the SHA-256 (hex) of the mail's content
	// (InboundMessage.ContentFingerprint), computed on receipt: a Message-ID
	// seen before is a duplicate only with the same fingerprint.
	Fingerprint string `json:"fingerprint,omitempty"`
}

// Email kinds (EmailHeaders.Kind).
const (
	EmailNormal    = "normal"
	EmailAutoReply = "auto_reply"
	EmailBounce    = "bounce"
	EmailBulk      = "bulk"
	EmailLoop      = "loop"
)

// Verdicts are the provider's spam and virus checks ("PASS", "FAIL", ...).
type Verdicts struct {
	Spam  string `json:"spam,omitempty"`
	Virus string `json:"virus,omitempty"`
}

// VerdictFail is a provider verdict that sends a message to the spam view.
const VerdictFail = "FAIL"

// IsSpam reports whether the provider judged the message spam or a virus.
func (v Verdicts) IsSpam() bool { return v.Spam == VerdictFail || v.Virus == VerdictFail }

// DedupeScope is the namespace of ProviderMessageID: the channel, except for
// email, whose Message-IDs are global, so the same mail delivered to two of
// the tenant's addresses is one message (and one ticket).
func (m *InboundMessage) DedupeScope() string {
	if m.Channel == ChannelEmail {
		return string(ChannelEmail)
	}
	return m.ChannelID
}

// Validate checks the fields every consumer relies on.
func (m *InboundMessage) Validate() error {
	switch {
	case m.Version != InboundVersion:
		return Errorf(EInvalid, "unsupported_version", "inbound message version %d, want %d", m.Version, InboundVersion)
	case !m.Channel.Valid():
		return Errorf(EInvalid, "unknown_channel_kind", "unknown channel kind %q", m.Channel)
	case m.ChannelID == "":
		return Errorf(EInvalid, "channel_id_required", "channel_id is required")
	case m.ProviderMessageID == "":
		return Errorf(EInvalid, "provider_message_id_required", "provider_message_id is required")
	case m.ReceivedAt.IsZero():
		return Errorf(EInvalid, "received_at_required", "received_at is required")
	}
	switch m.Channel {
	case ChannelMessenger:
		if m.Sender.PSID == "" || m.Sender.PageID == "" {
			return Errorf(EInvalid, "sender_required", "messenger sender needs page_id and psid")
		}
	case ChannelWhatsApp:
		if m.Sender.WhatsAppID == "" && m.Sender.WhatsAppUserID == "" {
			return Errorf(EInvalid, "sender_required", "whatsapp sender needs wa_id or wa_user_id")
		}
	case ChannelPortal:
		switch {
		case m.Portal == nil || m.Portal.ContactID == "":
			return Errorf(EInvalid, "portal_action_required", "a portal message needs portal.contact_id")
		case m.Sender.Email == "" && m.Sender.WhatsAppID == "" && m.Sender.WhatsAppUserID == "" && m.Sender.PSID == "":
			return Errorf(EInvalid, "sender_required", "a portal sender needs an email or a chat identity")
		}
	default:
		if m.Sender.Email == "" && (m.Channel != ChannelEmail || m.Sender.UnknownID == "") {
			return Errorf(EInvalid, "sender_required", "sender email is required (or, for email, sender.unknown_id)")
		}
	}
	return nil
}
