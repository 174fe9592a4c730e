// Package tickets holds the changes people make to tickets: assign,
// reassign, claim on reply, change status (close, reopen), mark spam,
// delete, merge. Each is one conditional transaction in the store that
// also keeps every agent's open-ticket count exact and records who did
// what on the ticket's timeline.
package desk

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/channel/meta"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/notify"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/threading"
)

// Store is what ticket changes need from the table.
type Store interface {
	UpdateTicket(ctx context.Context, id string, mutate func(t *helpdesk.Ticket) (store.Change, error)) (helpdesk.Ticket, error)
	DeleteTicket(ctx context.Context, id string) (helpdesk.Ticket, error)
	MergeTickets(ctx context.Context, primaryID, secondaryID string, acts []helpdesk.Activity) (helpdesk.Ticket, error)
	GetAgent(ctx context.Context, id string) (helpdesk.Agent, error)
	GetChannel(ctx context.Context, id string) (helpdesk.Channel, error)
}

// Service changes tickets.
type Service struct {
	Store     Store
	Pipelines helpdesk.Pipelines
	Now       func() time.Time
}

func (s *Service) activity(t *helpdesk.Ticket, kind helpdesk.ActivityKind, actor, from, to string) helpdesk.Activity {
	return helpdesk.Activity{ID: helpdesk.NewID(), TicketID: t.ID, Kind: kind, ActorID: actor, At: s.Now(), From: from, To: to}
}

func notMerged(t *helpdesk.Ticket) error {
	if t.State == helpdesk.StateMerged {
		return helpdesk.Errorf(helpdesk.EConflict, "ticket_merged", "ticket %s was merged into %s", t.ID, t.MergedInto)
	}
	return nil
}

// Assign gives a ticket to ownerID ("" unassigns) and, when teamID is not
// empty, to that team. The new owner is notified unless they did it (in
// the app, and by email if they asked: the job is in the ticket's outbox,
// publish it with outbox.Flush).
func (s *Service) Assign(ctx context.Context, ticketID, ownerID, teamID, actor string) (helpdesk.Ticket, error) {
	var owner *helpdesk.Agent
	if ownerID != "" {
		a, err := s.Store.GetAgent(ctx, ownerID)
		if err != nil {
			return helpdesk.Ticket{}, fmt.Errorf("assign ticket %s: %w", ticketID, err)
		}
		if !a.Active {
			return helpdesk.Ticket{}, helpdesk.Errorf(helpdesk.EInvalid, "inactive_user", "user %s is deactivated", ownerID)
		}
		owner = &a
	}
	return s.Store.UpdateTicket(ctx, ticketID, func(t *helpdesk.Ticket) (store.Change, error) {
		if err := notMerged(t); err != nil {
			return store.Change{}, err
		}
		if teamID == "" {
			teamID = t.TeamID
		}
		if t.OwnerID == ownerID && t.TeamID == teamID {
			return store.Change{}, store.ErrNoChange
		}
		return s.reassign(t, owner, teamID, actor), nil
	})
}

// reassign gives t to owner (nil unassigns) and teamID, and tells the owner
// unless they did it themselves.
func (s *Service) reassign(t *helpdesk.Ticket, owner *helpdesk.Agent, teamID, actor string) store.Change {
	ownerID := ""
	if owner != nil {
		ownerID = owner.ID
	}
	from := t.OwnerID
	t.OwnerID, t.TeamID = ownerID, teamID
	t.AssignedAt = time.Time{}
	kind := helpdesk.ActivityUnassigned
	if ownerID != "" {
		t.AssignedAt, kind = s.Now(), helpdesk.ActivityAssigned
	}
	ch := store.Change{Activities: []helpdesk.Activity{s.activity(t, kind, actor, from, ownerID)}}
	if owner != nil && ownerID != actor {
		told := notify.Assigned(t, *owner, s.Now())
		ch.Notifications, ch.Outbox = told.Notifications, told.Outbox
	}
	return ch
}

// SetStatus moves a ticket to a status of its pipeline; a closing status
// closes it, any other reopens it. Spam and merged tickets keep their state.
func (s *Service) SetStatus(ctx context.Context, ticketID, status, actor string) (helpdesk.Ticket, error) {
	return s.Store.UpdateTicket(ctx, ticketID, func(t *helpdesk.Ticket) (store.Change, error) {
		if err := notMerged(t); err != nil {
			return store.Change{}, err
		}
		state, err := s.Pipelines.Resolve(t.Pipeline, status)
		if err != nil {
			return store.Change{}, err
		}
		if t.Status == status {
			return store.Change{}, store.ErrNoChange
		}
		from := t.Status
		t.Status = status
		if t.State != helpdesk.StateSpam {
			t.State = state
		}
		if state == helpdesk.StateClosed {
			t.ClosedAt = s.Now()
		}
		return store.Change{Activities: []helpdesk.Activity{s.activity(t, helpdesk.ActivityStatus, actor, from, status)}}, nil
	})
}

// MarkSpam moves a ticket to the Spam view.
func (s *Service) MarkSpam(ctx context.Context, ticketID, actor string) (helpdesk.Ticket, error) {
	return s.Store.UpdateTicket(ctx, ticketID, func(t *helpdesk.Ticket) (store.Change, error) {
		if err := notMerged(t); err != nil {
			return store.Change{}, err
		}
		if t.State == helpdesk.StateSpam {
			return store.Change{}, store.ErrNoChange
		}
		from := string(t.State)
		t.State = helpdesk.StateSpam
		return store.Change{Activities: []helpdesk.Activity{s.activity(t, helpdesk.ActivitySpam, actor, from, string(helpdesk.StateSpam))}}, nil
	})
}

// Delete removes a ticket and its conversation.
func (s *Service) Delete(ctx context.Context, ticketID string) (helpdesk.Ticket, error) {
	return s.Store.DeleteTicket(ctx, ticketID)
}

// chatWindowOpen refuses a reply the provider would refuse: Messenger after
// 7 days (human agent tag), WhatsApp after 24 h (templates come later).
func chatWindowOpen(kind helpdesk.ChannelKind, lastCustomer, now time.Time) error {
	if kind == helpdesk.ChannelWhatsApp {
		return meta.WhatsAppReplyAllowed(lastCustomer, now)
	}
	_, _, err := meta.MessengerReplyMode(lastCustomer, now)
	return err
}

// Merge merges secondary into primary; the primary keeps its properties.
func (s *Service) Merge(ctx context.Context, primaryID, secondaryID, actor string) (helpdesk.Ticket, error) {
	now := s.Now()
	acts := []helpdesk.Activity{
		{ID: helpdesk.NewID(), TicketID: primaryID, Kind: helpdesk.ActivityMerged, ActorID: actor, At: now, From: secondaryID, To: primaryID},
		{ID: helpdesk.NewID(), TicketID: secondaryID, Kind: helpdesk.ActivityMerged, ActorID: actor, At: now, From: secondaryID, To: primaryID},
	}
	return s.Store.MergeTickets(ctx, primaryID, secondaryID, acts)
}

// Reply records an agent's reply as a queued outbound message and commits
// the send job in the ticket's outbox (publish it with outbox.Flush), on the
// ticket's own channel: email (its Message-ID registered so the customer's
// answer threads back), Messenger or WhatsApp (refused at once outside the
// provider's reply window; the sender checks again when it sends). An agent
// replying to an unassigned ticket becomes its owner. Attachments are files
// already stored in the mail bucket (Key set).
func (s *Service) Reply(ctx context.Context, ticketID, agentID, text, html string, attachments ...helpdesk.Attachment) (helpdesk.Message, map[string]string, error) {
	for _, a := range attachments {
		if a.Key == "" || a.Name == "" {
			return helpdesk.Message{}, nil, helpdesk.Errorf(helpdesk.EInvalid, "attachment_invalid", "attachments need a stored key and a name")
		}
	}
	if strings.TrimSpace(text) == "" {
		return helpdesk.Message{}, nil, helpdesk.Errorf(helpdesk.EInvalid, "text_required", "a reply needs text")
	}
	var msg helpdesk.Message
	var committed map[string]string
	_, err := s.Store.UpdateTicket(ctx, ticketID, func(t *helpdesk.Ticket) (store.Change, error) {
		if err := notMerged(t); err != nil {
			return store.Change{}, err
		}
		ch, err := s.Store.GetChannel(ctx, t.ChannelID)
		if err != nil {
			return store.Change{}, err
		}
		now := s.Now()
		id := helpdesk.NewID()
		msg = helpdesk.Message{
			ID: id, TicketID: t.ID, Direction: helpdesk.Outbound, ChannelID: ch.ID, ChannelKind: ch.Kind,
			AuthorAgentID: agentID, Subject: t.Subject, Text: text, HTML: html, CreatedAt: now, Attachments: attachments,
			Status: helpdesk.StatusQueued, ThreadReason: "agent_reply",
		}
		change := store.Change{Messages: []helpdesk.Message{msg}}
		var body []byte
		switch {
		case ch.Kind == helpdesk.ChannelEmail && ch.Email != nil:
			_, domain, _ := strings.Cut(ch.Email.Address, "@")
			msg.EmailMessageID = id + "@" + domain
			change.Messages[0] = msg
			change.ThreadKeys = []string{threading.MessageKey(msg.EmailMessageID)}
			body, err = jobs.Encode(jobs.KindReplyEmail, jobs.ReplyEmail{TicketID: t.ID, MessageID: id, CreatedAt: now})
		case ch.Kind == helpdesk.ChannelMessenger || ch.Kind == helpdesk.ChannelWhatsApp:
			if len(attachments) > 0 {
				return store.Change{}, helpdesk.Errorf(helpdesk.EUnsupported, "chat_attachments_unsupported", "attachments cannot be sent on %s yet", ch.Kind)
			}
			if err := chatWindowOpen(ch.Kind, t.LastCustomerMessageAt, now); err != nil {
				return store.Change{}, err
			}
			body, err = jobs.Encode(jobs.KindReplyChat, jobs.ReplyChat{TicketID: t.ID, MessageIDs: []string{id}, CreatedAt: now})
		default:
			return store.Change{}, helpdesk.Errorf(helpdesk.EInvalid, "channel_cannot_reply", "ticket %s came from a %s channel, which cannot carry replies", t.ID, ch.Kind)
		}
		if err != nil {
			return store.Change{}, err
		}
		committed = map[string]string{id: string(body)}
		change.Outbox = committed
		t.MessageCount++
		t.Unread = false
		if t.OwnerID == "" {
			// The replier becomes the owner; nobody else to tell.
			claim := s.reassign(t, &helpdesk.Agent{ID: agentID}, t.TeamID, agentID)
			change.Activities = claim.Activities
		}
		return change, nil
	})
	if err != nil {
		return helpdesk.Message{}, nil, fmt.Errorf("reply to ticket %s: %w", ticketID, err)
	}
	return msg, committed, nil
}
