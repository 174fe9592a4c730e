package ticket

import (
	"slices"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// MaxRepointedKeys bounds the thread keys one merge moves to the primary,
// so that a merge always fits in one transaction (DynamoDB takes 100
// items: two tickets, two timeline entries, at most two load items, the
// keys). Keys past it stay with the secondary, whose tombstone leads to
// the primary (the router follows MergedInto however many merges on), so
// a reply to them still lands in the merged ticket; they only cost one
// read more. An email ticket holds about one key per message, so a ticket
// of up to ~90 messages moves all of its keys.
const MaxRepointedKeys = 90

// ErrMergeStale: the caller saw a version of one of the two tickets that
// it no longer has (someone else changed it meanwhile). The application
// answers it with both tickets as they now are.
var ErrMergeStale = &helpdesk.Error{Code: helpdesk.EConflict, Reason: "version_changed", Message: "a ticket changed since you read it"}

// MergeChecked is Merge with the versions the caller saw (0: not given):
// a ticket that changed since is refused with ErrMergeStale, never merged
// over what the agent did not see.
func MergeChecked(primary, secondary helpdesk.Ticket, primaryVersion, secondaryVersion int64, actor string, now time.Time) (Change, error) {
	if err := mergeable(primary, secondary); err != nil {
		return Change{}, err
	}
	if primaryVersion != 0 && primaryVersion != primary.Version || secondaryVersion != 0 && secondaryVersion != secondary.Version {
		return Change{}, ErrMergeStale
	}
	return Merge(primary, secondary, actor, now)
}

// mergeable refuses what can never be merged, whatever the versions: a
// ticket into itself (400), a ticket merged already or into one (409).
func mergeable(primary, secondary helpdesk.Ticket) error {
	switch {
	case primary.ID == secondary.ID:
		return helpdesk.Errorf(helpdesk.EInvalid, "merge_self", "cannot merge a ticket into itself")
	case primary.State == helpdesk.StateMerged || secondary.State == helpdesk.StateMerged:
		return helpdesk.Errorf(helpdesk.EConflict, "already_merged", "ticket %s or %s is already merged", primary.ID, secondary.ID)
	}
	return nil
}

// Merge merges secondary into primary. The primary keeps its properties and
// gains the secondary's messages (they stay in their own ticket's
// partition, marked with it, and its conversation reads them), participants
// and thread keys (at most MaxRepointedKeys moved; the rest lead there
// through the tombstone), so later replies to either thread land in it.
// The secondary becomes a tombstone: state merged (in no view, no count),
// MergedInto the primary; it keeps its own fields as they were (owner,
// status, thread keys), which is what an unmerge restores. Both tickets
// are written conditioned on the versions read, and both timelines record
// the merge.
func Merge(primary, secondary helpdesk.Ticket, actor string, now time.Time) (Change, error) {
	if err := mergeable(primary, secondary); err != nil {
		return Change{}, err
	}
	p, s := primary, secondary
	c := Change{Tickets: []Write{{Before: &p, After: next(primary, now)}, {Before: &s, After: next(secondary, now)}}}
	np, ns := c.Tickets[0].After, c.Tickets[1].After
	np.MergedFrom = append(np.MergedFrom, secondary.ID)
	np.MessageCount += secondary.MessageCount
	// The secondary's customers become participants of the primary, so
	// quoting either ticket number still threads their mail.
	np.Participants = distinct(append(np.Participants, secondary.Participants...))
	moved := 0
	for _, k := range secondary.ThreadKeys {
		if slices.Contains(np.ThreadKeys, k) || moved == MaxRepointedKeys {
			continue // a key both hold (none should), or past the budget: left with the tombstone
		}
		np.ThreadKeys = append(np.ThreadKeys, k)
		c.ThreadKeys = append(c.ThreadKeys, ThreadKey{Key: k, TicketID: primary.ID, Repoint: secondary.ID})
		moved++
	}
	ns.State, ns.MergedInto = helpdesk.StateMerged, primary.ID
	for _, t := range []*helpdesk.Ticket{np, ns} {
		c.Activities = append(c.Activities, activity(t, helpdesk.ActivityMerged, actor, now, secondary.ID, primary.ID))
	}
	c.finish(now)
	return c, nil
}
