package ticket

import (
	"slices"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Spam and delete (issue 12). A ticket's conversations are its own and,
// for a ticket others were merged into, each merged ticket's (the ids
// Conversations lists). Marking every one of them spam sends the ticket to
// the Spam view; marking some records them (SpamConversations) and leaves
// the ticket where it is. A spam ticket is never routed, auto-answered or
// notified (Open, Append), and is restored by NotSpam within
// helpdesk.SpamKeepDays.

// Conversations are the conversation ids of t: its own id first, then
// merged are the tickets merged into it (recursively, as the application
// read them, helpdesk.Ticket.MergedFrom).
func Conversations(t helpdesk.Ticket, merged []string) []string {
	out := []string{t.ID}
	for _, id := range merged {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// MarkSpamConversations marks the conversations chosen of t (all of them
// when chosen is empty) as spam. all are the ticket's conversations
// (Conversations). Choosing every one sends the ticket to spam: state
// spam, SpamAt, out of its owner's count; choosing some records them on
// the ticket. An unknown conversation is refused (400), one already spam
// is no change.
func MarkSpamConversations(t helpdesk.Ticket, all, chosen []string, actor string, now time.Time) (Change, error) {
	if err := notMerged(t); err != nil {
		return Change{}, err
	}
	if len(chosen) == 0 {
		chosen = all
	}
	for _, id := range chosen {
		if !slices.Contains(all, id) {
			return Change{}, helpdesk.Errorf(helpdesk.EInvalid, "unknown_conversation", "ticket %s has no conversation %q (its conversations: %v)", t.ID, id, all)
		}
	}
	if t.State == helpdesk.StateSpam {
		return Change{}, ErrNoChange
	}
	marked := distinct(append(slices.Clone(t.SpamConversations), chosen...))
	everyOne := true
	for _, id := range all {
		everyOne = everyOne && slices.Contains(marked, id)
	}
	if !everyOne && len(marked) == len(t.SpamConversations) {
		return Change{}, ErrNoChange
	}
	c := update(t, now)
	n := c.Ticket()
	if everyOne {
		from := string(n.State)
		n.State, n.SpamAt, n.SpamConversations = helpdesk.StateSpam, now, nil
		c.Activities = append(c.Activities, activity(n, helpdesk.ActivitySpam, actor, now, from, string(helpdesk.StateSpam)))
	} else {
		for _, id := range marked {
			if !slices.Contains(t.SpamConversations, id) {
				a := activity(n, helpdesk.ActivitySpam, actor, now, "", id)
				a.Field = "conversation"
				c.Activities = append(c.Activities, a)
			}
		}
		n.SpamConversations = marked
	}
	c.finish(now)
	return c, nil
}

// NotSpam restores t from spam: its state follows its status again (open
// or closed), its owner counts it again (the loads follow), and no
// conversation is marked. Refused after helpdesk.SpamKeepDays (409
// spam_expired: the purge may already have taken parts of it). A ticket
// with only some conversations marked has them unmarked.
func NotSpam(t helpdesk.Ticket, actor string, set helpdesk.Settings, now time.Time) (Change, error) {
	if err := notMerged(t); err != nil {
		return Change{}, err
	}
	if t.State != helpdesk.StateSpam {
		if len(t.SpamConversations) == 0 {
			return Change{}, ErrNoChange
		}
		c := update(t, now)
		c.set = &set
		c.Ticket().SpamConversations = nil
		c.Activities = append(c.Activities, activity(c.Ticket(), helpdesk.ActivityNotSpam, actor, now, "", string(t.State)))
		c.finish(now)
		return c, nil
	}
	if !t.SpamAt.IsZero() && now.Sub(t.SpamAt) > helpdesk.SpamKeepDays*24*time.Hour {
		return Change{}, helpdesk.Errorf(helpdesk.EConflict, "spam_expired", "ticket %s went to spam on %s, more than %d days ago", t.ID, t.SpamAt.Format(time.DateOnly), helpdesk.SpamKeepDays)
	}
	state, err := set.Resolve(t.Pipeline, t.Status)
	if err != nil {
		state = helpdesk.StateOpen // a status since removed: the ticket must reach an agent
	}
	c := update(t, now)
	c.set = &set
	n := c.Ticket()
	n.State, n.SpamAt, n.SpamConversations = state, time.Time{}, nil
	c.Activities = append(c.Activities, activity(n, helpdesk.ActivityNotSpam, actor, now, string(helpdesk.StateSpam), string(state)))
	c.finish(now)
	return c, nil
}

// DeleteMerged removes t and the tickets merged into it (merged, as read:
// tombstones in state merged, each conditioned on its version), their
// thread keys and t's place in its owner's count. The conversations go
// after the commit (the store, and the purge cascade for what hangs off
// them elsewhere).
func DeleteMerged(t helpdesk.Ticket, merged []helpdesk.Ticket, now time.Time) (Change, error) {
	c, err := Delete(t, now)
	if err != nil {
		return Change{}, err
	}
	for _, m := range merged {
		if m.MergedInto == "" || m.ID == t.ID {
			continue
		}
		b := m
		c.Tickets = append(c.Tickets, Write{Before: &b})
		for _, k := range m.ThreadKeys {
			// A merged ticket's keys were repointed to t: listed on t, so
			// removed with it; any it still holds go with it.
			if !slices.Contains(t.ThreadKeys, k) {
				c.ThreadKeys = append(c.ThreadKeys, ThreadKey{Key: k, TicketID: m.ID, Remove: true})
			}
		}
	}
	c.finish(now)
	return c, nil
}
