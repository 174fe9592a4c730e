package ticket

import (
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// This file holds the changes people make to tickets.

// Assign gives t to owner (nil unassigns) and, when teamID is not empty, to
// that team: an Apply of just those fields, so assigning by hand and
// editing a ticket follow one rule (a team move keeps the owner).
func Assign(t helpdesk.Ticket, owner *helpdesk.Agent, teamID, actor string, now time.Time) (Change, error) {
	ownerID := ""
	if owner != nil {
		ownerID = owner.ID
	}
	e := Edit{Owner: &ownerID}
	if teamID != "" {
		e.Team = &teamID
	}
	return apply(t, 0, e, owner, actor, nil, nil, now)
}

// canOwn refuses an owner who cannot hold tickets: a deactivated user, or
// one without a seat (a viewer reads and comments, never owns).
func canOwn(owner *helpdesk.Agent) error {
	switch {
	case owner == nil:
		return nil
	case !owner.Active:
		return helpdesk.Errorf(helpdesk.EInvalid, "inactive_user", "user %s is deactivated", owner.ID)
	case !owner.Seat:
		return helpdesk.Errorf(helpdesk.EInvalid, "no_seat", "user %s holds no seat, so cannot own tickets", owner.ID)
	}
	return nil
}

// assign sets owner and team and records who did it.
func (c *Change) assign(t *helpdesk.Ticket, owner *helpdesk.Agent, teamID, actor string, now time.Time) {
	from, ownerID := t.OwnerID, ""
	if owner != nil {
		ownerID = owner.ID
	}
	t.OwnerID, t.TeamID, t.AssignedAt = ownerID, teamID, time.Time{}
	kind := helpdesk.ActivityUnassigned
	if ownerID != "" {
		t.AssignedAt, kind = now, helpdesk.ActivityAssigned
	}
	c.Activities = append(c.Activities, activity(t, kind, actor, now, from, ownerID))
	if owner != nil && ownerID != actor {
		c.tellOwner(t, *owner, now)
	}
}

// SetStatus moves t to a status of its pipeline: a closing status closes
// it, any other (re)opens it. Spam and merged tickets keep their state.
// The ticket's watchers in aud, but the actor, are told.
func SetStatus(t helpdesk.Ticket, status, actor string, aud Audience, set helpdesk.Settings, now time.Time) (Change, error) {
	if err := notMerged(t); err != nil {
		return Change{}, err
	}
	state, err := set.Resolve(t.Pipeline, status)
	if err != nil {
		return Change{}, err
	}
	if t.Status == status {
		return Change{}, ErrNoChange
	}
	c := update(t, now)
	c.set = &set
	c.moveTo(c.Ticket(), status, state, actor, now)
	c.tellWatchers(c.Ticket(), aud, helpdesk.NotifyStatus, actor, "", now)
	c.finish(now)
	return c, nil
}

// moveTo sets a status and the state it implies, and records it: the one
// place a ticket closes or reopens.
func (c *Change) moveTo(t *helpdesk.Ticket, status string, state helpdesk.State, actor string, now time.Time) {
	from := t.Status
	t.Status = status
	if t.State != helpdesk.StateSpam {
		t.State = state
	}
	if state == helpdesk.StateClosed {
		t.ClosedAt = now
	}
	c.Activities = append(c.Activities, activity(t, helpdesk.ActivityStatus, actor, now, from, status))
}

// Properties are the ticket fields an agent edits; nil leaves one as it is.
type Properties struct {
	Subject     *string
	Description *string // what the ticket is about, as an agent puts it ("" clears it)
	Priority    *helpdesk.Priority
	Category    *string
}

// SetProperties changes subject, description, priority or category, one timeline entry
// per field that changed. A category must be one of the tenant's, once the
// tenant has defined any ("" clears it).
func SetProperties(t helpdesk.Ticket, p Properties, actor string, set helpdesk.Settings, now time.Time) (Change, error) {
	if err := notMerged(t); err != nil {
		return Change{}, err
	}
	c := update(t, now)
	c.set = &set
	if err := c.setProperties(c.Ticket(), p, actor, set, now); err != nil {
		return Change{}, err
	}
	if len(c.Activities) == 0 {
		return Change{}, ErrNoChange
	}
	c.finish(now)
	return c, nil
}

// setProperties sets the properties p names on n, one timeline entry per
// field that changed.
func (c *Change) setProperties(n *helpdesk.Ticket, p Properties, actor string, set helpdesk.Settings, now time.Time) error {
	record := func(field string, cur *string, to *string) {
		if to != nil && *to != *cur {
			a := activity(n, helpdesk.ActivityProperty, actor, now, *cur, *to)
			a.Field = field
			c.Activities = append(c.Activities, a)
			*cur = *to
		}
	}
	if p.Subject != nil {
		s := strings.TrimSpace(*p.Subject)
		if s == "" {
			return helpdesk.Errorf(helpdesk.EInvalid, "subject_required", "a ticket needs a subject")
		}
		record("subject", &n.Subject, &s)
	}
	if p.Description != nil {
		d := strings.TrimSpace(*p.Description)
		record("description", &n.Description, &d)
	}
	if p.Priority != nil {
		if !p.Priority.Valid() {
			return helpdesk.Errorf(helpdesk.EInvalid, "unknown_priority", "unknown priority %q", *p.Priority)
		}
		cur, to := string(n.Priority), string(*p.Priority)
		record("priority", &cur, &to)
		n.Priority = helpdesk.Priority(cur)
	}
	if p.Category != nil {
		if *p.Category != "" && len(set.Categories) > 0 && !set.HasCategory(*p.Category) {
			return helpdesk.Errorf(helpdesk.EInvalid, "unknown_category", "unknown category %q", *p.Category)
		}
		record("category", &n.Category, p.Category)
	}
	return nil
}

// MarkSpam moves t to the Spam view.
func MarkSpam(t helpdesk.Ticket, actor string, now time.Time) (Change, error) {
	if err := notMerged(t); err != nil {
		return Change{}, err
	}
	if t.State == helpdesk.StateSpam {
		return Change{}, ErrNoChange
	}
	c := update(t, now)
	n := c.Ticket()
	from := string(n.State)
	n.State, n.SpamAt = helpdesk.StateSpam, now
	c.Activities = append(c.Activities, activity(n, helpdesk.ActivitySpam, actor, now, from, string(helpdesk.StateSpam)))
	c.finish(now)
	return c, nil
}

// Delete removes t, its thread keys and its place in its owner's count.
// The purge (app/purge) removes its conversation, before or after the
// commit; its dedupe records stay, so a late redelivery of one of its
// messages does not bring it back.
func Delete(t helpdesk.Ticket, now time.Time) (Change, error) {
	if err := notMerged(t); err != nil {
		return Change{}, err
	}
	b := t
	c := Change{Tickets: []Write{{Before: &b}}}
	for _, k := range t.ThreadKeys {
		c.ThreadKeys = append(c.ThreadKeys, ThreadKey{Key: k, TicketID: t.ID, Remove: true})
	}
	c.finish(now)
	return c, nil
}

// DeleteTombstone removes a merged ticket's tombstone on its own: the purge
// of the ticket it was merged into, which TTL or the sweep removed (a
// tombstone is in no view and no count, and its thread keys lead on to
// the primary: the purge removes those still its own first).
func DeleteTombstone(t helpdesk.Ticket, now time.Time) (Change, error) {
	if t.State != helpdesk.StateMerged {
		return Change{}, helpdesk.Errorf(helpdesk.EConflict, "not_merged", "ticket %s is not merged", t.ID)
	}
	b := t
	c := Change{Tickets: []Write{{Before: &b}}}
	c.finish(now)
	return c, nil
}

// NoteInput is an agent's internal note and whom it mentions.
type NoteInput struct {
	AgentID string
	Text    string
	// Mentions are agent ids (the request's, and the @names of the text
	// that name someone); each must be in the decision's Audience.
	Mentions []string
}

// Note records an internal note: never sent to the customer. Each agent it
// mentions must be active and able to see the ticket (else it is refused,
// naming them) and is told (`mentioned`); the ticket's other watchers are
// told of the note; the author follows the ticket from then on.
func Note(t helpdesk.Ticket, in NoteInput, aud Audience, now time.Time) (Change, helpdesk.Message, error) {
	if err := notMerged(t); err != nil {
		return Change{}, helpdesk.Message{}, err
	}
	if strings.TrimSpace(in.Text) == "" {
		return Change{}, helpdesk.Message{}, helpdesk.Errorf(helpdesk.EInvalid, "text_required", "a note needs text")
	}
	mentions := distinct(in.Mentions)
	if err := checkMentions(t, mentions, aud); err != nil {
		return Change{}, helpdesk.Message{}, err
	}
	c := update(t, now)
	n := c.Ticket()
	m := helpdesk.Message{ID: helpdesk.NewID(), TicketID: t.ID, Direction: helpdesk.Note, ChannelID: t.ChannelID,
		ChannelKind: t.ChannelKind, AuthorAgentID: in.AgentID, Text: in.Text, ThreadReason: ReasonNote, CreatedAt: now}
	c.Messages = []helpdesk.Message{m}
	n.MessageCount++
	for _, id := range mentions {
		if id != in.AgentID {
			c.tell(n, aud[id].Agent, helpdesk.NotifyMentioned, in.AgentID, m.ID, now)
		}
	}
	c.tellWatchers(n, aud, helpdesk.NotifyNote, in.AgentID, m.ID, now)
	autoFollow(n, in.AgentID)
	c.finish(now)
	return c, m, nil
}

// ReplyInput is an agent's answer to the customer.
type ReplyInput struct {
	AgentID     string
	Text, HTML  string
	Attachments []helpdesk.Attachment // files already stored (Key set)
	// Contact is the ticket's contact as read, for an email reply's
	// recipients (ReplyRecipients); nil leaves them to the sender.
	Contact *helpdesk.Contact
}

// Reply decides an agent's reply on channel ch (ReplyVia decides which): a queued
// outbound message and the job that sends it. Email registers the reply's
// Message-ID so the customer's answer threads back; Messenger and WhatsApp
// refuse at once outside the provider's reply window (the sender checks
// again when it sends). An agent replying to an unassigned ticket becomes
// its owner.
func Reply(t helpdesk.Ticket, ch helpdesk.Channel, in ReplyInput, now time.Time) (Change, helpdesk.Message, error) {
	for _, a := range in.Attachments {
		if a.Key == "" || a.Name == "" {
			return Change{}, helpdesk.Message{}, helpdesk.Errorf(helpdesk.EInvalid, "attachment_invalid", "attachments need a stored key and a name")
		}
	}
	if strings.TrimSpace(in.Text) == "" {
		return Change{}, helpdesk.Message{}, helpdesk.Errorf(helpdesk.EInvalid, "text_required", "a reply needs text")
	}
	if err := notMerged(t); err != nil {
		return Change{}, helpdesk.Message{}, err
	}
	c := update(t, now)
	n := c.Ticket()
	id := helpdesk.NewID()
	msg := helpdesk.Message{
		ID: id, TicketID: t.ID, Direction: helpdesk.Outbound, ChannelID: ch.ID, ChannelKind: ch.Kind,
		AuthorAgentID: in.AgentID, Subject: t.Subject, Text: in.Text, HTML: in.HTML, CreatedAt: now,
		Attachments: in.Attachments, Status: helpdesk.StatusQueued, ThreadReason: ReasonAgentReply,
	}
	switch {
	case ch.Kind == helpdesk.ChannelEmail && ch.Email != nil:
		to, err := ReplyRecipients(t, ch, in.Contact)
		if err != nil {
			return Change{}, helpdesk.Message{}, err
		}
		msg.To = to
		c.sendByEmail(n, ch, &msg, now)
	case ch.Kind == helpdesk.ChannelMessenger || ch.Kind == helpdesk.ChannelWhatsApp:
		if len(in.Attachments) > 0 {
			return Change{}, helpdesk.Message{}, helpdesk.Errorf(helpdesk.EUnsupported, "chat_attachments_unsupported", "attachments cannot be sent on %s yet", ch.Kind)
		}
		if err := chatWindowOpen(ch.Kind, t.LastCustomerMessageAt, now); err != nil {
			return Change{}, helpdesk.Message{}, err
		}
		c.job(id, jobs.KindReplyChat, jobs.ReplyChat{TicketID: t.ID, MessageIDs: []string{id}, CreatedAt: now})
	case ch.Kind == helpdesk.ChannelPortal && t.ChannelKind == helpdesk.ChannelPortal:
		// Shown in the portal only, sent on no channel (portalreply.go):
		// no job, so TellCustomer tells the customer of it.
		msg.Status = helpdesk.StatusInPortal
	default:
		return Change{}, helpdesk.Message{}, helpdesk.Errorf(helpdesk.EInvalid, "channel_cannot_reply", "ticket %s came from a %s channel, which cannot carry replies", t.ID, ch.Kind)
	}
	c.Messages = []helpdesk.Message{msg}
	n.MessageCount++
	n.Unread = false
	if n.OwnerID == "" {
		// The replier becomes the owner; nobody else to tell.
		c.assign(n, &helpdesk.Agent{ID: in.AgentID}, n.TeamID, in.AgentID, now)
	}
	c.finish(now)
	return c, msg, nil
}

// chatWindowOpen refuses a reply the provider would refuse: Messenger after
// 7 days (human agent tag), WhatsApp after 24 h (templates come later).
func chatWindowOpen(kind helpdesk.ChannelKind, lastCustomer, now time.Time) error {
	if kind == helpdesk.ChannelWhatsApp {
		return WhatsAppReplyAllowed(lastCustomer, now)
	}
	_, _, err := MessengerReplyMode(lastCustomer, now)
	return err
}

// Edit is what one request changes on a ticket: any of owner, team, status
// and properties. Nil leaves a field as it is; Owner "" unassigns.
type Edit struct {
	Owner      *string
	Team       *string
	Status     *string
	Properties Properties
}

// ErrStale: the caller decided on a version the ticket no longer has.
var ErrStale = &helpdesk.Error{Code: helpdesk.EPrecondition, Reason: "version_mismatch", Message: "the ticket changed since you read it"}

// Apply decides an edit of t, one change however many fields it touches.
// version, when not 0, is the version the caller saw (an If-Match): a
// ticket that changed since is refused with ErrStale. owner is the agent
// Edit.Owner names (nil to unassign or when the owner is not changed); a
// status change is told to the watchers in aud (the owner as the edit
// leaves it, and the followers), but the actor and a new owner told of
// the assignment.
func Apply(t helpdesk.Ticket, version int64, e Edit, owner *helpdesk.Agent, actor string, aud Audience, set helpdesk.Settings, now time.Time) (Change, error) {
	return apply(t, version, e, owner, actor, aud, &set, now)
}

// apply is Apply with the settings when the caller has them (Assign does
// not: its SLA keeps its policy).
func apply(t helpdesk.Ticket, version int64, e Edit, owner *helpdesk.Agent, actor string, aud Audience, with *helpdesk.Settings, now time.Time) (Change, error) {
	if err := notMerged(t); err != nil {
		return Change{}, err
	}
	if version != 0 && version != t.Version {
		return Change{}, ErrStale
	}
	var set helpdesk.Settings
	if with != nil {
		set = *with
	}
	c := update(t, now)
	c.set = with
	n := c.Ticket()
	if e.Owner != nil || e.Team != nil {
		ownerID, team := n.OwnerID, n.TeamID
		if e.Owner != nil {
			ownerID = *e.Owner
		}
		if e.Team != nil {
			team = *e.Team
		}
		switch {
		case ownerID != n.OwnerID:
			if ownerID != "" && (owner == nil || owner.ID != ownerID) {
				return Change{}, helpdesk.Errorf(helpdesk.EInvalid, "owner_unknown", "owner %q is not a user of the desk", ownerID)
			}
			var who *helpdesk.Agent
			if ownerID != "" {
				if err := canOwn(owner); err != nil {
					return Change{}, err
				}
				who = owner
			}
			c.assign(n, who, team, actor, now)
		case team != n.TeamID:
			// The owner keeps the ticket (and their count where it is); only
			// the team moves.
			a := activity(n, helpdesk.ActivityProperty, actor, now, n.TeamID, team)
			a.Field = "team"
			c.Activities = append(c.Activities, a)
			n.TeamID = team
		}
	}
	if e.Status != nil && *e.Status != n.Status {
		state, err := set.Resolve(n.Pipeline, *e.Status)
		if err != nil {
			return Change{}, err
		}
		c.moveTo(n, *e.Status, state, actor, now)
		c.tellWatchers(n, aud, helpdesk.NotifyStatus, actor, "", now)
	}
	if err := c.setProperties(n, e.Properties, actor, set, now); err != nil {
		return Change{}, err
	}
	if len(c.Activities) == 0 {
		return Change{}, ErrNoChange
	}
	c.finish(now)
	return c, nil
}

// SetUnread marks t unread (a customer message does it too) or read:
// opening a ticket marks it read for everybody, anyone can mark it unread
// again. It records no timeline entry: reading is not a change of the
// ticket's story.
func SetUnread(t helpdesk.Ticket, unread bool, now time.Time) (Change, error) {
	if err := notMerged(t); err != nil {
		return Change{}, err
	}
	if t.Unread == unread {
		return Change{}, ErrNoChange
	}
	c := update(t, now)
	c.Ticket().Unread = unread
	c.finish(now)
	return c, nil
}
