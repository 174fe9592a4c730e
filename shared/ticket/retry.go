package ticket

import (
	"cmp"
	"slices"
	"strings"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// This file decides retries of merge, unmerge and split: a client that
// lost the answer to one that succeeded (a timeout after the commit) and
// asks again gets the same answer, and nothing is written a second time.
// A request that is not that one is refused as before.
//
// The versions a retry carries (If-Match, into_version) are not checked:
// they are those the first request saw, before its own commit changed
// them, so checking them would refuse every retry. They guard against
// writing over what the caller did not see, and a retry writes nothing;
// its answer holds the tickets as they now are, with their versions.

// MergedAlready reports a merge of secondary into primary that is done:
// secondary is a tombstone merged into primary, and primary is still a
// ticket of its own. Merge and MergeChecked answer it ErrNoChange: the
// application answers the primary as it now is. Merged into another
// ticket, or into a primary merged on since, it stays already_merged.
func MergedAlready(primary, secondary helpdesk.Ticket) bool {
	return secondary.State == helpdesk.StateMerged && secondary.MergedInto == primary.ID &&
		primary.ID != secondary.ID && primary.State != helpdesk.StateMerged
}

// UnmergedFrom decides an unmerge of a ticket that is not merged (conv,
// its conversation as read): when the latest merge or unmerge of the
// ticket itself in its timeline is an unmerge, that unmerge is done (a
// retry, or another agent's), and UnmergedFrom returns the ticket it was
// unmerged from, so the application answers both as they now are and
// writes nothing. Otherwise (never merged; merged again), 409 not_merged
// as before.
func UnmergedFrom(conv helpdesk.Conversation) (string, error) {
	t := conv.Ticket
	var last *helpdesk.Activity
	for i, a := range conv.Activities {
		// Its own merges (From it) and unmerges (To it), not those of
		// tickets merged into it, whose timelines its conversation shows.
		own := a.TicketID == t.ID && (a.Kind == helpdesk.ActivityMerged && a.From == t.ID ||
			a.Kind == helpdesk.ActivityUnmerged && a.To == t.ID)
		if own && (last == nil || cmp.Or(a.At.Compare(last.At), cmp.Compare(a.ID, last.ID)) > 0) {
			last = &conv.Activities[i]
		}
	}
	if t.State != helpdesk.StateMerged && last != nil && last.Kind == helpdesk.ActivityUnmerged && last.From != "" {
		return last.From, nil
	}
	return "", helpdesk.Errorf(helpdesk.EConflict, "not_merged", "ticket %s is not merged", t.ID)
}

// maxSplitOffs bounds the tickets a retried split looks in: a retry
// follows its split closely, so its ticket is among the latest split off.
const maxSplitOffs = 5

// SplitOffs says where a split done already may be: when none of the
// messages it asks for is in conv (the ticket's conversation as read) any
// more, the tickets its timeline records split off it by the same agent,
// newest first (at most 5). None when one of them is still here: Split
// decides (and refuses what it refuses). The application reads each and
// asks SplitDone.
func SplitOffs(conv helpdesk.Conversation, in SplitInput) []string {
	ids := distinct(in.MessageIDs)
	if len(ids) == 0 || slices.ContainsFunc(conv.Messages, func(m helpdesk.Message) bool { return slices.Contains(ids, m.ID) }) {
		return nil
	}
	var offs []string
	for _, a := range slices.Backward(conv.Activities) { // newest first (the timeline is in time order)
		if splitOff(conv.Ticket.ID, a, in.AgentID) && !slices.Contains(offs, a.To) {
			offs = append(offs, a.To)
			if len(offs) == maxSplitOffs {
				break
			}
		}
	}
	return offs
}

// SplitDone reports whether the split in asks of conv's ticket was done
// already, into off (a ticket split off it: its conversation as read):
// none of the messages is in conv, all of them are off's own, conv's
// timeline records the split into off by the same agent, and off has the
// subject asked for. The application then answers off and conv's ticket
// as they now are, and writes nothing. Anything else (some messages still
// here, some elsewhere, another agent's split, another subject) is not
// this request, and Split refuses it as before.
func SplitDone(conv, off helpdesk.Conversation, in SplitInput) bool {
	ids := distinct(in.MessageIDs)
	if len(ids) == 0 || off.Ticket.ID == "" || off.Ticket.Subject != strings.TrimSpace(in.Subject) {
		return false
	}
	recorded := slices.ContainsFunc(conv.Activities, func(a helpdesk.Activity) bool {
		return splitOff(conv.Ticket.ID, a, in.AgentID) && a.To == off.Ticket.ID
	})
	if !recorded {
		return false
	}
	for _, m := range conv.Messages {
		if slices.Contains(ids, m.ID) {
			return false
		}
	}
	own := map[string]bool{}
	for _, m := range off.Messages {
		if m.TicketID == off.Ticket.ID {
			own[m.ID] = true
		}
	}
	for _, id := range ids {
		if !own[id] {
			return false
		}
	}
	return true
}

// splitOff reports whether a is ticket id's record of a split off it by
// agent.
func splitOff(id string, a helpdesk.Activity, agent string) bool {
	return a.Kind == helpdesk.ActivitySplit && a.TicketID == id && a.From == id && a.To != "" && a.To != id && a.ActorID == agent
}
