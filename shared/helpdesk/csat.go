package helpdesk

import "time"

// Rating is a customer's satisfaction rating of a closed ticket: one per
// ticket, kept as its own item so rating changes nothing on the ticket (its
// version, state and owner's counts stay as they were). It copies who had
// the ticket when it was rated, so the report groups without reading tickets.
type Rating struct {
	TicketID  string    `dynamodbav:"ticketId" json:"ticket_id"`
	ContactID string    `dynamodbav:"contactId" json:"contact_id"`
	Score     int       `dynamodbav:"score" json:"score"` // 1 (bad) to 5 (great)
	Comment   string    `dynamodbav:"comment,omitempty" json:"comment,omitempty"`
	RatedAt   time.Time `dynamodbav:"ratedAt" json:"rated_at"`
	ClosedAt  time.Time `dynamodbav:"closedAt" json:"closed_at"`
	// The ticket as it was when rated: what the report groups by.
	OwnerID     string      `dynamodbav:"ownerId,omitempty" json:"owner_id,omitempty"`
	TeamID      string      `dynamodbav:"teamId,omitempty" json:"team_id,omitempty"`
	ChannelID   string      `dynamodbav:"channelId" json:"channel_id"`
	ChannelKind ChannelKind `dynamodbav:"channelKind" json:"channel_kind"`
}

// ErrRated: the ticket already has its rating (stores return it, wrapped,
// when the conditional write loses).
var ErrRated = &Error{Code: EConflict, Reason: "already_rated", Message: "this ticket has already been rated"}

// CSATGroup is one row of the satisfaction report: the ratings of one agent,
// team or channel. Counts[i] and Shares[i] are for score i+1.
type CSATGroup struct {
	Key       string     `json:"key"` // the agent, team or channel id; "" for none (unassigned)
	Responses int        `json:"responses"`
	Counts    [5]int     `json:"counts"`
	Shares    [5]float64 `json:"shares"`
}

// CSATReport is the satisfaction report over ratings made in [From, To).
type CSATReport struct {
	From      time.Time   `json:"from"`
	To        time.Time   `json:"to"`
	By        string      `json:"by"` // agent, team or channel
	Responses int         `json:"responses"`
	Groups    []CSATGroup `json:"groups"`
}
