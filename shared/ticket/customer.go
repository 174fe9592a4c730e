package ticket

import (
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// What a customer decides about their own ticket in the portal (issue 14):
// a reply (the same decision as an email reply: Append), a close, a
// reopen. Each is recorded as the customer's (ContactActor), tells the
// ticket's watchers as an agent's move would, and tells the customer
// nothing (TellCustomer leaves out a customer's own moves).

// Refusals of a customer's action (the router records them as filtered).
var (
	// ErrNotTheirs: the ticket is not the contact's, or not one they see
	// (spam, merged away).
	ErrNotTheirs = &helpdesk.Error{Code: helpdesk.ENotFound, Reason: "not_the_contacts_ticket", Message: "the ticket is not this customer's"}
	// ErrAlreadyClosed: a close of a closed ticket.
	ErrAlreadyClosed = &helpdesk.Error{Code: helpdesk.EConflict, Reason: "already_closed", Message: "the ticket is closed already"}
	// ErrNotClosed: a reopen of an open ticket.
	ErrNotClosed = &helpdesk.Error{Code: helpdesk.EConflict, Reason: "not_closed", Message: "the ticket is not closed"}
)

// Theirs refuses a ticket that is not contactID's to see or act on: another
// contact's, or one hidden from its customer (spam, merged away: a merged
// ticket's messages show in the one it joined). The portal holds every
// ticket it shows or acts on to it; the router, every customer action.
func Theirs(t helpdesk.Ticket, contactID string) error {
	if contactID == "" || t.ContactID != contactID || (t.State != helpdesk.StateOpen && t.State != helpdesk.StateClosed) {
		return ErrNotTheirs
	}
	return nil
}

// CustomerReply decides a customer's portal message joining their ticket
// t: exactly an email reply's decision (Append: unread, reopened when
// closed, watchers told), then, when close is set, the close, in the same
// change. A message from the portal does not open a Messenger or WhatsApp
// ticket's reply window: the customer did not write on that channel.
func CustomerReply(t helpdesk.Ticket, contactID string, msg helpdesk.Message, senderKey string, close bool, aud Audience, set helpdesk.Settings, now time.Time) (Change, error) {
	if err := Theirs(t, contactID); err != nil {
		return Change{}, err
	}
	var closing string
	if close {
		var err error
		if closing, err = ClosingStatus(set, t.Pipeline); err != nil {
			return Change{}, err
		}
	}
	c, err := Append(t, msg, senderKey, nil, aud, set, now)
	if err != nil {
		return Change{}, err
	}
	n := c.Ticket()
	if (t.ChannelKind == helpdesk.ChannelMessenger || t.ChannelKind == helpdesk.ChannelWhatsApp) && msg.ChannelKind != t.ChannelKind {
		n.LastCustomerMessageAt = t.LastCustomerMessageAt
	}
	if close && n.State == helpdesk.StateOpen {
		if closing, err = ClosingStatus(set, n.Pipeline); err != nil { // a reopen may have moved its pipeline
			return Change{}, err
		}
		c.customerMove(n, closing, helpdesk.StateClosed, contactID, aud, now)
	}
	return c, nil
}

// CustomerClose decides the customer closing their ticket t: its
// pipeline's first closing stage.
func CustomerClose(t helpdesk.Ticket, contactID string, aud Audience, set helpdesk.Settings, now time.Time) (Change, error) {
	if err := Theirs(t, contactID); err != nil {
		return Change{}, err
	}
	if t.State == helpdesk.StateClosed {
		return Change{}, ErrAlreadyClosed
	}
	status, err := ClosingStatus(set, t.Pipeline)
	if err != nil {
		return Change{}, err
	}
	c := update(t, now)
	c.set = &set
	c.customerMove(c.Ticket(), status, helpdesk.StateClosed, contactID, aud, now)
	return c, nil
}

// CustomerReopen decides the customer reopening their closed ticket t: the
// same reopen as their writing again (the pipeline's first open stage).
func CustomerReopen(t helpdesk.Ticket, contactID string, aud Audience, set helpdesk.Settings, now time.Time) (Change, error) {
	if err := Theirs(t, contactID); err != nil {
		return Change{}, err
	}
	if t.State != helpdesk.StateClosed {
		return Change{}, ErrNotClosed
	}
	c := update(t, now)
	c.set = &set
	n := c.Ticket()
	c.reopen(n, set, ContactActor(contactID), now)
	c.tellWatchers(n, aud, helpdesk.NotifyStatus, ContactActor(contactID), "", now)
	c.finish(now)
	return c, nil
}

// customerMove moves t to status as the customer, tells its watchers, and
// completes the change (the loads: a close leaves the owner's count).
func (c *Change) customerMove(t *helpdesk.Ticket, status string, state helpdesk.State, contactID string, aud Audience, now time.Time) {
	actor := ContactActor(contactID)
	c.moveTo(t, status, state, actor, now)
	c.tellWatchers(t, aud, helpdesk.NotifyStatus, actor, "", now)
	c.finish(now)
}
