package helpdesk

import (
	"encoding/json"
	"slices"
	"time"
)

// Issue 15: business hours and SLAs. These are the shared shapes; the
// arithmetic lives in shared/bizhours, the decisions in the ticket model.

// Calendar is a weekly schedule of business hours in an IANA time zone,
// with holidays. A tenant has a default calendar; a team may have its own.
// It is not an agent's working hours (routing keeps those per agent).
type Calendar struct {
	ID       string `json:"id" dynamodbav:"id"`
	Name     string `json:"name" dynamodbav:"name"`
	TimeZone string `json:"time_zone" dynamodbav:"timeZone"` // IANA, e.g. "Europe/Paris"
	// Week lists the open intervals of each weekday (0 = Sunday ... 6 =
	// Saturday, time.Weekday), in local wall-clock time. An interval whose
	// End is not after its Start runs overnight into the next day.
	Week     [7][]Interval `json:"week" dynamodbav:"week"`
	Holidays []Holiday     `json:"holidays,omitempty" dynamodbav:"holidays,omitempty"`
}

// Interval is an open period of a day, "HH:MM" to "HH:MM" local time
// ("24:00" allowed as an End).
type Interval struct {
	Start string `json:"start" dynamodbav:"start"`
	End   string `json:"end" dynamodbav:"end"`
}

// Holiday closes a whole local day: Date is "YYYY-MM-DD", or "MM-DD" when
// Yearly.
// With overnight intervals: it cancels the intervals that start on that
// date (their tail past midnight too); a night shift that started the day
// before runs to its end (Zammad's rule; shared/bizhours).
type Holiday struct {
	Date   string `json:"date" dynamodbav:"date"`
	Name   string `json:"name,omitempty" dynamodbav:"name,omitempty"`
	Yearly bool   `json:"yearly,omitempty" dynamodbav:"yearly,omitempty"`
}

// SLATargetKind names what a target measures.
type SLATargetKind string

const (
	// SLAFirstResponse: from the ticket's creation to the first agent reply.
	SLAFirstResponse SLATargetKind = "first_response"
	// SLANextResponse: from a customer message that follows an agent reply
	// to the next agent reply.
	SLANextResponse SLATargetKind = "next_response"
	// SLAClose: from creation to the ticket's close.
	SLAClose SLATargetKind = "close"
)

// SLAPolicy sets targets for the tickets its conditions match; the first
// matching policy (by order in the settings) applies.
type SLAPolicy struct {
	ID   string `json:"id" dynamodbav:"id"`
	Name string `json:"name" dynamodbav:"name"`
	// Conditions: each non-empty list must contain the ticket's value.
	Priorities []Priority    `json:"priorities,omitempty" dynamodbav:"priorities,omitempty"`
	Channels   []ChannelKind `json:"channels,omitempty" dynamodbav:"channels,omitempty"`
	Teams      []string      `json:"teams,omitempty" dynamodbav:"teams,omitempty"`
	Categories []string      `json:"categories,omitempty" dynamodbav:"categories,omitempty"`
	// Targets in minutes (0: no target of that kind).
	FirstResponseMinutes int `json:"first_response_minutes,omitempty" dynamodbav:"firstResponseMinutes,omitempty"`
	NextResponseMinutes  int `json:"next_response_minutes,omitempty" dynamodbav:"nextResponseMinutes,omitempty"`
	CloseMinutes         int `json:"close_minutes,omitempty" dynamodbav:"closeMinutes,omitempty"`
	// BusinessHours: the clock runs in the ticket's calendar (its team's,
	// else the tenant's default); false: around the clock.
	BusinessHours bool `json:"business_hours" dynamodbav:"businessHours"`
	// PauseWhenWaiting stops the clocks while the ticket is in a stage
	// marked WaitingOnCustomer.
	PauseWhenWaiting bool `json:"pause_when_waiting" dynamodbav:"pauseWhenWaiting"`
	// WarnMinutes before a target is due its owner (or team) is warned
	// (0: no warning, only the breach).
	WarnMinutes int `json:"warn_minutes,omitempty" dynamodbav:"warnMinutes,omitempty"`
}

// SLASettings are the tenant's calendars and policies (in Settings).
type SLASettings struct {
	// DefaultCalendar is the id of the tenant's calendar ("" : around the
	// clock); TeamCalendars maps a team id to its own.
	DefaultCalendar string            `json:"default_calendar,omitempty" dynamodbav:"defaultCalendar,omitempty"`
	TeamCalendars   map[string]string `json:"team_calendars,omitempty" dynamodbav:"teamCalendars,omitempty"`
	Calendars       []Calendar        `json:"calendars,omitempty" dynamodbav:"calendars,omitempty"`
	Policies        []SLAPolicy       `json:"policies,omitempty" dynamodbav:"policies,omitempty"`
}

// SLA is a ticket's SLA bookkeeping, decided by the ticket model on every
// event that matters and stored on the ticket.
type SLA struct {
	PolicyID string `json:"policy_id" dynamodbav:"policyId"`
	// CalendarID is the calendar the clocks run in ("" : around the clock),
	// fixed when the policy was applied: a settings change applies to new
	// events, running tickets keep their due dates.
	CalendarID string      `json:"calendar_id,omitempty" dynamodbav:"calendarId,omitempty"`
	Targets    []SLATarget `json:"targets" dynamodbav:"targets"`
	// NextCheckAt is the earliest moment a running target needs a warning
	// or a breach recorded (zero: nothing to check). The sweep finds
	// tickets by it through an index, never by a scan.
	NextCheckAt time.Time `json:"next_check_at,omitzero" dynamodbav:"nextCheckAt,omitempty"`
}

// SLATarget is one target's clock on a ticket.
type SLATarget struct {
	Kind SLATargetKind `json:"kind" dynamodbav:"kind"`
	// StartedAt is when this clock started (for next_response: the
	// customer message it answers).
	StartedAt time.Time `json:"started_at" dynamodbav:"startedAt"`
	// DueAt and WarnAt are absolute instants, recomputed when the clock
	// pauses (zero while paused) or resumes.
	DueAt  time.Time `json:"due_at,omitzero" dynamodbav:"dueAt,omitempty"`
	WarnAt time.Time `json:"warn_at,omitzero" dynamodbav:"warnAt,omitempty"`
	// PausedAt is set while the ticket waits on the customer (a policy
	// that pauses); Remaining is the budget left then.
	PausedAt  time.Time     `json:"paused_at,omitzero" dynamodbav:"pausedAt,omitempty"`
	Remaining time.Duration `json:"remaining,omitempty" dynamodbav:"remaining,omitempty"`
	// Outcome, recorded once: MetAt (the target was met, in time or not)
	// and BreachedAt (it passed its due date unmet).
	MetAt      time.Time `json:"met_at,omitzero" dynamodbav:"metAt,omitempty"`
	BreachedAt time.Time `json:"breached_at,omitzero" dynamodbav:"breachedAt,omitempty"`
	WarnedAt   time.Time `json:"warned_at,omitzero" dynamodbav:"warnedAt,omitempty"`

	// Added by the ticket model (i15-model), append-only:
	// Budget is the target's time, in its clock, as its policy set it when
	// the clock started (a policy change moves a running due date by the
	// difference, so time already used, and pauses, are kept).
	Budget time.Duration `json:"budget,omitempty" dynamodbav:"budget,omitempty"`
	// StoppedAt: the ticket closed (or lost its policy) before the target
	// was met; the clock stopped, neither met nor breached (a response
	// target of a ticket closed without an answer).
	StoppedAt time.Time `json:"stopped_at,omitzero" dynamodbav:"stoppedAt,omitempty"`
}

// Running reports whether the target still waits for its event (running
// or paused, breached or not): not met, not stopped.
func (t SLATarget) Running() bool {
	return t.MetAt.IsZero() && t.StoppedAt.IsZero()
}

// Paused reports whether the target's clock is paused (the ticket waits on
// the customer).
func (t SLATarget) Paused() bool { return !t.PausedAt.IsZero() && t.Running() }

// MarshalJSON adds "paused", so the console need not know the rule.
func (t SLATarget) MarshalJSON() ([]byte, error) {
	type plain SLATarget
	return json.Marshal(struct {
		plain
		Paused bool `json:"paused"`
	}{plain(t), t.Paused()})
}

// Target returns the ticket's target of kind, if it has one.
func (s *SLA) Target(kind SLATargetKind) (SLATarget, bool) {
	if s == nil {
		return SLATarget{}, false
	}
	for _, t := range s.Targets {
		if t.Kind == kind {
			return t, true
		}
	}
	return SLATarget{}, false
}

// Clone returns a copy of s that shares nothing with it.
func (s *SLA) Clone() *SLA {
	if s == nil {
		return nil
	}
	c := *s
	c.Targets = slices.Clone(s.Targets)
	return &c
}

// ActorSLA is the actor of what the SLA sweep records and notifies.
const ActorSLA = "sla"

// Due is the ticket's due date: the earliest DueAt of its running, unpaused
// targets, breached ones included (an overdue ticket's due date is past).
// Views filter and sort by it; ok is false when no target runs.
func (s *SLA) Due() (due time.Time, ok bool) {
	if s == nil {
		return due, false
	}
	for _, t := range s.Targets {
		if !t.Running() || t.Paused() || t.DueAt.IsZero() {
			continue
		}
		if !ok || t.DueAt.Before(due) {
			due, ok = t.DueAt, true
		}
	}
	return due, ok
}
