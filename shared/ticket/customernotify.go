package ticket

// Telling a ticket's customer what happened to it (issue 14): an agent's
// answer they would not otherwise see, and a status change (closed,
// reopened, waiting on you). Decided here, after the change that caused
// it, by each channel's rule: email customers get an email job (sent
// through the outbound queue and SES, with an unsubscribe link), Messenger
// and WhatsApp customers a message in their conversation, only inside the
// provider's standard window. Never a spam ticket, a blocked sender, a
// contact who unsubscribed from the kind, or a kind the tenant turned off.

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// CustomerReach is what the application reads about a ticket's customer
// for TellCustomer.
type CustomerReach struct {
	Contact helpdesk.Contact
	// Blocked: an agent blocked the customer's sender key.
	Blocked bool
	// OptedOut are the kinds the contact unsubscribed from.
	OptedOut []helpdesk.CustomerNotifyKind
	// Email is the email channel an email customer is written from (the
	// ticket's own, else the default email channel); nil: there is none.
	Email *helpdesk.Channel
	// Chat is the contact's latest Messenger or WhatsApp conversation, for
	// a portal ticket whose contact has no email (portalreply.go); nil:
	// none.
	Chat *ChatReach
}

// Why a customer notification was not sent (CustomerNotice.Skipped).
const (
	SkipSpam           = "spam"
	SkipBlocked        = "blocked"
	SkipKindOff        = "kind_off"
	SkipOptedOut       = "opted_out"
	SkipWindowClosed   = "window_closed"
	SkipNoAddress      = "no_address"
	SkipNoEmailChannel = "no_email_channel"
	// SkipReplySent: the same change sends the customer an agent's reply,
	// which says as much (a "closed" notice still goes: it ends the ticket).
	SkipReplySent = "reply_sent"
)

// ReasonCustomerNotice is the thread reason of a notification sent in a
// Messenger or WhatsApp conversation.
const ReasonCustomerNotice = "customer_notice"

// Ways a customer notification goes (CustomerNotice.Via).
const (
	ViaEmail        = "email"
	ViaConversation = "conversation"
)

// CustomerNotice is one customer notification a change called for: how it
// goes, or why it does not.
type CustomerNotice struct {
	Kind    helpdesk.CustomerNotifyKind
	Via     string
	Skipped string
}

// customerEvent is one thing the customer may be told of.
type customerEvent struct {
	kind helpdesk.CustomerNotifyKind
	msg  *helpdesk.Message // the reply, for CustomerReply
}

// TellCustomer adds to c (an agent's decision on one ticket: a reply, a
// status change, an edit) the customer notifications it calls for, and
// returns each with how it goes or why it does not. The application calls
// it on the changes agents make; a customer's own message, close or reopen
// (an activity by ContactActor) tells them nothing.
func (c *Change) TellCustomer(r CustomerReach, set helpdesk.Settings, now time.Time) []CustomerNotice {
	if len(c.Tickets) == 0 || c.Tickets[0].Before == nil || c.Tickets[0].After == nil {
		return nil
	}
	before, t := c.Tickets[0].Before, c.Tickets[0].After
	events, replySent := c.customerEvents(*before, *t, set)
	var out []CustomerNotice
	for _, e := range events {
		n := CustomerNotice{Kind: e.kind}
		switch {
		case t.State == helpdesk.StateSpam || before.State == helpdesk.StateSpam:
			n.Skipped = SkipSpam
		case r.Blocked:
			n.Skipped = SkipBlocked
		case !set.CustomerNotify.On(e.kind):
			n.Skipped = SkipKindOff
		case optedOut(r.OptedOut, e.kind):
			n.Skipped = SkipOptedOut
		case replySent && e.kind != helpdesk.CustomerClosed && e.kind != helpdesk.CustomerReply:
			n.Skipped = SkipReplySent
		default:
			n.Via, n.Skipped = c.sendNotice(t, e, r, now)
		}
		out = append(out, n)
	}
	if len(c.Jobs) > 0 {
		c.finish(now) // the new jobs into the outbox
	}
	return out
}

// customerEvents lists what the customer may be told of: each agent reply
// of the change that is not sent to them, and the status move. replySent
// reports whether the change sends them an agent's reply.
func (c *Change) customerEvents(before, t helpdesk.Ticket, set helpdesk.Settings) (events []customerEvent, replySent bool) {
	for i := range c.Messages {
		m := &c.Messages[i]
		if m.TicketID != t.ID || m.Direction != helpdesk.Outbound || m.AuthorAgentID == "" {
			continue
		}
		if _, sent := c.Jobs[m.ID]; sent {
			replySent = true
			continue
		}
		events = append(events, customerEvent{kind: helpdesk.CustomerReply, msg: m})
	}
	if before.Status == t.Status || c.customerMoved(t.ID) {
		return events, replySent
	}
	// By status, not state: a spam ticket keeps its state, and its moves
	// are refused as spam, not overlooked.
	wasClosed, closed := closing(set, before), closing(set, t)
	switch {
	case !wasClosed && closed:
		events = append(events, customerEvent{kind: helpdesk.CustomerClosed})
	case wasClosed && !closed:
		events = append(events, customerEvent{kind: helpdesk.CustomerReopened})
	case !closed && waiting(set, t) && !waiting(set, before):
		events = append(events, customerEvent{kind: helpdesk.CustomerWaiting})
	}
	return events, replySent
}

// customerMoved reports whether the customer moved ticket id themselves.
func (c *Change) customerMoved(id string) bool {
	for _, a := range c.Activities {
		if a.TicketID == id && a.Kind == helpdesk.ActivityStatus && strings.HasPrefix(a.ActorID, ContactActor("")) {
			return true
		}
	}
	return false
}

// closing reports whether t's status closes tickets.
func closing(set helpdesk.Settings, t helpdesk.Ticket) bool {
	st, err := set.Resolve(t.Pipeline, t.Status)
	return err == nil && st == helpdesk.StateClosed
}

// waiting reports whether t's status is its pipeline's "waiting on you".
func waiting(set helpdesk.Settings, t helpdesk.Ticket) bool {
	st, ok := set.Pipelines[t.Pipeline].Stage(t.Status)
	return ok && st.WaitingOnCustomer
}

func optedOut(kinds []helpdesk.CustomerNotifyKind, k helpdesk.CustomerNotifyKind) bool {
	for _, o := range kinds {
		if o == k {
			return true
		}
	}
	return false
}

// sendNotice commits the notice of e by the ticket's channel's rule.
func (c *Change) sendNotice(t *helpdesk.Ticket, e customerEvent, r CustomerReach, now time.Time) (via, skipped string) {
	subject, text := noticeText(t, e)
	if t.ChannelKind == helpdesk.ChannelMessenger || t.ChannelKind == helpdesk.ChannelWhatsApp {
		if !NoticeWindowOpen(t.LastCustomerMessageAt, now) {
			return "", SkipWindowClosed
		}
		msg := helpdesk.Message{ID: helpdesk.NewID(), TicketID: t.ID, Direction: helpdesk.Outbound, ChannelID: t.ChannelID,
			ChannelKind: t.ChannelKind, Text: text, Status: helpdesk.StatusQueued, ThreadReason: ReasonCustomerNotice, CreatedAt: now}
		c.Messages = append(c.Messages, msg)
		t.MessageCount++
		c.chatJob(t.ID, msg.ID, now)
		return ViaConversation, ""
	}
	if PortalOnly(*t, r.Contact) {
		return c.portalChatNotice(t, e, r, text, now)
	}
	to := strings.TrimSpace(r.Contact.Email)
	switch {
	case to == "":
		return "", SkipNoAddress
	case r.Email == nil || r.Email.Email == nil:
		return "", SkipNoEmailChannel
	}
	id := helpdesk.NewID()
	job := jobs.CustomerEmail{NotificationID: id, TicketID: t.ID, Kind: e.kind, ContactID: r.Contact.ID, ToEmail: to,
		ToName: r.Contact.Name, FromChannelID: r.Email.ID, Subject: subject, Text: text, At: now}
	if e.msg != nil {
		job.MessageID = e.msg.ID
	}
	c.job(id, jobs.KindCustomerEmail, job)
	return ViaEmail, ""
}

// chatJob sends message id after the change's other chat messages: in the
// same ReplyChat job when there is one (a reply, then its notice), so they
// arrive in order.
func (c *Change) chatJob(ticketID, id string, now time.Time) {
	for jid, body := range c.Jobs {
		env, err := jobs.DecodeEnvelope(body)
		if err != nil || env.Kind != jobs.KindReplyChat {
			continue
		}
		var rc jobs.ReplyChat
		if json.Unmarshal(env.Payload, &rc) != nil || rc.TicketID != ticketID {
			continue
		}
		rc.MessageIDs = append(rc.MessageIDs, id)
		delete(c.Jobs, jid)
		c.job(jid, jobs.KindReplyChat, rc)
		return
	}
	c.job(id, jobs.KindReplyChat, jobs.ReplyChat{TicketID: ticketID, MessageIDs: []string{id}, CreatedAt: now})
}

// noticeText is the subject and text of a notice (the sender adds the
// links: the portal, the unsubscribe, and, when closed, the rating).
func noticeText(t *helpdesk.Ticket, e customerEvent) (subject, text string) {
	switch e.kind {
	case helpdesk.CustomerReply:
		return fmt.Sprintf("[#%s] New answer to your request: %s", t.ID, t.Subject),
			fmt.Sprintf("We answered your request #%s (%s):\n\n%s", t.ID, t.Subject, e.msg.Text)
	case helpdesk.CustomerClosed:
		return fmt.Sprintf("[#%s] Your request was closed: %s", t.ID, t.Subject),
			fmt.Sprintf("Your request #%s (%s) is now closed. If you still need help, just reply.", t.ID, t.Subject)
	case helpdesk.CustomerReopened:
		return fmt.Sprintf("[#%s] Your request was reopened: %s", t.ID, t.Subject),
			fmt.Sprintf("Your request #%s (%s) was reopened; we are on it again.", t.ID, t.Subject)
	}
	return fmt.Sprintf("[#%s] Waiting on you: %s", t.ID, t.Subject),
		fmt.Sprintf("Your request #%s (%s) is waiting on your answer.", t.ID, t.Subject)
}

// MayTellCustomer reports whether c (an agent's decision) calls for any
// customer notification, refused or not: the application reads the
// customer (CustomerReach) only then.
func (c Change) MayTellCustomer(set helpdesk.Settings) bool {
	if len(c.Tickets) == 0 || c.Tickets[0].Before == nil || c.Tickets[0].After == nil {
		return false
	}
	events, _ := c.customerEvents(*c.Tickets[0].Before, *c.Tickets[0].After, set)
	return len(events) > 0
}
