package ticket

import (
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/routing"
)

// Thread reasons the model records on messages.
const (
	ReasonNewTicket    = "new_ticket"
	ReasonGreeting     = "greeting"
	ReasonInstantReply = "instant_reply"
	ReasonAgentReply   = "agent_reply"
	ReasonNote         = "note"
)

// Arrival is an inbound message that starts a ticket.
type Arrival struct {
	ID         string // the ticket number allocated for it
	Inbound    *helpdesk.InboundMessage
	Message    helpdesk.Message // the message it becomes; Open sets its ticket and reason
	Channel    helpdesk.Channel
	ContactID  string
	SenderKey  string   // joins the ticket's participants
	ThreadKeys []string // the conversation keys the ticket owns from now on
	// NewContact: the sender is new to the tenant (a Messenger page greets them).
	NewContact bool
	// Blocked: an agent blocked the sender (BLOCKED#): straight to spam.
	Blocked bool
}

// Open decides a new ticket: its properties (what the message asked for,
// else the channel's defaults, else the tenant's: a customer's message is
// never refused over a property), its first message, the spam view for a
// message the provider judged spam or a virus, and the greeting and instant
// reply of a Messenger page. A closing status is never taken: the ticket
// opens at its pipeline's first open stage. Route assigns it. The warnings
// say which properties were not taken as asked.
func Open(a Arrival, set helpdesk.Settings, now time.Time) (Change, []string) {
	m := a.Inbound
	ch := a.Channel
	var warnings []string
	defaults := set.DefaultsFor(ch.Defaults)
	props := defaults
	if m.Ticket.Pipeline != "" {
		props.Pipeline, props.Status = m.Ticket.Pipeline, m.Ticket.Status
	} else if m.Ticket.Status != "" {
		props.Status = m.Ticket.Status
	}
	if m.Ticket.Priority != "" {
		props.Priority = m.Ticket.Priority
	}
	if m.Ticket.Category != "" {
		props.Category = m.Ticket.Category
	}
	state, err := set.Resolve(props.Pipeline, props.Status)
	if err != nil {
		warnings = append(warnings, "requested ticket properties invalid, using the channel's defaults: "+err.Error())
		props.Pipeline, props.Status = defaults.Pipeline, defaults.Status
		if state, err = set.Resolve(props.Pipeline, props.Status); err != nil {
			warnings = append(warnings, "channel defaults invalid, using the tenant's: "+err.Error())
			props.Pipeline, props.Status = set.Defaults.Pipeline, set.Defaults.Status
			if state, err = set.Resolve(props.Pipeline, props.Status); err != nil {
				state = helpdesk.StateOpen // settings are validated when saved; this is the last resort
			}
		}
	}
	if state == helpdesk.StateClosed {
		// A new ticket is never created closed: whoever asked (a form's
		// hidden status, a channel's defaults), the customer's message
		// must reach an agent.
		if st, ok := set.Pipelines[props.Pipeline].FirstOpenStage(); ok {
			warnings = append(warnings, "status "+props.Status+" closes the ticket; a new ticket opens at "+st.ID)
			props.Status, state = st.ID, helpdesk.StateOpen
		}
	}
	if !props.Priority.Valid() {
		warnings = append(warnings, "unknown priority "+string(props.Priority)+", using the default")
		props.Priority = defaults.Priority
	}
	if props.Category != "" && len(set.Categories) > 0 && !set.HasCategory(props.Category) {
		warnings = append(warnings, "unknown category "+props.Category+", left empty")
		props.Category = defaults.Category
	}
	received := m.ReceivedAt.UTC()
	subject := m.Subject
	if subject == "" {
		subject = "(no subject)"
	}
	t := &helpdesk.Ticket{
		ID: a.ID, Subject: subject, Description: helpdesk.Snippet(m.Text, helpdesk.DescriptionMax),
		Pipeline: props.Pipeline, Status: props.Status, State: state,
		Priority: props.Priority, Category: props.Category,
		Type: helpdesk.TicketTypeFor(m.Channel), ChannelID: m.ChannelID, ChannelKind: m.Channel,
		ContactID: a.ContactID, Participants: []string{a.SenderKey}, Unread: true, MessageCount: 1,
		CreatedAt: received, UpdatedAt: received, LastCustomerMessageAt: received, Version: 1,
	}
	msg := a.Message
	msg.TicketID, msg.ThreadReason = t.ID, ReasonNewTicket
	noteReplyTo(t, msg)
	c := Change{Tickets: []Write{{After: t}}, Messages: []helpdesk.Message{msg}, set: &set}
	c.addKeys(t, a.ThreadKeys)
	if m.Verdicts.IsSpam() || a.Blocked {
		t.State, t.SpamAt = helpdesk.StateSpam, now
	} else {
		c.greet(t, ch, received, a.NewContact, now)
	}
	c.finish(now)
	return c, warnings
}

// greet adds the greeting (to a new visitor) and the instant reply (after
// a conversation's first message) of a Messenger page, as queued outbound
// messages, and the one job that sends them in order.
func (c *Change) greet(t *helpdesk.Ticket, ch helpdesk.Channel, received time.Time, newContact bool, now time.Time) {
	p := ch.Messenger
	if p == nil {
		return
	}
	var texts, reasons []string
	if newContact && p.Consent != helpdesk.ConsentExplicit {
		// Explicit consent sent the greeting with its question already.
		greeting := p.Greeting
		if p.Consent == helpdesk.ConsentImplicit && p.ConsentText != "" {
			greeting = strings.TrimSpace(greeting + "\n\n" + p.ConsentText)
		}
		if greeting != "" {
			texts, reasons = append(texts, greeting), append(reasons, ReasonGreeting)
		}
	}
	if p.InstantReply != "" {
		texts, reasons = append(texts, p.InstantReply), append(reasons, ReasonInstantReply)
	}
	if len(texts) == 0 {
		return
	}
	at := now.UTC()
	if !at.After(received) {
		at = received.Add(time.Microsecond) // after the message they answer, whatever the clocks say
	}
	var ids []string
	for i, text := range texts {
		m := helpdesk.Message{
			ID: helpdesk.NewID(), TicketID: t.ID, Direction: helpdesk.Outbound, ChannelID: ch.ID, ChannelKind: ch.Kind,
			Text: text, Status: helpdesk.StatusQueued, ThreadReason: reasons[i],
			CreatedAt: at.Add(time.Duration(i) * time.Microsecond), // keeps their order in the conversation
		}
		c.Messages, ids = append(c.Messages, m), append(ids, m.ID)
	}
	t.MessageCount += len(ids)
	c.job(ids[0], jobs.KindReplyChat, jobs.ReplyChat{TicketID: t.ID, MessageIDs: ids, CreatedAt: at})
}

// Route applies a routing plan to the new ticket of c: owner, team, the
// "routed" timeline entry that explains the decision, and the owner's or
// the team's notification. A load-balanced pick conditions the owner's load
// on the value the decision read.
func Route(c *Change, p routing.Plan, now time.Time) {
	t := c.Ticket()
	d := p.Decision
	t.OwnerID, t.TeamID = d.OwnerID, d.TeamID
	if d.OwnerID != "" {
		t.AssignedAt = now
	}
	rec := d.Record
	c.Activities = append(c.Activities, helpdesk.Activity{
		ID: helpdesk.NewID(), TicketID: t.ID, Kind: helpdesk.ActivityRouted, ActorID: helpdesk.ActorRouter,
		At: now, To: d.OwnerID, Routing: &rec,
	})
	switch {
	case d.OwnerID != "":
		owner, ok := p.Recipients[d.OwnerID]
		if !ok {
			owner = helpdesk.Agent{ID: d.OwnerID}
		}
		c.tellOwner(t, owner, now)
	case d.TeamID != "":
		c.tellTeam(t, d.TeamID, p.Recipients, now)
	}
	c.finish(now)
	for i, l := range c.Loads {
		if l.AgentID == d.OwnerID && l.Delta > 0 {
			c.Loads[i].Expect = p.Expect
		}
	}
}
