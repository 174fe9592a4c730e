package helpdesk

import (
	"slices"
	"time"
)

// View is a saved ticket view: a filter and a sort, personal (OwnerID's
// only) or shared with a team (TeamID's members). The eight default views
// are not stored; they are views with fixed ids built in the agent API.
type View struct {
	ID        string     `dynamodbav:"id" json:"id"`
	Name      string     `dynamodbav:"name" json:"name"`
	OwnerID   string     `dynamodbav:"ownerId" json:"owner_id"`
	TeamID    string     `dynamodbav:"teamId,omitempty" json:"team_id,omitempty"`
	Filter    ViewFilter `dynamodbav:"filter" json:"filter"`
	Sort      ViewSort   `dynamodbav:"sort" json:"sort"`
	CreatedAt time.Time  `dynamodbav:"createdAt" json:"created_at"`
	UpdatedAt time.Time  `dynamodbav:"updatedAt" json:"updated_at"`
}

// Holder is who a view belongs to: "team:<id>" when shared, else
// "agent:<owner>"; views are listed by holder.
func (v View) Holder() string {
	if v.TeamID != "" {
		return TeamRecipient(v.TeamID)
	}
	return AgentRecipient(v.OwnerID)
}

// Filter words that are not ids.
const (
	FilterMe         = "me"         // owners: whoever looks at the view
	FilterUnassigned = "unassigned" // owners: no owner
	FilterNone       = "none"       // teams, priorities, categories: unset
)

// ViewFilter is a view's filter as saved: every list is "any of" (empty:
// no condition), the lists are and-ed. Owners may say "me" and
// "unassigned"; teams, priorities and categories "none". States empty
// means open, closed and spam (never merged).
type ViewFilter struct {
	States              []State    `dynamodbav:"states,omitempty" json:"states,omitempty"`
	Statuses            []string   `dynamodbav:"statuses,omitempty" json:"statuses,omitempty"`
	Priorities          []string   `dynamodbav:"priorities,omitempty" json:"priorities,omitempty"`
	Channels            []string   `dynamodbav:"channels,omitempty" json:"channels,omitempty"`
	Owners              []string   `dynamodbav:"owners,omitempty" json:"owners,omitempty"`
	Teams               []string   `dynamodbav:"teams,omitempty" json:"teams,omitempty"`
	Categories          []string   `dynamodbav:"categories,omitempty" json:"categories,omitempty"`
	Unread              *bool      `dynamodbav:"unread,omitempty" json:"unread,omitempty"`
	Created             *TimeRange `dynamodbav:"created,omitempty" json:"created,omitempty"`
	Updated             *TimeRange `dynamodbav:"updated,omitempty" json:"updated,omitempty"`
	LastCustomerMessage *TimeRange `dynamodbav:"lastCustomerMessage,omitempty" json:"last_customer_message,omitempty"`
	SLA                 *SLAFilter `dynamodbav:"sla,omitempty" json:"sla,omitempty"`
}

// SLAFilter keeps the tickets by their due date (SLA.Due), relative to when
// the view is read: Overdue, due before now; DueWithinMinutes, due from now
// to that many minutes ahead; both, due before now plus the minutes.
type SLAFilter struct {
	Overdue          bool `dynamodbav:"overdue,omitempty" json:"overdue,omitempty"`
	DueWithinMinutes int  `dynamodbav:"dueWithinMinutes,omitempty" json:"due_within_minutes,omitempty"`
}

// Range is the due dates the filter keeps, read at now (nil for none).
func (f *SLAFilter) Range(now time.Time) *TimeRange {
	if f == nil || !f.Overdue && f.DueWithinMinutes == 0 {
		return nil
	}
	r := &TimeRange{To: now}
	if f.DueWithinMinutes > 0 {
		r.To = now.Add(time.Duration(f.DueWithinMinutes) * time.Minute)
		if !f.Overdue {
			r.From = now
		}
	}
	return r
}

// TimeRange is [From, To); a zero end is open.
type TimeRange struct {
	From time.Time `dynamodbav:"from,omitempty" json:"from,omitzero"`
	To   time.Time `dynamodbav:"to,omitempty" json:"to,omitzero"`
}

// Contains reports whether at is in the range (a nil range holds everything).
func (r *TimeRange) Contains(at time.Time) bool {
	return r == nil || (r.From.IsZero() || !at.Before(r.From)) && (r.To.IsZero() || at.Before(r.To))
}

// Sort fields and orders.
const (
	SortCreated             = "created"
	SortUpdated             = "updated"
	SortLastCustomerMessage = "last_customer_message"
	SortPriority            = "priority"
	SortDue                 = "due"
	OrderDesc               = "desc"
	OrderAsc                = "asc"
)

// ViewSort orders a view: by created (the default), updated, last customer
// message, priority (then created) or due date (tickets without one last
// when ascending), descending (the default) or
// ascending; ties by ticket id, as text, in the same direction.
type ViewSort struct {
	By    string `dynamodbav:"by,omitempty" json:"by,omitempty"`
	Order string `dynamodbav:"order,omitempty" json:"order,omitempty"`
}

// Normal fills the defaults in.
func (s ViewSort) Normal() ViewSort {
	if s.By == "" {
		s.By = SortCreated
	}
	if s.Order == "" {
		s.Order = OrderDesc
	}
	return s
}

// priorityRank orders priorities: unset lowest, urgent highest.
var priorityRank = map[Priority]string{"": "0", PriorityLow: "1", PriorityMedium: "2", PriorityHigh: "3", PriorityUrgent: "4"}

// SortTime formats t so that text order is time order (fixed width, UTC),
// as the table's sort keys do.
func SortTime(t time.Time) string { return t.UTC().Format(SortTimeLayout) }

// SortTimeLayout is SortTime's layout: fixed width, so text order is time
// order (every key of the table that sorts by time uses it).
const SortTimeLayout = "2006-01-02T15:04:05.000000000Z"

// SortKey is a ticket's place in a view sorted by `by`, as text: views
// compare these keys, ascending or descending, and page after one (a
// keyset), so a ticket whose key does not change keeps its place. For the
// created sort it is the index's own order ("<created>#<id>").
func SortKey(t Ticket, by string) string {
	switch by {
	case SortUpdated:
		return SortTime(t.UpdatedAt) + "#" + t.ID
	case SortLastCustomerMessage:
		return SortTime(t.LastCustomerMessageAt) + "#" + t.ID
	case SortPriority:
		return priorityRank[t.Priority] + "#" + SortTime(t.CreatedAt) + "#" + t.ID
	case SortDue:
		if due, ok := t.SLA.Due(); ok {
			return SortTime(due) + "#" + t.ID
		}
		return NoDueKey + "#" + t.ID
	}
	return SortTime(t.CreatedAt) + "#" + t.ID
}

// NoDueKey stands for "no due date" in the due sort: after every time.
const NoDueKey = "~"

// TicketFilter is a filter as stores apply it: the view's conditions with
// "me" resolved and "unassigned"/"none" as "", plus the caller's access
// (TeamIn, OwnerIs, OwnerNot), all and-ed. Empty lists and zero values
// are no condition.
type TicketFilter struct {
	Statuses            []string
	Priorities          []Priority
	Channels            []string
	Owners              []string // "" is unassigned
	Teams               []string // "" is no team
	Categories          []string // "" is none
	Unread              *bool
	Created             *TimeRange
	Updated             *TimeRange
	LastCustomerMessage *TimeRange
	Due                 *TimeRange // SLAFilter.Range: never open at its end

	// Access, pushed into the query so pages are full and counts exact.
	TeamIn   []string // the ticket's team is one of these
	OwnerIs  string   // the ticket's owner is this agent
	OwnerNot string   // the ticket's owner is not this agent
}

// Match reports whether t passes the filter (the in-memory store's filter,
// the DynamoDB store's FilterExpression).
func (f TicketFilter) Match(t Ticket) bool {
	in := func(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }
	return in(f.Statuses, t.Status) &&
		(len(f.Priorities) == 0 || slices.Contains(f.Priorities, t.Priority)) &&
		in(f.Channels, t.ChannelID) && in(f.Owners, t.OwnerID) && in(f.Teams, t.TeamID) &&
		in(f.Categories, t.Category) &&
		(f.Unread == nil || *f.Unread == t.Unread) &&
		f.Created.Contains(t.CreatedAt) && f.Updated.Contains(t.UpdatedAt) &&
		f.LastCustomerMessage.Contains(t.LastCustomerMessageAt) && f.dueMatch(t) &&
		(f.TeamIn == nil || t.TeamID != "" && slices.Contains(f.TeamIn, t.TeamID)) &&
		(f.OwnerIs == "" || t.OwnerID == f.OwnerIs) &&
		(f.OwnerNot == "" || t.OwnerID != f.OwnerNot)
}

func (f TicketFilter) dueMatch(t Ticket) bool {
	if f.Due == nil {
		return true
	}
	due, ok := t.SLA.Due()
	return ok && f.Due.Contains(due)
}

// TicketQuery is one index partition of a view (ViewQuery) with the
// filter applied in it. AssignedOnly takes a team partition's owned
// tickets only (UnassignedOnly's complement), so that a team partition can
// be read in creation order in two halves.
type TicketQuery struct {
	ViewQuery
	AssignedOnly bool
	Filter       TicketFilter
}

// TeamPartition reports whether the query reads a team partition (GSI2).
func (q TicketQuery) TeamPartition() bool { return q.Owner == nil && q.Team != "" }

// SortedByCreation reports whether the partition's index order is creation order
// (every partition but a whole team one, whose unassigned come first).
func (q TicketQuery) SortedByCreation() bool {
	return !q.TeamPartition() || q.UnassignedOnly || q.AssignedOnly
}

// Keyed is a ticket's place in a sort (its SortKey).
type Keyed struct {
	ID  string
	Key string
}
