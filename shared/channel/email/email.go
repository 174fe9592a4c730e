// Package email parses raw inbound mail (RFC 5322 bytes, as SES stores them in
// S3) into what the email-inbound function needs: the customer, threading
// headers, the new text separated from quoted history, sanitised HTML,
// attachments, forward detection, and a classification that keeps
// auto-replies, bounces, bulk mail and our own looped mail out of tickets.
//
// It is pure: no I/O, no clock, no AWS. The caller supplies the bytes and maps
// the result onto helpdesk.InboundMessage.
//
// Decisions worth knowing (see also Parse):
//   - Classification order is loop, bounce, auto_reply, bulk; the first match wins.
//   - A List-Unsubscribe header alone makes a mail bulk (newsletters); a List-Id
//     alone does not (a Google Group used as the team address adds List-Id to
//     real customer mail — it also adds Precedence: list, which is bulk).
//   - A read receipt (multipart/report; report-type=disposition-notification)
//     is an auto_reply, not a bounce, even with Return-Path: <>, so it never
//     marks an outbound message as failed.
//   - An attached message/rfc822 is a forward only when the subject carries a
//     forward prefix (Fwd:, Fw:, TR:, WG:, ...): an .eml attached as evidence
//     must not move the ticket to whoever wrote that mail.
//   - Declared charsets are trusted; us-ascii, unknown or missing charsets are
//     detected from the content, and text that is still not UTF-8 is read as
//     Windows-1252, so every string in Parsed is valid UTF-8.
//   - Header text sent as raw 8-bit bytes (no RFC 2047: a GBK subject from
//     Foxmail, a Big5 file name) is read as UTF-8 when it is, else by the
//     charsets the mail declares (a part's own charset first for its file
//     name, then the bodies' and encoded words' charsets), else by detection
//     among GBK, Shift_JIS, Big5, EUC-KR, Windows-1252, KOI8-R and
//     Windows-1251 (hdrcharset.go). RFC 2231 names are read in any charset.
//   - Every stored header value (subject, names, addresses, message ids,
//     file names) is unfolded and trimmed, with CR, LF and other control
//     characters removed (whitespace.go).
//   - The customer is found in From, Sender, Reply-To, Return-Path, in that
//     order; a malformed From keeps its address and name; mail a group
//     relayed is the person's (sender.go). A mail without any address is not
//     an error: see Parsed.From.
//   - Forwarded.OriginalFrom comes from the forwarded text, which the
//     forwarder wrote: anyone can claim to forward anyone's mail. Sender
//     checks (threading into an existing ticket) must use Forwarded.By.
//   - Multipart parts nested deeper than 12 levels are refused (ErrMalformed):
//     enmime's time grows exponentially with unterminated nesting.
//   - A bounce needs DSN structure or classic signs together (null or daemon
//     sender, bounce subject, returned copy or diagnostic): Return-Path: <>
//     alone is spam's habit, not a bounce.
//   - An attachment is Inline exactly when the HTML references its Content-ID.
//   - Broken base64 and quoted-printable are decoded leniently; a part that is
//     not base64 at all keeps its raw bytes, with Attachment.Note saying so.
package email

import (
	"errors"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// LoopHeader is set on every mail we send; its value is the tenant name.
const LoopHeader = "X-Stackdesk-Loop"

// Limits and defaults.
const (
	// MaxRawBytes bounds the raw input; SES itself accepts up to 40 MB.
	MaxRawBytes               = 40 << 20
	DefaultMaxAttachmentBytes = 10 << 20
	DefaultMaxAttachments     = 20
)

var (
	// ErrMalformed wraps every error caused by input that cannot be read as mail.
	ErrMalformed = errors.New("malformed email")
	// ErrTooLarge is returned for raw input over MaxRawBytes.
	ErrTooLarge = errors.New("email too large")
	// errPanic marks a recovered panic (also wrapped in ErrMalformed); the fuzz
	// target fails on it so a recover never hides a bug.
	errPanic = errors.New("internal panic")
)

// Options tune Parse. The zero value is usable: Tenant empty means any loop
// header counts as ours (the conservative choice: never answer a Stackdesk).
type Options struct {
	Tenant             string // our loop-header value
	MaxAttachmentBytes int64  // per attachment (default 10 MiB); larger ones are dropped and listed in Rejected
	MaxAttachments     int    // default 20
	UseOriginalSender  bool   // "use the original sender of forwarded mail" (product default: on)
	// AsNormal reads the mail as normal mail whatever it is classified as
	// (an agent promoting filtered mail: a customer after all): forwards
	// are detected as in normal mail. Kind and KindReason still say what
	// the classifier made of it.
	AsNormal bool
}

func (o Options) withDefaults() Options {
	if o.MaxAttachmentBytes <= 0 {
		o.MaxAttachmentBytes = DefaultMaxAttachmentBytes
	}
	if o.MaxAttachments <= 0 {
		o.MaxAttachments = DefaultMaxAttachments
	}
	return o
}

// Kind classifies a mail. Only KindNormal may create or join a ticket; the
// others are never answered.
type Kind string

const (
	KindNormal    Kind = helpdesk.EmailNormal
	KindAutoReply Kind = helpdesk.EmailAutoReply
	KindBounce    Kind = helpdesk.EmailBounce
	KindBulk      Kind = helpdesk.EmailBulk
	KindLoop      Kind = helpdesk.EmailLoop
)

// Forward describes a detected forward.
type Forward struct {
	By           helpdesk.Sender `json:"by"`            // who forwarded the mail to us
	OriginalFrom helpdesk.Sender `json:"original_from"` // the author of the forwarded mail (Email may be empty when the client gave only a name)
	Subject      string          `json:"subject,omitempty"`
	Attached     bool            `json:"attached,omitempty"` // forwarded as a message/rfc822 attachment rather than inline
	// Text is, for an attached forward, the attached message's new text (an
	// inline forward's text is part of Parsed.Text already).
	Text string `json:"text,omitempty"`
}

// Attachment is one attached or inline part.
type Attachment struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	ContentID   string `json:"content_id,omitempty"` // without angle brackets
	Inline      bool   `json:"inline,omitempty"`     // shown in the body (cid: image), not offered as a download
	Note        string `json:"note,omitempty"`       // how a damaged part was recovered (lenient decoding, raw bytes kept)
	Data        []byte `json:"-"`
}

// Rejected is an attachment that was dropped.
type Rejected struct {
	Name   string `json:"name"`
	Reason string `json:"reason"` // RejectTooLarge or RejectTooMany
	Size   int64  `json:"size,omitempty"`
}

// Rejection reasons.
const (
	RejectTooLarge = "too_large"
	RejectTooMany  = "too_many"
)

// BounceRecipient is one per-recipient block of a delivery status notification.
type BounceRecipient struct {
	Address    string `json:"address"`              // lower-cased, without the "rfc822;" type
	Action     string `json:"action,omitempty"`     // failed, delayed, delivered, relayed, expanded
	Status     string `json:"status,omitempty"`     // e.g. 5.1.1
	Diagnostic string `json:"diagnostic,omitempty"` // the remote server's words
}

// Parsed is the parse result.
type Parsed struct {
	MessageID  string   // without angle brackets
	InReplyTo  []string // ids without brackets
	References []string // ids without brackets, oldest first
	// From is the customer (the original sender when a forward is detected
	// and UseOriginalSender): the first address of From, Sender, Reply-To,
	// Return-Path, or, for mail a group relayed (Google Groups "'Jane' via
	// Support", a list that rewrites From), the person in X-Original-Sender,
	// X-Original-From, Sender or Reply-To. A Sender beside a personal From
	// (a secretary's) does not replace it.
	//
	// Guarantee: when no header holds an address, Parse still succeeds and
	// From.Email is "" (From.Name keeps a name-only From, if any); the caller
	// files such mail under an "unknown sender" contact, never drops it.
	From      helpdesk.Sender
	Forwarded *Forward // set when the mail is a forward
	// ReplyTo are Reply-To's lower-cased addresses, malformed lists read
	// loosely: where replies go, not who the customer is (that is From).
	// For mail a group relayed (From is the person behind the group), the
	// group's own addresses are left out, so replies reach the person.
	ReplyTo    []string
	To         []string
	Cc         []string
	Subject    string // decoded (RFC 2047)
	Date       time.Time
	Text       string // the new text only: quoted history and signature removed
	FullText   string // the whole plain-text body (from text/plain, or derived from HTML)
	Quoted     string // what Text leaves out of FullText: quoted history, signature ("" when nothing was cut)
	HTML       string // the new part, sanitised for display (bluemonday UGC policy, cid: images allowed)
	QuotedHTML string // the quoted history cut from HTML, sanitised the same way ("" when nothing was cut)

	Attachments []Attachment
	Rejected    []Rejected

	Kind       Kind
	KindReason string // e.g. "auto-submitted: auto-replied", "multipart/report delivery-status"
	// BouncedMessageIDs are, for bounces, the Message-IDs of the returned
	// message(s): the caller matches them against its outbound messages.
	BouncedMessageIDs []string
	// BounceRecipients are the per-recipient DSN blocks; Action tells a
	// permanent failure ("failed") from a delay warning ("delayed").
	BounceRecipients []BounceRecipient
	// Warnings are the parser's notes on damaged input (broken base64, unknown
	// charset, missing boundary): a best-effort parse, worth a log line.
	Warnings []string
}
