package ticket

import (
	"slices"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// MaxRepointedKeys bounds the thread keys one merge moves to the primary.
// Messages are never copied (each stays in its ticket's partition), so a
// merge writes two tickets, two timeline entries, at most one load item
// and these keys: at most 45 items, whatever the tickets' sizes, inside
// DynamoDB's 100 a transaction. Keys past it stay with the secondary,
// whose tombstone leads to the primary (the router follows MergedInto
// however many merges on), so a reply to them still lands in the merged
// ticket, for one read more. An email ticket holds about one key per
// message. The bound also leaves an unmerge, which moves the keys back,
// room for the messages that arrived since (maxUnmergeItems).
const MaxRepointedKeys = 40

// maxUnmergeItems is DynamoDB's limit on one transaction's items.
const maxUnmergeItems = 100

// ErrMergeStale: the caller saw a version of one of the two tickets that
// it no longer has (someone else changed it meanwhile). The application
// answers it with both tickets as they now are.
var ErrMergeStale = &helpdesk.Error{Code: helpdesk.EConflict, Reason: "version_changed", Message: "a ticket changed since you read it"}

// MergeChecked is Merge with the versions the caller saw (0: not given):
// a ticket that changed since is refused with ErrMergeStale, never merged
// over what the agent did not see. The merge done already is ErrNoChange
// whatever the versions (see MergedAlready).
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
// The merge done already (MergedAlready: a retry) is ErrNoChange, before
// the versions: the caller's are those from before it.
func mergeable(primary, secondary helpdesk.Ticket) error {
	switch {
	case primary.ID == secondary.ID:
		return helpdesk.Errorf(helpdesk.EInvalid, "merge_self", "cannot merge a ticket into itself")
	case MergedAlready(primary, secondary):
		return ErrNoChange
	case primary.State == helpdesk.StateMerged || secondary.State == helpdesk.StateMerged:
		return helpdesk.Errorf(helpdesk.EConflict, "already_merged", "ticket %s or %s is already merged", primary.ID, secondary.ID)
	case primary.State == helpdesk.StateSpam || secondary.State == helpdesk.StateSpam:
		// A spam ticket's items carry its purge's TTL: merged, they would
		// vanish from the merged ticket. Restore it first.
		return helpdesk.Errorf(helpdesk.EConflict, "ticket_spam", "ticket %s or %s is spam: restore it (not spam) before merging", primary.ID, secondary.ID)
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
	ns.Merge = &helpdesk.MergeProvenance{At: now, Actor: actor, State: secondary.State,
		PrimaryParticipants: slices.Clone(primary.Participants), PrimaryThreadKeys: slices.Clone(primary.ThreadKeys),
		MovedKeys: movedKeys(c.ThreadKeys), MessageCount: secondary.MessageCount}
	ns.State, ns.MergedInto = helpdesk.StateMerged, primary.ID
	for _, t := range []*helpdesk.Ticket{np, ns} {
		c.Activities = append(c.Activities, activity(t, helpdesk.ActivityMerged, actor, now, secondary.ID, primary.ID))
	}
	c.finish(now)
	return c, nil
}

func movedKeys(ks []ThreadKey) []string {
	out := make([]string, len(ks))
	for i, k := range ks {
		out[i] = k.Key
	}
	return out
}

// Unmerge undoes the merge of secondary (a tombstone) into primary, as the
// provenance the merge kept on the secondary says. since are the messages
// of the primary's own partition written after the merge.
//
//   - The secondary gets back its state and every field it had (the merge
//     left them on it), the thread keys the merge moved, and each message
//     that arrived since through one of its threads (ThreadKey one of its
//     keys, or one a message sent back brought), with the keys those
//     messages brought; its count grows by them, and it is unread if one
//     is the customer's.
//   - The primary keeps every property change made on the merged ticket
//     and everything else that arrived since; it loses the secondary's
//     participants (those it did not have before) and keys, and the
//     secondary's messages from its count.
//   - Both timelines record the unmerge; loads follow both tickets (the
//     secondary counts again if it is open, owned and in the window).
//
// Refused: a ticket not merged, or not into primary (409 not_merged), a
// primary merged since into another (409 ticket_merged: unmerge that
// first) or spam (409 ticket_spam: restore it first), a merge recorded
// before provenance was kept (409 merge_not_recorded).
func Unmerge(primary, secondary helpdesk.Ticket, since []helpdesk.Message, actor string, now time.Time) (Change, error) {
	switch {
	case secondary.State != helpdesk.StateMerged || secondary.MergedInto != primary.ID:
		return Change{}, helpdesk.Errorf(helpdesk.EConflict, "not_merged", "ticket %s is not merged into %s", secondary.ID, primary.ID)
	case secondary.Merge == nil:
		return Change{}, helpdesk.Errorf(helpdesk.EConflict, "merge_not_recorded", "ticket %s was merged before merges recorded what they moved; it cannot be unmerged", secondary.ID)
	}
	if err := notMerged(primary); err != nil {
		return Change{}, err
	}
	if err := notSpamForUnmerge(primary); err != nil {
		return Change{}, err
	}
	prov := *secondary.Merge
	p, s := primary, secondary
	c := Change{Tickets: []Write{{Before: &p, After: next(primary, now)}, {Before: &s, After: next(secondary, now)}}}
	np, ns := c.Tickets[0].After, c.Tickets[1].After

	back, keysBack := goingBack(primary, secondary, since)

	ns.State, ns.MergedInto, ns.Merge = prov.State, "", nil
	ns.MessageCount += len(back)
	for _, m := range back {
		c.Moves = append(c.Moves, Move{Message: m, To: secondary.ID})
		if m.Direction == helpdesk.Inbound {
			ns.Unread = true
			if m.CreatedAt.After(ns.LastCustomerMessageAt) {
				ns.LastCustomerMessageAt = m.CreatedAt
			}
		}
	}
	// Every key that leaves the primary is the secondary's again (the moved
	// ones it listed all along; those its messages brought, now).
	ns.ThreadKeys = distinct(append(append(ns.ThreadKeys, keysBack...), prov.MovedKeys...))

	np.MergedFrom = slices.DeleteFunc(np.MergedFrom, func(id string) bool { return id == secondary.ID })
	np.MessageCount -= prov.MessageCount + len(back)
	if np.MessageCount < 0 {
		np.MessageCount = 0
	}
	// Participants the primary gained from the secondary go back; those it
	// had before, or gained since from its own messages, stay.
	np.Participants = slices.DeleteFunc(np.Participants, func(k string) bool {
		return slices.Contains(secondary.Participants, k) && !slices.Contains(prov.PrimaryParticipants, k)
	})
	leaving := append(slices.Clone(prov.MovedKeys), keysBack...)
	np.ThreadKeys = slices.DeleteFunc(np.ThreadKeys, func(k string) bool { return slices.Contains(leaving, k) })
	for _, k := range leaving {
		c.ThreadKeys = append(c.ThreadKeys, ThreadKey{Key: k, TicketID: secondary.ID, Repoint: primary.ID})
	}
	for _, t := range []*helpdesk.Ticket{np, ns} {
		c.Activities = append(c.Activities, activity(t, helpdesk.ActivityUnmerged, actor, now, primary.ID, secondary.ID))
	}
	c.finish(now)
	// Two tickets, two entries, the loads, the keys, two items a message
	// sent back: all or nothing in one transaction, or not at all.
	if n := len(c.Tickets) + len(c.Activities) + len(c.LoadItems()) + len(c.ThreadKeys) + moveItems(c.Moves); n > maxUnmergeItems {
		return Change{}, helpdesk.Errorf(helpdesk.EConflict, "unmerge_too_large",
			"unmerging ticket %s would move %d thread keys and %d messages that arrived since, %d items, more than one transaction takes (%d)",
			secondary.ID, len(c.ThreadKeys), len(c.Moves), n, maxUnmergeItems)
	}
	return c, nil
}

// goingBack finds what an unmerge sends back with the secondary: the
// messages of since that came through its threads (its own keys, and
// those its messages bring back: a reply to a reply that came back comes
// back too; since is in time order, so one pass sees a message before its
// answers), and the keys they brought that now lead to the primary.
func goingBack(primary, secondary helpdesk.Ticket, since []helpdesk.Message) (back []helpdesk.Message, keysBack []string) {
	threads := map[string]bool{}
	for _, k := range secondary.ThreadKeys {
		threads[k] = true
	}
	for _, m := range since {
		if m.TicketID != primary.ID || m.ThreadKey == "" || !threads[m.ThreadKey] || m.CreatedAt.Before(secondary.Merge.At) {
			continue
		}
		back = append(back, m)
		for _, k := range m.OwnKeys {
			if !threads[k] && slices.Contains(primary.ThreadKeys, k) {
				threads[k] = true
				keysBack = append(keysBack, k)
			}
		}
	}
	return back, keysBack
}

// Bounds of one UnmergeStep: 2 tickets + 20 keys + 2 × 15 moves = 52 items.
const (
	stepKeys     = 20
	stepMessages = 15
)

// UnmergeStep is the first part of an unmerge too large for one
// transaction (Unmerge refuses it, unmerge_too_large): while the
// secondary is still merged, it hands it back up to 20 of the keys and
// 15 of the messages the unmerge would send back, conditioned on both
// versions. Each step leaves a state as correct as the one before: a key
// that leads to the tombstone leads on to the primary, a message in the
// secondary's partition still shows in the merged conversation (its count
// unchanged), and the provenance records what went, so the unmerge that
// follows the steps moves only the rest and counts right. The application
// steps until Unmerge fits. ErrNoChange when there is nothing to hand back.
func UnmergeStep(primary, secondary helpdesk.Ticket, since []helpdesk.Message, now time.Time) (Change, error) {
	if secondary.State != helpdesk.StateMerged || secondary.MergedInto != primary.ID || secondary.Merge == nil {
		return Change{}, helpdesk.Errorf(helpdesk.EConflict, "not_merged", "ticket %s is not merged into %s", secondary.ID, primary.ID)
	}
	if err := notMerged(primary); err != nil {
		return Change{}, err
	}
	if err := notSpamForUnmerge(primary); err != nil {
		return Change{}, err
	}
	back, keysBack := goingBack(primary, secondary, since)
	keys := append(slices.Clone(secondary.Merge.MovedKeys), keysBack...)
	keys = keys[:min(len(keys), stepKeys)]
	back = back[:min(len(back), stepMessages)]
	if len(keys) == 0 && len(back) == 0 {
		return Change{}, ErrNoChange
	}
	p, s := primary, secondary
	c := Change{Tickets: []Write{{Before: &p, After: next(primary, now)}, {Before: &s, After: next(secondary, now)}}}
	np, ns := c.Tickets[0].After, c.Tickets[1].After
	prov := *secondary.Merge
	prov.MovedKeys = slices.DeleteFunc(slices.Clone(prov.MovedKeys), func(k string) bool { return slices.Contains(keys, k) })
	prov.MessageCount += len(back) // the unmerge takes them off the primary's count with the rest
	// Keys the messages sent back now brought, not handed back in this
	// step, are handed back later with the moved ones: once the messages
	// left the primary's partition, nothing else would tell them.
	for _, m := range back {
		for _, k := range m.OwnKeys {
			if slices.Contains(primary.ThreadKeys, k) && !slices.Contains(keys, k) && !slices.Contains(prov.MovedKeys, k) {
				prov.MovedKeys = append(prov.MovedKeys, k)
			}
		}
	}
	ns.Merge = &prov
	ns.ThreadKeys = distinct(append(ns.ThreadKeys, keys...))
	np.ThreadKeys = slices.DeleteFunc(np.ThreadKeys, func(k string) bool { return slices.Contains(keys, k) })
	for _, k := range keys {
		c.ThreadKeys = append(c.ThreadKeys, ThreadKey{Key: k, TicketID: secondary.ID, Repoint: primary.ID})
	}
	ns.MessageCount += len(back)
	for _, m := range back {
		c.Moves = append(c.Moves, Move{Message: m, To: secondary.ID})
		if m.Direction == helpdesk.Inbound {
			ns.Unread = true
			if m.CreatedAt.After(ns.LastCustomerMessageAt) {
				ns.LastCustomerMessageAt = m.CreatedAt
			}
		}
	}
	c.finish(now)
	return c, nil
}

// notSpamForUnmerge refuses to unmerge a spam ticket: the messages it
// hands back carry its TTL, and would expire in the ticket restored.
func notSpamForUnmerge(primary helpdesk.Ticket) error {
	if primary.State == helpdesk.StateSpam {
		return helpdesk.Errorf(helpdesk.EConflict, "ticket_spam", "ticket %s is spam: restore it (not spam) before unmerging", primary.ID)
	}
	return nil
}
