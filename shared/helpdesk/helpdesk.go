// Package helpdesk holds Stackdesk's domain types and the error vocabulary that
// every other package speaks. It has no dependencies on AWS or HTTP.
package helpdesk

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"
)

// ChannelKind is the kind of channel a message arrived through.
type ChannelKind string

const (
	ChannelEmail     ChannelKind = "email"
	ChannelForm      ChannelKind = "form"
	ChannelMessenger ChannelKind = "messenger"
	ChannelWhatsApp  ChannelKind = "whatsapp"
	ChannelAPI       ChannelKind = "api"
	// ChannelPortal: what a customer does in the customer portal (a reply,
	// a close or reopen, a new ticket), queued like any inbound message.
	ChannelPortal ChannelKind = "portal"
)

// Valid reports whether k is a known channel kind.
func (k ChannelKind) Valid() bool {
	switch k {
	case ChannelEmail, ChannelForm, ChannelMessenger, ChannelWhatsApp, ChannelAPI, ChannelPortal:
		return true
	}
	return false
}

// TicketType groups tickets for load-balanced routing (seed 003).
type TicketType string

const (
	TypeCall       TicketType = "call"
	TypeMessage    TicketType = "message"     // Messenger, WhatsApp, chat
	TypeEmailOther TicketType = "email_other" // email, form, API
)

// TicketTypeFor returns the routing ticket type of a channel kind.
func TicketTypeFor(k ChannelKind) TicketType {
	switch k {
	case ChannelMessenger, ChannelWhatsApp:
		return TypeMessage
	default:
		return TypeEmailOther
	}
}

// State is the coarse lifecycle bucket a ticket sits in; views and counters key
// on it. It is derived from the ticket's status and spam flag.
type State string

const (
	StateOpen   State = "open"
	StateClosed State = "closed"
	StateSpam   State = "spam"
	// StateMerged: merged into another ticket (MergedInto); in no view.
	StateMerged State = "merged"
)

// Priority of a ticket.
type Priority string

const (
	PriorityLow    Priority = "low"
	PriorityMedium Priority = "medium"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Valid reports whether p is a known priority ("" means unset and is valid).
func (p Priority) Valid() bool {
	switch p {
	case "", PriorityLow, PriorityMedium, PriorityHigh, PriorityUrgent:
		return true
	}
	return false
}

// Ticket is one customer request and everything said about it.
type Ticket struct {
	ID      string `dynamodbav:"id" json:"id"`
	Subject string `dynamodbav:"subject" json:"subject"`
	// Description is the start of the first message (DescriptionMax runes),
	// for ticket lists: the ticket item sits in four indexes and is
	// rewritten on every change, so it does not carry the whole text.
	Description string      `dynamodbav:"description,omitempty" json:"description,omitempty"`
	Pipeline    string      `dynamodbav:"pipeline" json:"pipeline"`
	Status      string      `dynamodbav:"status" json:"status"`
	State       State       `dynamodbav:"state" json:"state"`
	Priority    Priority    `dynamodbav:"priority,omitempty" json:"priority,omitempty"`
	Category    string      `dynamodbav:"category,omitempty" json:"category,omitempty"`
	Type        TicketType  `dynamodbav:"ticketType" json:"ticket_type"`
	ChannelID   string      `dynamodbav:"channelId" json:"channel_id"`
	ChannelKind ChannelKind `dynamodbav:"channelKind" json:"channel_kind"`
	ContactID   string      `dynamodbav:"contactId" json:"contact_id"`
	OwnerID     string      `dynamodbav:"ownerId,omitempty" json:"owner_id,omitempty"`
	TeamID      string      `dynamodbav:"teamId,omitempty" json:"team_id,omitempty"`
	// AssignedAt is when the current owner got the ticket; it places the
	// ticket in the owner's load window (see LoadWindowDays).
	AssignedAt time.Time `dynamodbav:"assignedAt,omitempty" json:"assigned_at,omitempty"`
	// ClosedAt is when the ticket last closed (reply-reopen policy).
	ClosedAt time.Time `dynamodbav:"closedAt,omitempty" json:"closed_at,omitempty"`
	// Participants are the sender keys of everyone who wrote in on the
	// ticket; a ticket reference in a subject only counts from them.
	Participants []string  `dynamodbav:"participants,stringset,omitempty" json:"-"`
	Unread       bool      `dynamodbav:"unread" json:"unread"`
	MessageCount int       `dynamodbav:"messageCount" json:"message_count"`
	CreatedAt    time.Time `dynamodbav:"createdAt" json:"created_at"`
	UpdatedAt    time.Time `dynamodbav:"updatedAt" json:"updated_at"`
	// LastCustomerMessageAt opens the Messenger/WhatsApp reply windows.
	LastCustomerMessageAt time.Time `dynamodbav:"lastCustomerMessageAt" json:"last_customer_message_at"`
	// MergedInto and MergedFrom record merges both ways, so a merge can be
	// explained and undone.
	MergedInto string   `dynamodbav:"mergedInto,omitempty" json:"merged_into,omitempty"`
	MergedFrom []string `dynamodbav:"mergedFrom,omitempty" json:"merged_from,omitempty"`
	// ThreadKeys lists the conversation keys (Message-IDs, a Messenger
	// conversation, the ticket's own number) that lead to this ticket, so a
	// delete or a merge can remove or repoint them.
	ThreadKeys []string `dynamodbav:"threadKeys,stringset,omitempty" json:"-"`
	// Followers are the agents told of the ticket's activity besides its
	// owner (at most ticket.MaxFollowers; ticket.Follow).
	Followers []string `dynamodbav:"followers,stringset,omitempty" json:"followers,omitempty"`
	// Outbox holds queue jobs (id → encoded job) committed with a change and
	// not yet published: a transactional outbox, published after the commit
	// and, should the committer die first, by the relay.
	Outbox map[string]string `dynamodbav:"outbox,omitempty" json:"-"`
	// OutboxAt is when the last change that committed jobs was decided: the
	// relay leaves an outbox to its committer for a grace period after it.
	OutboxAt time.Time `dynamodbav:"outboxAt,omitempty" json:"-"`
	// Version increases on every change; merges and assignments condition on it.
	Version int64 `dynamodbav:"version" json:"version"`
	// ReplyTo is the Reply-To of the latest customer email, where agents'
	// replies go (ticket.ReplyRecipients); empty: to the contact.
	ReplyTo []string `dynamodbav:"replyTo,omitempty" json:"reply_to,omitempty"`
	// SpamAt is when the ticket last went to spam ("not spam" is allowed
	// within SpamKeepDays of it); SpamConversations are the conversations
	// (the ticket's own id, or a merged ticket's) marked spam while the
	// others were not: the ticket stays where it is until all are.
	SpamAt            time.Time `dynamodbav:"spamAt,omitempty" json:"spam_at,omitzero"`
	SpamConversations []string  `dynamodbav:"spamConversations,stringset,omitempty" json:"spam_conversations,omitempty"`
	// ExpiresAt (Unix seconds; 0: never) is when a spam ticket is purged,
	// SpamKeepDays after SpamAt: the table's TTL attribute. The ticket model
	// sets it whenever a ticket is spam and clears it otherwise (and stamps
	// the messages and activities a change adds with it); the items written
	// before get it from store.SetSpamExpiry. Reads hide a ticket past it.
	ExpiresAt int64 `dynamodbav:"expiresAt,omitempty" json:"-"`
	// Merge is kept on a merged ticket: what its merge changed, so an
	// unmerge can put it back (merge.go).
	Merge *MergeProvenance `dynamodbav:"merge,omitempty" json:"-"`
	// LastAgentReplyAt and LastAgentReplyBy are when, and which agent,
	// last answered the customer (a reply committed, queued or sent): the
	// portal's "who answered and when" and its badge, read from the
	// header. Set by the ticket model, never by an API.
	LastAgentReplyAt time.Time `dynamodbav:"lastAgentReplyAt,omitempty" json:"last_agent_reply_at,omitzero"`
	LastAgentReplyBy string    `dynamodbav:"lastAgentReplyBy,omitempty" json:"last_agent_reply_by,omitempty"`
	// SLA is the ticket's SLA clocks (sla.go), decided by the ticket model
	// on every event that matters; nil: no policy applies.
	SLA *SLA `dynamodbav:"sla,omitempty" json:"sla,omitempty"`
}

// SpamKeepDays is how long a spam ticket is kept (then purged); "not
// spam" restores it within that time.
const SpamKeepDays = 90

// Expired reports whether t is past its spam expiry at now.
func (t Ticket) Expired(now time.Time) bool { return t.ExpiresAt > 0 && t.ExpiresAt <= now.Unix() }

// Direction of a message relative to the help desk.
type Direction string

const (
	Inbound  Direction = "in"
	Outbound Direction = "out"
	Note     Direction = "note" // internal note, never sent to the customer
)

// Message is one entry of a ticket's conversation.
type Message struct {
	ID                string       `dynamodbav:"id" json:"id"`
	TicketID          string       `dynamodbav:"ticketId" json:"ticket_id"`
	Direction         Direction    `dynamodbav:"direction" json:"direction"`
	ChannelID         string       `dynamodbav:"channelId" json:"channel_id"`
	ChannelKind       ChannelKind  `dynamodbav:"channelKind" json:"channel_kind"`
	ProviderMessageID string       `dynamodbav:"providerMessageId,omitempty" json:"provider_message_id,omitempty"`
	AuthorContactID   string       `dynamodbav:"authorContactId,omitempty" json:"author_contact_id,omitempty"`
	AuthorAgentID     string       `dynamodbav:"authorAgentId,omitempty" json:"author_agent_id,omitempty"`
	Subject           string       `dynamodbav:"subject,omitempty" json:"subject,omitempty"`
	Text              string       `dynamodbav:"text" json:"text"`
	HTML              string       `dynamodbav:"html,omitempty" json:"html,omitempty"`
	Attachments       []Attachment `dynamodbav:"attachments,omitempty" json:"attachments,omitempty"`
	Quoted            string       `dynamodbav:"quoted,omitempty" json:"quoted,omitempty"`          // history under the new text, kept apart
	QuotedHTML        string       `dynamodbav:"quotedHtml,omitempty" json:"quoted_html,omitempty"` // the history cut from HTML, sanitised
	// Submission holds a form's hidden fields: kept with the message, never
	// rendered in the conversation (seed 002).
	Submission map[string]string `dynamodbav:"submission,omitempty" json:"-"`
	// ThreadReason says why this message joined its ticket ("new_ticket",
	// "in_reply_to", ...), so every threading decision can be explained.
	ThreadReason string `dynamodbav:"threadReason" json:"thread_reason"`
	// ThreadNote says why a lookup that matched was not followed (a stranger's
	// subject reference, a ticket closed too long ago).
	ThreadNote string `dynamodbav:"threadNote,omitempty" json:"thread_note,omitempty"`
	// Outbound messages: the RFC 5322 Message-ID the customer sees, the
	// delivery status and, when it failed, why.
	EmailMessageID string        `dynamodbav:"emailMessageId,omitempty" json:"email_message_id,omitempty"`
	Status         MessageStatus `dynamodbav:"status,omitempty" json:"status,omitempty"`
	StatusReason   string        `dynamodbav:"statusReason,omitempty" json:"status_reason,omitempty"`
	// StatusAt is when the provider reported the status (sent, delivered...).
	StatusAt  time.Time `dynamodbav:"statusAt,omitempty" json:"status_at,omitzero"`
	CreatedAt time.Time `dynamodbav:"createdAt" json:"created_at"`
	// BodyKey is the bucket key of the whole body (Body) when Text holds
	// only a snippet of it (Truncated), the rest being too large for the item.
	BodyKey string `dynamodbav:"bodyKey,omitempty" json:"body_key,omitempty"`
	// RawKey is the bucket key of the raw mail it came as (inbound/...),
	// deleted with its ticket.
	RawKey string `dynamodbav:"rawKey,omitempty" json:"-"`
	// ExpiresAt is its spam ticket's expiry (Ticket.ExpiresAt), the TTL.
	ExpiresAt int64 `dynamodbav:"expiresAt,omitempty" json:"-"`
	Truncated bool  `dynamodbav:"truncated,omitempty" json:"truncated,omitempty"`
	// Changes the customer made after it arrived (Messenger): when it was
	// last edited, its previous texts (oldest first, at most MaxEdits), the
	// reactions to it (one per reactor), and Revision, which counts these
	// changes so concurrent ones cannot overwrite each other.
	EditedAt  time.Time     `dynamodbav:"editedAt,omitempty" json:"edited_at,omitzero"`
	Edits     []MessageEdit `dynamodbav:"edits,omitempty" json:"edits,omitempty"`
	Reactions []Reaction    `dynamodbav:"reactions,omitempty" json:"reactions,omitempty"`
	Revision  int64         `dynamodbav:"revision,omitempty" json:"-"`
	// ReplyTo (inbound email) are the mail's Reply-To addresses: where its
	// sender asked to be answered (ticket.ReplyRecipients).
	ReplyTo []string `dynamodbav:"replyTo,omitempty" json:"reply_to,omitempty"`
	// To (outbound email) are the addresses the model decided the reply goes
	// to; empty on replies queued before it was decided (sent to the contact).
	To []string `dynamodbav:"to,omitempty" json:"to,omitempty"`
	// Note is the model's remark on how the message was kept (a mail that
	// reused another mail's Message-ID), shown with it.
	Note string `dynamodbav:"note,omitempty" json:"note,omitempty"`
	// ThreadKey is the conversation key that threaded a customer's message
	// into an existing ticket, and OwnKeys the keys it brought: an unmerge
	// sends a message that came through the merged ticket's thread back
	// with it, its keys too.
	ThreadKey string   `dynamodbav:"threadKey,omitempty" json:"-"`
	OwnKeys   []string `dynamodbav:"ownKeys,omitempty" json:"-"`
}

// MessageStatus is the delivery state of an outbound message.
type MessageStatus string

const (
	StatusQueued    MessageStatus = "queued"
	StatusSent      MessageStatus = "sent"
	StatusFailed    MessageStatus = "failed"
	StatusDelivered MessageStatus = "delivered"
	StatusRead      MessageStatus = "read"
)

// statusRank orders the delivery states a provider reports.
var statusRank = map[MessageStatus]int{StatusQueued: 0, StatusSent: 1, StatusDelivered: 2, StatusRead: 3}

// Advances reports whether a delivery report of next may replace cur.
// Reports arrive out of order (Meta does not promise order), so a state
// never goes back; failed ends a message that was not yet read, and
// nothing follows failed.
func (cur MessageStatus) Advances(next MessageStatus) bool {
	if cur == StatusFailed {
		return false
	}
	if next == StatusFailed {
		return cur != StatusRead
	}
	c, ok1 := statusRank[cur]
	n, ok2 := statusRank[next]
	return ok1 && ok2 && n > c
}

// Attachment is a file kept in the mail bucket (or at a provider URL).
type Attachment struct {
	Name        string `dynamodbav:"name" json:"name"`
	ContentType string `dynamodbav:"contentType" json:"content_type"`
	Size        int64  `dynamodbav:"size" json:"size"`
	Key         string `dynamodbav:"key,omitempty" json:"key,omitempty"` // S3 key
	URL         string `dynamodbav:"url,omitempty" json:"url,omitempty"` // provider URL (Messenger)
	// ContentID names an email part the HTML shows inline (cid:).
	ContentID string `dynamodbav:"contentId,omitempty" json:"content_id,omitempty"`
	Inline    bool   `dynamodbav:"inline,omitempty" json:"inline,omitempty"`
	// Note says why a file the customer sent is not stored (e.g. the
	// provider no longer had it), so agents know something is missing.
	Note string `dynamodbav:"note,omitempty" json:"note,omitempty"`
}

// Contact is a customer.
type Contact struct {
	ID         string `dynamodbav:"id" json:"id"`
	Name       string `dynamodbav:"name,omitempty" json:"name,omitempty"`
	Email      string `dynamodbav:"email,omitempty" json:"email,omitempty"`
	PSID       string `dynamodbav:"psid,omitempty" json:"psid,omitempty"`
	PageID     string `dynamodbav:"pageId,omitempty" json:"page_id,omitempty"`
	WhatsAppID string `dynamodbav:"waId,omitempty" json:"wa_id,omitempty"`
	// WhatsAppUserID is the WhatsApp business-scoped user id (BSUID).
	WhatsAppUserID string `dynamodbav:"waUserId,omitempty" json:"wa_user_id,omitempty"`
	// Phone is the number an agent recorded (as typed; searched by digits).
	Phone   string `dynamodbav:"phone,omitempty" json:"phone,omitempty"`
	OwnerID string `dynamodbav:"ownerId,omitempty" json:"owner_id,omitempty"`
	// Consent is the data-processing consent the contact gave, if any.
	Consent   *Consent  `dynamodbav:"consent,omitempty" json:"consent,omitempty"`
	CreatedAt time.Time `dynamodbav:"createdAt" json:"created_at"`
	// ProfileFailedAt is when fetching a Messenger contact's name from
	// Meta last failed for good; it is asked again a day after.
	ProfileFailedAt time.Time `dynamodbav:"profileFailedAt,omitempty" json:"-"`
	// Version increases on every edit; an edit is conditioned on it.
	Version int64 `dynamodbav:"version,omitempty" json:"version"`
}

// Consent records a contact's GDPR consent: how it was given, when, on
// which channel and to which text.
type Consent struct {
	Mode      ConsentMode `dynamodbav:"mode" json:"mode"`
	ChannelID string      `dynamodbav:"channelId" json:"channel_id"`
	Text      string      `dynamodbav:"text" json:"text"`
	At        time.Time   `dynamodbav:"at" json:"at"`
	// MessageID is the provider id of the message that gave it (explicit).
	MessageID string `dynamodbav:"messageId,omitempty" json:"message_id,omitempty"`
}

// Agent is a help-desk user who works tickets.
type Agent struct {
	ID     string `dynamodbav:"id" json:"id"`
	Email  string `dynamodbav:"email" json:"email"`
	Name   string `dynamodbav:"name" json:"name"`
	Seat   bool   `dynamodbav:"seat" json:"seat"`     // only seated users can be routed to
	Active bool   `dynamodbav:"active" json:"active"` // deactivated users keep their history
	// Role and Permissions say what the user may do; Sub is their identity
	// in the stack's user pool (the token's "sub").
	Role        Role        `dynamodbav:"role,omitempty" json:"role,omitempty"`
	Permissions Permissions `dynamodbav:"permissions" json:"permissions"`
	Sub         string      `dynamodbav:"sub,omitempty" json:"-"`
	// SignedOutAt is when the user last signed out: the API refuses every
	// token issued before it (the console's sign-out is real, though the
	// API checks tokens without asking the user pool).
	SignedOutAt time.Time `dynamodbav:"signedOutAt,omitempty" json:"-"`
	// Skills are languages, products... a routing rule may require.
	Skills       []string     `dynamodbav:"skills,omitempty" json:"skills,omitempty"`
	TimeZone     string       `dynamodbav:"timeZone,omitempty" json:"time_zone,omitempty"` // IANA name, for working hours
	Availability Availability `dynamodbav:"availability" json:"availability"`
	Notify       NotifyPrefs  `dynamodbav:"notify" json:"notify"`
	CreatedAt    time.Time    `dynamodbav:"createdAt" json:"created_at"`
	// Version counts admin edits (and availability changes), so two admins
	// editing at once cannot overwrite each other; 0 before the first.
	Version int64 `dynamodbav:"version,omitempty" json:"version"`
}

// AvailabilityMode says how an agent's availability is decided.
type AvailabilityMode string

const (
	AvailabilityManual   AvailabilityMode = "manual"   // the agent sets available / away
	AvailabilitySchedule AvailabilityMode = "schedule" // weekly working hours in the agent's time zone
)

// Availability is an agent's availability setting (seed 003). Out-of-office
// periods apply in both modes.
type Availability struct {
	Mode        AvailabilityMode `dynamodbav:"mode,omitempty" json:"mode,omitempty"`
	Away        bool             `dynamodbav:"away,omitempty" json:"away,omitempty"` // manual mode
	Hours       []WorkingHours   `dynamodbav:"hours,omitempty" json:"hours,omitempty"`
	OutOfOffice []Period         `dynamodbav:"outOfOffice,omitempty" json:"out_of_office,omitempty"`
}

// WorkingHours is one weekly interval in the agent's local time, "HH:MM".
// End before Start is a shift across midnight; End "24:00" is midnight.
type WorkingHours struct {
	Day   time.Weekday `dynamodbav:"day" json:"day"`
	Start string       `dynamodbav:"start" json:"start"`
	End   string       `dynamodbav:"end" json:"end"`
}

// Period is a half-open interval [From, To).
type Period struct {
	From time.Time `dynamodbav:"from" json:"from"`
	To   time.Time `dynamodbav:"to" json:"to"`
}

// NotifyPrefs are an agent's notification preferences, per kind: by email
// (off unless asked for) and in the app (on unless muted; a team's feed
// cannot be muted by one member). See NotifyPrefs.Email and InApp.
type NotifyPrefs struct {
	EmailOnAssignment      bool `dynamodbav:"emailOnAssignment,omitempty" json:"email_on_assignment,omitempty"`
	EmailOnTeamUnassigned  bool `dynamodbav:"emailOnTeamUnassigned,omitempty" json:"email_on_team_unassigned,omitempty"`
	EmailOnMention         bool `dynamodbav:"emailOnMention,omitempty" json:"email_on_mention,omitempty"`
	EmailOnCustomerMessage bool `dynamodbav:"emailOnCustomerMessage,omitempty" json:"email_on_customer_message,omitempty"`
	EmailOnNote            bool `dynamodbav:"emailOnNote,omitempty" json:"email_on_note,omitempty"`
	EmailOnStatus          bool `dynamodbav:"emailOnStatus,omitempty" json:"email_on_status,omitempty"`
	EmailOnCustomerEdit    bool `dynamodbav:"emailOnCustomerEdit,omitempty" json:"email_on_customer_edit,omitempty"`
	// SLA alerts are emailed unless turned off (issue 15: a warning that
	// only waits in the feed may be read too late).
	NoEmailOnSLAWarning bool `dynamodbav:"noEmailOnSLAWarning,omitempty" json:"no_email_on_sla_warning,omitempty"`
	NoEmailOnSLABreach  bool `dynamodbav:"noEmailOnSLABreach,omitempty" json:"no_email_on_sla_breach,omitempty"`
	// MutedInApp are the kinds left out of the agent's in-app feed.
	MutedInApp []NotificationKind `dynamodbav:"mutedInApp,omitempty" json:"muted_in_app,omitempty"`
}

// LoadWindowDays: only open tickets assigned within this many days count
// towards an agent's load (seed 003). Days are UTC calendar days.
const LoadWindowDays = 30

// Counted reports whether t counts towards its owner's load at now: open,
// owned, and assigned on one of the last LoadWindowDays UTC days.
func (t *Ticket) Counted(now time.Time) bool {
	return t.State == StateOpen && t.OwnerID != "" && InLoadWindow(t.AssignedAt, now)
}

// InLoadWindow reports whether an assignment at `at` still counts at now.
func InLoadWindow(at, now time.Time) bool {
	if at.IsZero() || at.After(now) {
		return false
	}
	d := DayNumber(now) - DayNumber(at)
	return d >= 0 && d < LoadWindowDays
}

// DayNumber is the UTC calendar day of t, counted from the Unix epoch.
func DayNumber(t time.Time) int64 {
	return t.UTC().Unix() / 86400
}

// Team groups agents and controls ticket visibility.
type Team struct {
	ID        string    `dynamodbav:"id" json:"id"`
	Name      string    `dynamodbav:"name" json:"name"`
	MemberIDs []string  `dynamodbav:"memberIds,omitempty" json:"member_ids,omitempty"`
	CreatedAt time.Time `dynamodbav:"createdAt" json:"created_at"`
	Version   int64     `dynamodbav:"version,omitempty" json:"version"` // counts admin edits
}

// NewID returns a time-ordered unique id (UUIDv7): timeline entries and
// notifications that share a timestamp still sort in the order they were made.
func NewID() string { return uuid.Must(uuid.NewV7()).String() }

// DescriptionMax bounds Ticket.Description, in runes (see Snippet).
const DescriptionMax = 280

// Snippet returns a preview of text: trimmed of white space and cut to at
// most max runes, ending in Ellipsis (which counts towards max, and before
// which white space at the cut is dropped) when cut. It is TruncateRunes
// for previews and follows its rules.
func Snippet(text string, max int) string {
	return truncate(strings.TrimSpace(text), max, Ellipsis, false, true)
}

// Conversation is a ticket with its messages and its timeline, in time
// order. A ticket others were merged into holds their messages too, each
// marked with its own ticket (Message.TicketID).
type Conversation struct {
	Ticket     Ticket
	Messages   []Message
	Activities []Activity
}

// Sort puts messages and activities in time order (ids break ties, and are
// time-ordered themselves).
func (c *Conversation) Sort() {
	slices.SortStableFunc(c.Messages, func(a, b Message) int {
		return cmp.Or(a.CreatedAt.Compare(b.CreatedAt), cmp.Compare(a.ID, b.ID))
	})
	slices.SortStableFunc(c.Activities, func(a, b Activity) int {
		return cmp.Or(a.At.Compare(b.At), cmp.Compare(a.ID, b.ID))
	})
}

// StatusReport is a provider's delivery report for one of our messages.
type StatusReport struct {
	ChannelID         string
	ProviderMessageID string
	Status            MessageStatus
	Reason            string // why it failed, when it did
	At                time.Time
}
