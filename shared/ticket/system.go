package ticket

import (
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// ReasonSystem marks a provider's notice about the customer (a changed
// number) recorded on the ticket as a note.
const ReasonSystem = "system"

// ContactUpdate replaces a contact (as read, Before) with After, and points
// the lookup keys Keys (helpdesk.Sender.Key of its new identities) at it.
// A store writes it conditioned on Before's version (ErrVersionChanged
// otherwise) and on each key being free or this contact's already
// (ErrContactTaken otherwise).
type ContactUpdate struct {
	Before helpdesk.Contact
	After  helpdesk.Contact
	Keys   []string
}

// SystemNote decides a provider's notice about the customer (msg, inbound
// from the provider, not the customer's words) joining ticket t: it is
// recorded as a note authored by nobody, so it neither reopens the ticket
// nor marks it unread nor tells anyone; keys (the conversation keys of
// the customer's new identity) lead here from now on.
func SystemNote(t helpdesk.Ticket, msg helpdesk.Message, keys []string, now time.Time) (Change, error) {
	if err := notMerged(t); err != nil {
		return Change{}, err
	}
	if strings.TrimSpace(msg.Text) == "" {
		return Change{}, helpdesk.Errorf(helpdesk.EInvalid, "text_required", "a system note needs text")
	}
	c := update(t, now)
	n := c.Ticket()
	msg.TicketID = t.ID
	msg.Direction = helpdesk.Note
	msg.AuthorAgentID = ""
	msg.ThreadReason = ReasonSystem
	c.Messages = []helpdesk.Message{msg}
	n.MessageCount++
	c.addKeys(n, keys)
	c.finish(now)
	return c, nil
}
