package ticket

import (
	"slices"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// MaxEdits bounds the previous texts kept on an edited message (Messenger
// allows five edits; the oldest go first beyond this).
const MaxEdits = 10

// MaxReactions bounds the reactions kept on a message (one per reactor;
// a Messenger conversation has one customer).
const MaxReactions = 20

// Revision rewrites a message already stored: Before is the message as the
// decision read it, After as it becomes. A store writes After's text,
// previous texts, edit time and reactions, conditioned on Before's
// revision (ErrVersionChanged otherwise; a message gone fails the same
// way), bumps the revision, and leaves the rest of the item alone (a
// delivery status may move meanwhile).
type Revision struct {
	Before helpdesk.Message
	After  helpdesk.Message
}

// Revise decides what a customer's edit of, or reaction to, message m
// (sent at `at`) does: m is revised as ReviseMessage decides, and t is the
// ticket whose conversation shows m (its own, or the one it was merged
// into, which the caller resolves). An edit of the customer's own
// (inbound) message changes what an agent may have read already: the
// ticket becomes unread and its watchers are told (customer_edit), in the
// same change, conditioned on t's version. It neither reopens a closed
// ticket nor reopens the reply window nor counts as a message: the
// customer said nothing new, they corrected themselves. A reaction (the
// usual 👍 to an answer) is an acknowledgement: the message shows it, and
// the ticket is left alone (not unread, nobody told, updatedAt kept).
// ErrNoChange when the update is applied already.
func Revise(t helpdesk.Ticket, m helpdesk.Message, u helpdesk.MessageUpdate, by string, at time.Time, aud Audience, now time.Time) (Change, error) {
	after, changed := ReviseMessage(m, u, by, at)
	if !changed {
		return Change{}, ErrNoChange
	}
	c := Change{Revisions: []Revision{{Before: m, After: after}}}
	if u.Kind != helpdesk.UpdateEdit || m.Direction != helpdesk.Inbound {
		return c, nil
	}
	if err := notMerged(t); err != nil {
		return Change{}, err
	}
	c.Tickets = update(t, at.UTC()).Tickets
	n := c.Ticket()
	n.Unread = true
	c.tellWatchers(n, aud, helpdesk.NotifyCustomerEdit, ContactActor(m.AuthorContactID), m.ID, at.UTC())
	c.finish(now)
	return c, nil
}

// ReviseMessage decides what a customer's edit or reaction does to a message:
// the message as it becomes, and whether it changed. An edit replaces the
// text and keeps the previous one (with when it was replaced); an edit
// already applied (same number, or same text) changes nothing. A reaction
// sets the reactor's one reaction, an unreact withdraws it (kept, marked
// Removed, never shown); an older event
// than the reaction it would replace changes nothing (Meta does not
// promise order).
func ReviseMessage(m helpdesk.Message, u helpdesk.MessageUpdate, by string, at time.Time) (helpdesk.Message, bool) {
	at = at.UTC()
	switch u.Kind {
	case helpdesk.UpdateEdit:
		if u.NumEdit > 0 && u.NumEdit <= len(m.Edits) || u.Text == m.Text {
			return m, false
		}
		if !m.EditedAt.IsZero() && at.Before(m.EditedAt) {
			return m, false // a later edit is applied already
		}
		m.Edits = append(slices.Clone(m.Edits), helpdesk.MessageEdit{Text: m.Text, At: at})
		if len(m.Edits) > MaxEdits {
			m.Edits = m.Edits[len(m.Edits)-MaxEdits:]
		}
		m.Text, m.EditedAt = u.Text, at
		return m, true
	case helpdesk.UpdateReact, helpdesk.UpdateUnreact:
		i := slices.IndexFunc(m.Reactions, func(r helpdesk.Reaction) bool { return r.By == by })
		if i >= 0 && at.Before(m.Reactions[i].At) {
			return m, false
		}
		next := helpdesk.Reaction{By: by, Reaction: u.Reaction, Emoji: u.Emoji, At: at}
		if u.Kind == helpdesk.UpdateUnreact {
			// Kept as withdrawn, so an older reaction arriving late stays out.
			next = helpdesk.Reaction{By: by, At: at, Removed: true}
		}
		if i >= 0 {
			cur := m.Reactions[i]
			if cur.Removed == next.Removed && cur.Emoji == next.Emoji && cur.Reaction == next.Reaction {
				return m, false
			}
		}
		rs := slices.Clone(m.Reactions)
		if i >= 0 {
			rs = slices.Delete(rs, i, i+1)
		}
		rs = append(rs, next)
		if len(rs) > MaxReactions {
			rs = rs[len(rs)-MaxReactions:]
		}
		m.Reactions = rs
		return m, true
	}
	return m, false
}
