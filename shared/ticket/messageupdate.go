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

// Revise decides what a customer's edit or reaction does to a message:
// the message as it becomes, and whether it changed. An edit replaces the
// text and keeps the previous one (with when it was replaced); an edit
// already applied (same number, or same text) changes nothing. A reaction
// sets the reactor's one reaction, an unreact withdraws it (kept, marked
// Removed, never shown); an older event
// than the reaction it would replace changes nothing (Meta does not
// promise order).
func Revise(m helpdesk.Message, u helpdesk.MessageUpdate, by string, at time.Time) (helpdesk.Message, bool) {
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
