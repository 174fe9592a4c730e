package helpdesk

import "time"

// ActivityKind names an entry of a ticket's timeline.
type ActivityKind string

const (
	ActivityRouted     ActivityKind = "routed"     // the router's decision for a new ticket, assigned or not
	ActivityAssigned   ActivityKind = "assigned"   // a person set the owner
	ActivityUnassigned ActivityKind = "unassigned" // owner removed
	ActivityStatus     ActivityKind = "status"     // status changed (close, reopen, ...)
	ActivitySpam       ActivityKind = "spam"
	ActivityNotSpam    ActivityKind = "not_spam" // restored from spam
	ActivityMerged     ActivityKind = "merged"
	ActivityUnmerged   ActivityKind = "unmerged" // From the ticket it was merged into, To the one unmerged
	ActivityProperty   ActivityKind = "property" // priority, category or subject changed (Field says which)
	ActivitySplit      ActivityKind = "split"    // messages split off into a new ticket (From the old, To the new)
)

// ActorRouter is the actor of automatic changes.
const ActorRouter = "router"

// Activity is one entry of a ticket's timeline: who changed what, when, why.
type Activity struct {
	ID       string       `dynamodbav:"id" json:"id"`
	TicketID string       `dynamodbav:"ticketId" json:"ticket_id"`
	Kind     ActivityKind `dynamodbav:"kind" json:"kind"`
	ActorID  string       `dynamodbav:"actorId" json:"actor_id"` // an agent id, or ActorRouter
	At       time.Time    `dynamodbav:"at" json:"at"`
	// Field names the property a "property" activity changed.
	Field string `dynamodbav:"field,omitempty" json:"field,omitempty"`
	From  string `dynamodbav:"from,omitempty" json:"from,omitempty"`
	To    string `dynamodbav:"to,omitempty" json:"to,omitempty"`
	// Routing explains an automatic assignment: "why did I get this ticket?"
	Routing *RoutingRecord `dynamodbav:"routing,omitempty" json:"routing,omitempty"`
	// ExpiresAt is its spam ticket's expiry (Ticket.ExpiresAt), the TTL.
	ExpiresAt int64 `dynamodbav:"expiresAt,omitempty" json:"-"`
}

// RoutingRecord is the explanation of one routing decision.
type RoutingRecord struct {
	Rule         RoutingRuleKind `dynamodbav:"rule" json:"rule"`
	Distribution Distribution    `dynamodbav:"distribution,omitempty" json:"distribution,omitempty"`
	OwnerID      string          `dynamodbav:"ownerId,omitempty" json:"owner_id,omitempty"`
	TeamID       string          `dynamodbav:"teamId,omitempty" json:"team_id,omitempty"`
	Reason       string          `dynamodbav:"reason" json:"reason"` // e.g. "fewest_open_tickets", "no_eligible_user"
	Candidates   []Candidate     `dynamodbav:"candidates,omitempty" json:"candidates,omitempty"`
}

// Candidate is one user the router considered, with why it was skipped.
type Candidate struct {
	AgentID  string `dynamodbav:"agentId" json:"agent_id"`
	Eligible bool   `dynamodbav:"eligible" json:"eligible"`
	Skipped  string `dynamodbav:"skipped,omitempty" json:"skipped,omitempty"` // no_seat, inactive, missing_skill:fr, away, outside_working_hours, out_of_office, ...
	// Load is the candidate's counted open tickets of the ticket's type; it is
	// read (and recorded) for load-balanced decisions only.
	Load int `dynamodbav:"load" json:"load"`
}

// NotificationKind names why someone is notified.
type NotificationKind string

const (
	NotifyAssigned       NotificationKind = "assigned"        // a ticket was assigned to you
	NotifyTeamUnassigned NotificationKind = "team_unassigned" // your team has a new unassigned ticket
	// A ticket you own or follow (see notify.go).
	NotifyMentioned       NotificationKind = "mentioned"        // a note mentions you
	NotifyCustomerMessage NotificationKind = "customer_message" // the customer wrote
	NotifyNote            NotificationKind = "note"             // an agent wrote an internal note
	NotifyStatus          NotificationKind = "status"           // the status changed
	NotifyCustomerEdit    NotificationKind = "customer_edit"    // the customer edited a message
	// An SLA target of a ticket you own (or of your team's, unassigned) is
	// about to be due, or is past due unmet (ticket.CheckSLA).
	NotifySLAWarning NotificationKind = "sla_warning"
	NotifySLABreach  NotificationKind = "sla_breach"
)

// Notification is one entry of a user's (or a team's) in-app feed.
type Notification struct {
	ID        string           `dynamodbav:"id" json:"id"`
	Recipient string           `dynamodbav:"recipient" json:"recipient"` // "agent:<id>" or "team:<id>"
	Kind      NotificationKind `dynamodbav:"kind" json:"kind"`
	TicketID  string           `dynamodbav:"ticketId" json:"ticket_id"`
	Subject   string           `dynamodbav:"subject" json:"subject"`
	At        time.Time        `dynamodbav:"at" json:"at"`
	// ActorID is who caused it (an agent id, "contact:<id>", the router);
	// MessageID the message (a note, a customer's message) it is about.
	ActorID   string `dynamodbav:"actorId,omitempty" json:"actor_id,omitempty"`
	MessageID string `dynamodbav:"messageId,omitempty" json:"message_id,omitempty"`
	// ReadAt is when the recipient marked it read (nil: unread; a pointer
	// so that an unread item has no readAt attribute to filter on).
	ReadAt *time.Time `dynamodbav:"readAt,omitempty" json:"read_at,omitempty"`
	// EmailStatus is what became of the email about it when it could not
	// be sent ("failed"), and EmailReason why, so a dropped email shows.
	EmailStatus string `dynamodbav:"emailStatus,omitempty" json:"email_status,omitempty"`
	EmailReason string `dynamodbav:"emailReason,omitempty" json:"email_reason,omitempty"`
}

// AgentRecipient and TeamRecipient name notification recipients.
func AgentRecipient(id string) string { return "agent:" + id }

// TeamRecipient names a team's feed.
func TeamRecipient(id string) string { return "team:" + id }
