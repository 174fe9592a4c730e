package ticket

import (
	"slices"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/threading"
)

// Move is one message moved to another ticket: Message as the decision
// read it (the store deletes it there, conditioned on its status and
// revision), and the ticket it now belongs to.
type Move struct {
	Message helpdesk.Message
	To      string
}

// MovesPointer reports whether the provider's pointer at the message
// (an outbound message the provider knows: its delivery reports find it
// by that) follows it to its new ticket.
func (m Move) MovesPointer() bool {
	return m.Message.Direction == helpdesk.Outbound && m.Message.ProviderMessageID != ""
}

// RepointsDedupe reports whether the message's dedupe record (an inbound
// message's: it names the ticket, and a customer's later edit of or
// reaction to the message finds it through it) follows it too.
func (m Move) RepointsDedupe() bool {
	return m.Message.Direction == helpdesk.Inbound && m.Message.ProviderMessageID != ""
}

// Items counts the table items the move writes: the delete where it was,
// the put under its new ticket, and the provider's pointer or the dedupe
// record if it follows (one or the other: outbound or inbound).
func (m Move) Items() int {
	if m.MovesPointer() || m.RepointsDedupe() {
		return 3
	}
	return 2
}

// moveItems counts the items moves write.
func moveItems(moves []Move) int {
	n := 0
	for _, mv := range moves {
		n += mv.Items()
	}
	return n
}

// Moved is the message as it is stored after the move.
func (m Move) Moved() helpdesk.Message {
	n := m.Message
	n.TicketID = m.To
	return n
}

// MaxSplitMessages bounds the messages one split moves. A split is one
// transaction (DynamoDB: at most 100 items) and a moved message writes up
// to 4 items (its delete, its put under the new ticket, its Message-ID's
// thread key, the provider's pointer at an outbound one or the dedupe
// record of an inbound one); the two tickets,
// the new ticket's own key, three activities, a notification and a load
// take at most 8 more: 20 × 4 + 8 = 88.
const MaxSplitMessages = 20

// SplitInput is what an agent asks of a split.
type SplitInput struct {
	ID         string   // the new ticket's number (from the counter)
	MessageIDs []string // the messages that move to the new ticket
	Subject    string   // the new ticket's subject (required)
	// Description of the new ticket; nil: the start of its first message.
	Description *string
	Priority    helpdesk.Priority // "" : the channel's default
	Category    string            // "" : the channel's default
	Owner       *helpdesk.Agent   // nil: routed (unless TeamID is set)
	TeamID      string
	AgentID     string // who splits
	// Version, when not 0, is the version of the ticket the caller saw
	// (If-Match): a ticket changed since is refused with ErrStale.
	Version int64
	// Channel is the ticket's channel: the new ticket's defaults.
	Channel helpdesk.Channel
}

// Routed reports whether the new ticket is left to the channel's routing
// rule: the agent named neither an owner nor a team.
func (in SplitInput) Routed() bool { return in.Owner == nil && in.TeamID == "" }

// Split decides moving some messages of an email ticket (conv, as read)
// into a new ticket: the new ticket takes the channel's defaults and the
// details asked for, the moved messages' Message-IDs lead to it from then
// on (so a customer's reply to one of them lands there, a reply to one that
// stayed in the old ticket), the counts of both follow their messages, and
// both timelines record the split. An owner given assigns the new ticket;
// a team alone leaves it unassigned in that team; otherwise the application
// routes it (Route) like a new ticket, and the change's first ticket is the
// new one for that reason.
func Split(conv helpdesk.Conversation, in SplitInput, set helpdesk.Settings, now time.Time) (Change, error) {
	t := conv.Ticket
	if err := notMerged(t); err != nil {
		return Change{}, err
	}
	subject := strings.TrimSpace(in.Subject)
	ids := distinct(in.MessageIDs)
	switch {
	case t.ChannelKind != helpdesk.ChannelEmail:
		return Change{}, helpdesk.Errorf(helpdesk.EInvalid, "split_email_only", "only email tickets can be split; ticket %s came from a %s channel", t.ID, t.ChannelKind)
	case t.State == helpdesk.StateSpam:
		return Change{}, helpdesk.Errorf(helpdesk.EConflict, "ticket_spam", "ticket %s is spam: mark it not spam before splitting it", t.ID)
	case subject == "":
		return Change{}, helpdesk.Errorf(helpdesk.EInvalid, "subject_required", "the new ticket needs a subject")
	case len(ids) == 0 || ids[0] == "":
		return Change{}, helpdesk.Errorf(helpdesk.EInvalid, "messages_required", "choose the messages to split off")
	case len(ids) > MaxSplitMessages:
		return Change{}, helpdesk.Errorf(helpdesk.EInvalid, "split_too_large",
			"a split moves at most %d messages (one transaction); %d were chosen", MaxSplitMessages, len(ids))
	case !in.Priority.Valid():
		return Change{}, helpdesk.Errorf(helpdesk.EInvalid, "unknown_priority", "unknown priority %q", in.Priority)
	case in.Category != "" && len(set.Categories) > 0 && !set.HasCategory(in.Category):
		return Change{}, helpdesk.Errorf(helpdesk.EInvalid, "unknown_category", "unknown category %q", in.Category)
	case in.Version != 0 && in.Version != t.Version:
		return Change{}, ErrStale
	}
	if err := canOwn(in.Owner); err != nil {
		return Change{}, err
	}
	moving, staying, err := chooseMessages(t, conv.Messages, ids)
	if err != nil {
		return Change{}, err
	}

	d := set.DefaultsFor(in.Channel.Defaults)
	state, err := set.Resolve(d.Pipeline, d.Status)
	if err != nil {
		return Change{}, err
	}
	if state == helpdesk.StateClosed {
		// Like any new ticket: never created closed.
		if st, ok := set.Pipelines[d.Pipeline].FirstOpenStage(); ok {
			d.Status, state = st.ID, helpdesk.StateOpen
		}
	}
	priority, category := d.Priority, d.Category
	if in.Priority != "" {
		priority = in.Priority
	}
	if in.Category != "" {
		category = in.Category
	}
	at := now.UTC()
	nt := &helpdesk.Ticket{
		ID: in.ID, Subject: subject, Pipeline: d.Pipeline, Status: d.Status, State: state,
		Priority: priority, Category: category, Type: t.Type, ChannelID: t.ChannelID, ChannelKind: t.ChannelKind,
		ContactID: t.ContactID, Participants: slices.Clone(t.Participants), MessageCount: len(moving),
		CreatedAt: at, UpdatedAt: at, Version: 1, TeamID: in.TeamID,
	}
	if in.Description != nil {
		nt.Description = strings.TrimSpace(*in.Description)
	} else {
		nt.Description = helpdesk.Snippet(moving[0].Text, helpdesk.DescriptionMax)
	}
	before := t
	c := Change{Tickets: []Write{{After: nt}, {Before: &before, After: next(t, now)}}, set: &set}
	old := c.Tickets[1].After
	old.MessageCount = max(old.MessageCount-len(moving), 0)

	// The customer's side of each: who wrote, when, where replies go, and
	// whether an agent has yet to read it.
	if first, ok := latestInbound(moving, true); ok {
		nt.ContactID = first.AuthorContactID
	}
	if last, ok := latestInbound(moving, false); ok {
		nt.LastCustomerMessageAt = last.CreatedAt
		noteReplyTo(nt, last)
		nt.Unread = t.Unread
	}
	if last, ok := latestInbound(staying, false); ok {
		old.LastCustomerMessageAt = last.CreatedAt
		noteReplyTo(old, last)
	} else {
		old.Unread = false // nothing of the customer's is left to read
	}
	if nt.ContactID == "" {
		nt.ContactID = t.ContactID
	}

	for _, m := range moving {
		c.Moves = append(c.Moves, Move{Message: m, To: nt.ID})
		k := ownKey(m)
		if k == "" || !slices.Contains(old.ThreadKeys, k) {
			continue // no Message-ID of its own here (a note, a reused id)
		}
		old.ThreadKeys = slices.DeleteFunc(old.ThreadKeys, func(x string) bool { return x == k })
		nt.ThreadKeys = append(nt.ThreadKeys, k)
		c.ThreadKeys = append(c.ThreadKeys, ThreadKey{Key: k, TicketID: nt.ID, Repoint: t.ID})
	}
	c.addKeys(nt, []string{threading.TicketKey(nt.ID)}) // email tickets own their number
	for _, x := range []*helpdesk.Ticket{old, nt} {
		c.Activities = append(c.Activities, activity(x, helpdesk.ActivitySplit, in.AgentID, now, t.ID, nt.ID))
	}
	if in.Owner != nil {
		c.assign(nt, in.Owner, in.TeamID, in.AgentID, now)
	}
	c.finish(now)
	return c, nil
}

// chooseMessages splits the ticket's own messages into those chosen and
// the rest, refusing what cannot move: an id not of this ticket, a message
// shown here from a ticket merged into it, one still being sent, or all of
// them (nothing would be left: that is a new subject, not a split).
func chooseMessages(t helpdesk.Ticket, msgs []helpdesk.Message, ids []string) (moving, staying []helpdesk.Message, err error) {
	chosen := map[string]bool{}
	for _, id := range ids {
		chosen[id] = true
	}
	var merged []string
	for _, m := range msgs {
		switch {
		case m.TicketID != t.ID:
			if chosen[m.ID] {
				merged = append(merged, m.ID)
				delete(chosen, m.ID)
			}
		case chosen[m.ID]:
			if m.Direction == helpdesk.Outbound && m.Status == helpdesk.StatusQueued {
				return nil, nil, helpdesk.Errorf(helpdesk.EConflict, "message_sending", "message %s is still being sent; split once it is out", m.ID)
			}
			moving = append(moving, m)
			delete(chosen, m.ID)
		default:
			staying = append(staying, m)
		}
	}
	switch {
	case len(merged) > 0:
		return nil, nil, helpdesk.Errorf(helpdesk.EInvalid, "message_from_merged_ticket",
			"messages %s came from a ticket merged into %s and stay with it", strings.Join(merged, ", "), t.ID)
	case len(chosen) > 0:
		unknown := make([]string, 0, len(chosen))
		for id := range chosen {
			unknown = append(unknown, id)
		}
		slices.Sort(unknown)
		return nil, nil, helpdesk.Errorf(helpdesk.EInvalid, "unknown_messages", "ticket %s has no messages %s", t.ID, strings.Join(unknown, ", "))
	case len(staying) == 0:
		return nil, nil, helpdesk.Errorf(helpdesk.EInvalid, "split_all_messages",
			"every message of ticket %s was chosen: a split leaves at least one message behind", t.ID)
	}
	return moving, staying, nil
}

// latestInbound is the customer's latest (or, first, the earliest)
// message of msgs (in time order).
func latestInbound(msgs []helpdesk.Message, first bool) (helpdesk.Message, bool) {
	var out helpdesk.Message
	found := false
	for _, m := range msgs {
		if m.Direction != helpdesk.Inbound {
			continue
		}
		if first && found {
			break
		}
		out, found = m, true
	}
	return out, found
}

// ownKey is the thread key of a message's own Message-ID: a customer's mail
// (its provider id is its Message-ID) or our reply; none for a note.
func ownKey(m helpdesk.Message) string {
	switch {
	case m.Direction == helpdesk.Outbound && m.EmailMessageID != "":
		return threading.MessageKey(m.EmailMessageID)
	case m.Direction == helpdesk.Inbound && m.ChannelKind == helpdesk.ChannelEmail && m.ProviderMessageID != "":
		return threading.MessageKey(m.ProviderMessageID)
	}
	return ""
}
