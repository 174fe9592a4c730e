package helpdesk

import "time"

// DeskClock moves whenever a ticket of the desk changed: Version goes up
// by at least one, At is the latest change it saw. The agent console polls
// it (one small read) and reads its views and the ticket it shows again
// only when it moved, so live updates cost little while nothing happens.
type DeskClock struct {
	Version int64     `dynamodbav:"version" json:"version"`
	At      time.Time `dynamodbav:"at" json:"at"`
}
