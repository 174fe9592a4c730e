package ticket

import (
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/threading"
)

// This file holds the decisions of the agent API's bulk-and-compose slice:
// which channel answers a ticket, a reply that also moves the status, and a
// ticket an agent creates by hand.

// ReasonByHand is the thread reason of a ticket's first message when an
// agent created the ticket.
const ReasonByHand = "by_hand"

// ReplyVia decides the channel that carries an agent's reply to t: the
// ticket's own channel (own) when it can carry replies; otherwise (forms,
// the API, tickets logged by hand) email from the tenant's default email
// channel (email, nil when the tenant has none) to the contact's address;
// a portal ticket whose contact has no address is answered in the portal
// only (PortalOnly).
func ReplyVia(t helpdesk.Ticket, own, email *helpdesk.Channel, contact helpdesk.Contact) (helpdesk.Channel, error) {
	if helpdesk.RepliesOnOwnChannel(t.ChannelKind) {
		if own == nil {
			return helpdesk.Channel{}, helpdesk.Errorf(helpdesk.EConflict, "channel_missing", "ticket %s's channel %s no longer exists", t.ID, t.ChannelID)
		}
		return *own, nil
	}
	if PortalOnly(t, contact) { // portalreply.go
		return PortalChannel(t), nil
	}
	switch {
	case email == nil || email.Email == nil || email.Kind != helpdesk.ChannelEmail:
		return helpdesk.Channel{}, helpdesk.Errorf(helpdesk.EConflict, "no_email_channel",
			"ticket %s came from a %s channel, answered by email, and the desk has no email channel to send from", t.ID, t.ChannelKind)
	case strings.TrimSpace(contact.Email) == "":
		return helpdesk.Channel{}, helpdesk.Errorf(helpdesk.EInvalid, "contact_has_no_email",
			"ticket %s is answered by email and its contact has no email address", t.ID)
	}
	return *email, nil
}

// ReplyAndSetStatus decides a reply and a move to status in one change (one
// transaction): "reply and close" cannot leave a reply sent on a ticket
// that stayed open, nor a ticket closed without its answer. status "" is a
// plain Reply; it must be a status of the ticket's pipeline. A status
// change is told to the watchers in aud, as SetStatus tells them.
func ReplyAndSetStatus(t helpdesk.Ticket, ch helpdesk.Channel, in ReplyInput, status string, aud Audience, set helpdesk.Settings, now time.Time) (Change, helpdesk.Message, error) {
	var state helpdesk.State
	if status != "" {
		var err error
		if state, err = set.Resolve(t.Pipeline, status); err != nil {
			return Change{}, helpdesk.Message{}, err
		}
	}
	c, msg, err := Reply(t, ch, in, now)
	if err != nil {
		return c, msg, err
	}
	// The settings give the SLA outcome its clock (a business-hours
	// policy's elapsed time): finish again with them.
	c.set = &set
	if status == "" {
		c.finish(now)
		return c, msg, nil
	}
	if n := c.Ticket(); n.Status != status {
		c.moveTo(n, status, state, in.AgentID, now)
		c.tellWatchers(n, aud, helpdesk.NotifyStatus, in.AgentID, "", now)
		c.finish(now) // the loads again: closing takes it out of the owner's count
	}
	return c, msg, nil
}

// ClosingStatus is the status "close" means for a ticket of pipeline: its
// first closing stage.
func ClosingStatus(set helpdesk.Settings, pipeline string) (string, error) {
	for _, st := range set.Pipelines[pipeline].Stages {
		if st.Closed {
			return st.ID, nil
		}
	}
	return "", helpdesk.Errorf(helpdesk.EConflict, "no_closing_status", "pipeline %q has no closing status", pipeline)
}

// sendByEmail makes msg an email from channel ch and queues the job that
// sends it. Its Message-ID leads the customer's answer back to t, and so
// does t's own key (the reply-token address names it): a ticket from a
// form gains it with its first email.
func (c *Change) sendByEmail(t *helpdesk.Ticket, ch helpdesk.Channel, msg *helpdesk.Message, now time.Time) {
	_, domain, _ := strings.Cut(ch.Email.Address, "@")
	msg.EmailMessageID = msg.ID + "@" + domain
	keys := []string{threading.MessageKey(msg.EmailMessageID)}
	if t.ChannelKind != helpdesk.ChannelEmail {
		keys = append(keys, threading.TicketKey(t.ID)) // email tickets own it from the start
	}
	c.addKeys(t, keys)
	c.job(msg.ID, jobs.KindReplyEmail, jobs.ReplyEmail{TicketID: t.ID, MessageID: msg.ID, CreatedAt: now})
}

// HandKind is what kind of ticket an agent creates by hand.
type HandKind string

const (
	HandEmail HandKind = "email" // a conversation by email, from the default email channel
	HandOther HandKind = "other" // logged from elsewhere (a call); never sends
)

// NewTicket is a ticket an agent creates by hand.
type NewTicket struct {
	ID            string // the ticket number allocated for it
	Kind          HandKind
	Subject, Text string
	// Contact is the customer, existing or created with the ticket;
	// ContactKey their sender key (helpdesk.Sender.Key), a participant.
	Contact    helpdesk.Contact
	ContactKey string
	// Email is the default email channel: required for HandEmail.
	Email *helpdesk.Channel
	// Send: the text is the agent's first message to the customer, emailed
	// now; otherwise it records what the customer asked.
	Send     bool
	AgentID  string          // who creates it
	Owner    *helpdesk.Agent // nil: unassigned, or the creator when sending
	TeamID   string
	Priority helpdesk.Priority
	Category string
}

// Create decides a ticket an agent creates by hand: the tenant's default
// pipeline and status, the properties asked for (refused when unknown: an
// agent, unlike a customer, can correct them), its first message, and its
// owner. A ticket whose first message is sent belongs to its sender unless
// another owner is named, as a reply to an unassigned ticket would make it.
func Create(in NewTicket, set helpdesk.Settings, now time.Time) (Change, helpdesk.Message, error) {
	fail := func(err error) (Change, helpdesk.Message, error) { return Change{}, helpdesk.Message{}, err }
	subject := strings.TrimSpace(in.Subject)
	switch {
	case in.Kind != HandEmail && in.Kind != HandOther:
		return fail(helpdesk.Errorf(helpdesk.EInvalid, "unknown_type", "type must be email or other, not %q", in.Kind))
	case subject == "":
		return fail(helpdesk.Errorf(helpdesk.EInvalid, "subject_required", "a ticket needs a subject"))
	case strings.TrimSpace(in.Text) == "":
		return fail(helpdesk.Errorf(helpdesk.EInvalid, "text_required", "a ticket needs its first message's text"))
	case in.Send && in.Kind != HandEmail:
		return fail(helpdesk.Errorf(helpdesk.EInvalid, "cannot_send", "only an email ticket sends its first message"))
	case in.Kind == HandEmail && (in.Email == nil || in.Email.Email == nil):
		return fail(helpdesk.Errorf(helpdesk.EConflict, "no_email_channel", "the desk has no email channel for an email ticket"))
	case in.Send && strings.TrimSpace(in.Contact.Email) == "":
		return fail(helpdesk.Errorf(helpdesk.EInvalid, "contact_has_no_email", "the contact has no email address to send to"))
	case !in.Priority.Valid():
		return fail(helpdesk.Errorf(helpdesk.EInvalid, "unknown_priority", "unknown priority %q", in.Priority))
	case in.Category != "" && len(set.Categories) > 0 && !set.HasCategory(in.Category):
		return fail(helpdesk.Errorf(helpdesk.EInvalid, "unknown_category", "unknown category %q", in.Category))
	}
	if err := canOwn(in.Owner); err != nil {
		return fail(err)
	}
	d := set.Defaults
	chID, kind := "", helpdesk.ChannelOther
	if in.Kind == HandEmail {
		d = set.DefaultsFor(in.Email.Defaults)
		chID, kind = in.Email.ID, helpdesk.ChannelEmail
	}
	state, err := set.Resolve(d.Pipeline, d.Status)
	if err != nil {
		return fail(err)
	}
	priority, category := d.Priority, d.Category
	if in.Priority != "" {
		priority = in.Priority
	}
	if in.Category != "" {
		category = in.Category
	}
	at := now.UTC()
	t := &helpdesk.Ticket{
		ID: in.ID, Subject: subject, Description: helpdesk.Snippet(in.Text, helpdesk.DescriptionMax),
		Pipeline: d.Pipeline, Status: d.Status, State: state, Priority: priority, Category: category,
		Type: helpdesk.TypeEmailOther, ChannelID: chID, ChannelKind: kind, ContactID: in.Contact.ID,
		MessageCount: 1, CreatedAt: at, UpdatedAt: at, Version: 1,
	}
	msg := helpdesk.Message{ID: helpdesk.NewID(), TicketID: t.ID, ChannelID: chID, ChannelKind: kind,
		Subject: subject, Text: in.Text, ThreadReason: ReasonByHand, CreatedAt: at}
	if in.ContactKey != "" {
		t.Participants = []string{in.ContactKey}
	}
	c := Change{Tickets: []Write{{After: t}}, set: &set}
	if in.Kind == HandEmail {
		c.addKeys(t, []string{threading.TicketKey(t.ID)})
	}
	owner := in.Owner
	if in.Send {
		msg.Direction, msg.AuthorAgentID, msg.Status = helpdesk.Outbound, in.AgentID, helpdesk.StatusQueued
		c.sendByEmail(t, *in.Email, &msg, now)
		if owner == nil {
			owner = &helpdesk.Agent{ID: in.AgentID}
		}
	} else {
		// What the customer asked, by phone or in person, recorded as theirs.
		msg.Direction, msg.AuthorContactID = helpdesk.Inbound, in.Contact.ID
		t.LastCustomerMessageAt = at
	}
	c.Messages = []helpdesk.Message{msg}
	t.TeamID = in.TeamID
	if owner != nil {
		c.assign(t, owner, in.TeamID, in.AgentID, now)
	}
	c.finish(now)
	return c, msg, nil
}
