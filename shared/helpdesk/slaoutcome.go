package helpdesk

import "time"

// SLA outcomes (issue 15, reporting). Each target's outcome is recorded
// once, decided by the ticket model in the change that met or breached it,
// as its own small item, so the report reads outcomes by period and never
// reads tickets.

// SLAOutcomeMet and SLAOutcomeBreached are an outcome's values.
const (
	SLAOutcomeMet      = "met"
	SLAOutcomeBreached = "breached"
)

// SLAOutcome is one target's outcome, with the ticket as it was when the
// outcome was decided (what the report groups by).
type SLAOutcome struct {
	TicketID    string        `dynamodbav:"ticketId" json:"ticket_id"`
	Kind        SLATargetKind `dynamodbav:"kind" json:"kind"`
	PolicyID    string        `dynamodbav:"policyId" json:"policy_id"`
	TeamID      string        `dynamodbav:"teamId,omitempty" json:"team_id,omitempty"`
	OwnerID     string        `dynamodbav:"ownerId,omitempty" json:"owner_id,omitempty"`
	Priority    Priority      `dynamodbav:"priority,omitempty" json:"priority,omitempty"`
	ChannelKind ChannelKind   `dynamodbav:"channelKind,omitempty" json:"channel_kind,omitempty"`
	// StartedAt is when the target's clock started (with Kind and TicketID
	// it names the target: each next_response cycle is its own).
	StartedAt time.Time `dynamodbav:"startedAt" json:"started_at"`
	Outcome   string    `dynamodbav:"outcome" json:"outcome"` // met | breached
	// ElapsedMs is the time the target used, in its policy's clock
	// (business time for a business-hours policy, pauses excluded), from
	// its start to the event that decided it: the reply (or close) that met
	// it, or for a breach the event or sweep that recorded it (then
	// ElapsedMs - BudgetMs is the overrun).
	ElapsedMs  int64     `dynamodbav:"elapsedMs" json:"elapsed_ms"`
	BudgetMs   int64     `dynamodbav:"budgetMs" json:"budget_ms"`
	RecordedAt time.Time `dynamodbav:"recordedAt" json:"recorded_at"`
}
