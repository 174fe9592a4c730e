package helpdesk

import (
	"slices"
	"time"
)

// Filtered kinds: why a mail was kept out of the tickets. The first four
// are the email parser's classification (EmailHeaders.Kind); the others
// are what email-inbound could not take further.
const (
	FilteredAutoReply   = EmailAutoReply
	FilteredBounce      = EmailBounce // a bounce of no message of ours, or only a delay warning
	FilteredBulk        = EmailBulk
	FilteredLoop        = EmailLoop
	FilteredUnparseable = "unparseable"
	FilteredTooLarge    = "too_large"
	FilteredNoChannel   = "no_channel" // sent to no enabled email channel of the tenant
)

// FilteredKinds lists every filtered kind.
var FilteredKinds = []string{FilteredAutoReply, FilteredBounce, FilteredBulk, FilteredLoop,
	FilteredUnparseable, FilteredTooLarge, FilteredNoChannel, FilteredPortal}

// ValidFilteredKind reports whether k is a filtered kind.
func ValidFilteredKind(k string) bool { return slices.Contains(FilteredKinds, k) }

// FilteredRetention is how long a filtered mail stays listed (the record's
// TTL). Its raw mail stays in the bucket at least as long.
const FilteredRetention = 90 * 24 * time.Hour

// Bounds on what a filtered record keeps, so one record stays a small
// item (one write unit in the common case) whatever the mail says.
const (
	maxFilteredText       = 300 // subject, reason, sender name (runes)
	maxFilteredRecipients = 10
)

// FilteredMail is one mail email-inbound kept out of the tickets, recorded
// so an agent can still find it, and make it a ticket after all. It is
// keyed by when SES received it and SES's message id, so a redelivery
// records the same one again.
type FilteredMail struct {
	SESMessageID string    `json:"ses_message_id"`
	ReceivedAt   time.Time `json:"received_at"`
	Kind         string    `json:"kind"`             // one of FilteredKinds
	Reason       string    `json:"reason,omitempty"` // the parser's reason ("auto-submitted: auto-replied"), the parse error, ...
	// What was read of the mail (nothing for too-large mail).
	Sender     Sender   `json:"sender"`
	Subject    string   `json:"subject,omitempty"`
	MessageID  string   `json:"message_id,omitempty"` // the Message-ID header, without brackets
	ChannelID  string   `json:"channel_id,omitempty"` // "" for mail to no channel
	Recipients []string `json:"recipients,omitempty"` // the envelope recipients, lower-cased
	// RawKey is the raw mail's key in the mail bucket (inbound/<ses id>);
	// RawLocation names it as s3://bucket/key.
	RawKey      string    `json:"raw_key"`
	RawLocation string    `json:"raw_location"`
	ExpiresAt   time.Time `json:"expires_at"`
	// Set once an agent made it a ticket: who, when, and the provider
	// message id it was queued with (the router dedupes on it).
	PromotedBy        string     `json:"promoted_by,omitempty"`
	PromotedAt        *time.Time `json:"promoted_at,omitempty"`
	PromotedMessageID string     `json:"promoted_message_id,omitempty"`
}

// Bound trims what the mail said to the record's bounds.
func (f *FilteredMail) Bound() {
	f.Reason = TruncateRunes(f.Reason, maxFilteredText, "…")
	f.Subject = TruncateRunes(f.Subject, maxFilteredText, "…")
	f.Sender.Name = TruncateRunes(f.Sender.Name, maxFilteredText, "…")
	f.Sender.Email = TruncateRunes(f.Sender.Email, maxFilteredText, "")
	f.MessageID = TruncateRunes(f.MessageID, maxFilteredText, "")
	if len(f.Recipients) > maxFilteredRecipients {
		f.Recipients = f.Recipients[:maxFilteredRecipients]
	}
}

// AuditFiltered is the audit kind of a filtered mail made a ticket.
const AuditFiltered AuditKind = "filtered_mail"

// AuditPromote is the audit action of making a filtered mail a ticket.
const AuditPromote AuditAction = "promote"

// CanSeeFiltered reports whether the principal may list filtered mail: it
// is any customer's, so only who sees every ticket (admins, and agents and
// viewers whose scope is all).
func (p Principal) CanSeeFiltered() bool { return p.Agent.Active && p.Scope() == ScopeAll }

// CanPromoteFiltered reports whether the principal may make a filtered
// mail a ticket: who sees it and works tickets (not viewers).
func (p Principal) CanPromoteFiltered() bool { return p.CanSeeFiltered() && p.CanWork() }
