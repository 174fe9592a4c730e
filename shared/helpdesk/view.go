package helpdesk

// ViewQuery selects the tickets of one view partition the table's indexes
// serve, newest first: by owner ("" for unassigned), by team (optionally
// its unassigned only), or by state alone.
type ViewQuery struct {
	State          State
	Owner          *string
	Team           string
	UnassignedOnly bool
}
