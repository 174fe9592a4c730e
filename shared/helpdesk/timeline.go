package helpdesk

import "time"

// TimelineKind is what a timeline entry is: a message to or from the
// customer, an internal note, or an activity (assignment, status, merge...).
type TimelineKind string

const (
	TimelineMessage  TimelineKind = "message"
	TimelineNote     TimelineKind = "note"
	TimelineActivity TimelineKind = "activity"
)

// Valid reports whether k is a known kind.
func (k TimelineKind) Valid() bool {
	return k == TimelineMessage || k == TimelineNote || k == TimelineActivity
}

// TimelineQuery selects one page of a ticket's timeline: its messages,
// notes and activities (and those of the tickets merged into it) in one
// time order, newest first unless Oldest.
type TimelineQuery struct {
	Kind   TimelineKind // "" for every kind
	Oldest bool
	After  string // the previous page's Next; "" from the start
	Limit  int
}

// TimelineEntry is a message (or note) or an activity.
type TimelineEntry struct {
	Message  *Message
	Activity *Activity
}

// Kind says what the entry is.
func (e TimelineEntry) Kind() TimelineKind {
	switch {
	case e.Activity != nil:
		return TimelineActivity
	case e.Message.Direction == Note:
		return TimelineNote
	}
	return TimelineMessage
}

// At is when the entry happened, and ID its id (time-ordered, breaking ties).
func (e TimelineEntry) At() time.Time {
	if e.Activity != nil {
		return e.Activity.At
	}
	return e.Message.CreatedAt
}

// ID is the entry's id.
func (e TimelineEntry) ID() string {
	if e.Activity != nil {
		return e.Activity.ID
	}
	return e.Message.ID
}
