package ticket

import (
	"slices"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Append decides a customer's message joining ticket t: the message is
// added, the ticket becomes unread and its reply windows reopen, the sender
// joins its participants, the message's conversation keys lead here, and a
// closed ticket reopens (the reopen rule, the same as an agent's).
func Append(t helpdesk.Ticket, msg helpdesk.Message, senderKey string, keys []string, ps helpdesk.Pipelines, now time.Time) (Change, error) {
	if err := notMerged(t); err != nil {
		return Change{}, err
	}
	c := update(t, msg.CreatedAt)
	n := c.Ticket()
	msg.TicketID = t.ID
	c.Messages = []helpdesk.Message{msg}
	n.MessageCount++
	if msg.Direction == helpdesk.Inbound {
		n.Unread = true
		n.LastCustomerMessageAt = msg.CreatedAt
		if senderKey != "" && !slices.Contains(n.Participants, senderKey) {
			n.Participants = append(n.Participants, senderKey)
		}
	}
	c.addKeys(n, keys)
	if n.State == helpdesk.StateClosed {
		c.reopen(n, ps, ContactActor(t.ContactID), now)
	}
	c.finish(now)
	return c, nil
}

// reopen moves a closed ticket back to the first open stage of its
// pipeline: a customer writing again, or an agent reopening, reopen it the
// same way.
func (c *Change) reopen(t *helpdesk.Ticket, ps helpdesk.Pipelines, actor string, now time.Time) {
	p, ok := ps[t.Pipeline]
	if !ok {
		p = helpdesk.DefaultPipeline
	}
	t.Pipeline = p.ID
	c.moveTo(t, firstOpenStage(p), helpdesk.StateOpen, actor, now)
}

// firstOpenStage is where a reopened ticket goes.
func firstOpenStage(p helpdesk.Pipeline) string {
	for _, s := range p.Stages {
		if !s.Closed {
			return s.ID
		}
	}
	return helpdesk.DefaultPipeline.Stages[0].ID
}
