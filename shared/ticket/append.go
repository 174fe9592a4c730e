package ticket

import (
	"slices"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Append decides a customer's message joining ticket t: the message is
// added, the ticket becomes unread and its reply windows reopen, the sender
// joins its participants, the message's conversation keys lead here, and a
// closed ticket reopens (the reopen rule, the same as an agent's). The
// ticket's watchers in aud are told of a customer's message.
func Append(t helpdesk.Ticket, msg helpdesk.Message, senderKey string, keys []string, aud Audience, set helpdesk.Settings, now time.Time) (Change, error) {
	if err := notMerged(t); err != nil {
		return Change{}, err
	}
	c := update(t, msg.CreatedAt)
	c.set = &set
	n := c.Ticket()
	msg.TicketID = t.ID
	c.Messages = []helpdesk.Message{msg}
	n.MessageCount++
	if msg.Direction == helpdesk.Inbound {
		n.Unread = true
		n.LastCustomerMessageAt = msg.CreatedAt
		noteReplyTo(n, msg)
		if senderKey != "" && !slices.Contains(n.Participants, senderKey) {
			n.Participants = append(n.Participants, senderKey)
		}
	}
	c.addKeys(n, keys)
	if n.State == helpdesk.StateClosed {
		c.reopen(n, set, ContactActor(t.ContactID), now)
	}
	if msg.Direction == helpdesk.Inbound {
		c.tellWatchers(n, aud, helpdesk.NotifyCustomerMessage, ContactActor(msg.AuthorContactID), msg.ID, msg.CreatedAt)
	}
	c.finish(now)
	return c, nil
}

// reopen moves a closed ticket back to the first open stage of its
// pipeline (or the tenant's default if that pipeline is gone): a customer
// writing again reopens it this way.
func (c *Change) reopen(t *helpdesk.Ticket, set helpdesk.Settings, actor string, now time.Time) {
	pipeline, status := set.ReopenStatus(t.Pipeline)
	t.Pipeline = pipeline
	c.moveTo(t, status, helpdesk.StateOpen, actor, now)
}
