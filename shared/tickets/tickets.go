// Package tickets holds the changes people make to tickets: assign,
// reassign, claim on reply, change status (close, reopen), mark spam,
// delete, merge. Each is one conditional transaction in the store that
// also keeps every agent's open-ticket count exact and records who did
// what on the ticket's timeline.
package tickets

import (
	"context"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// Store is what ticket changes need from the table.
type Store interface {
	UpdateTicket(ctx context.Context, id string, mutate func(t *helpdesk.Ticket) (store.Change, error)) (helpdesk.Ticket, error)
	DeleteTicket(ctx context.Context, id string) (helpdesk.Ticket, error)
	MergeTickets(ctx context.Context, primaryID, secondaryID string, acts []helpdesk.Activity) (helpdesk.Ticket, error)
	GetAgent(ctx context.Context, id string) (helpdesk.Agent, error)
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
// empty, to that team. The new owner is notified unless they did it.
func (s *Service) Assign(ctx context.Context, ticketID, ownerID, teamID, actor string) (helpdesk.Ticket, error) {
	if ownerID != "" {
		a, err := s.Store.GetAgent(ctx, ownerID)
		if err != nil {
			return helpdesk.Ticket{}, fmt.Errorf("assign ticket %s: %w", ticketID, err)
		}
		if !a.Active {
			return helpdesk.Ticket{}, helpdesk.Errorf(helpdesk.EInvalid, "inactive_user", "user %s is deactivated", ownerID)
		}
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
		return s.reassign(t, ownerID, teamID, actor), nil
	})
}

// ClaimOnReply makes an agent who replies to an unassigned ticket its owner.
// It reports whether the agent became the owner.
func (s *Service) ClaimOnReply(ctx context.Context, ticketID, agentID string) (helpdesk.Ticket, bool, error) {
	claimed := false
	t, err := s.Store.UpdateTicket(ctx, ticketID, func(t *helpdesk.Ticket) (store.Change, error) {
		if t.OwnerID != "" || t.State == helpdesk.StateMerged {
			claimed = false
			return store.Change{}, store.ErrNoChange
		}
		claimed = true
		return s.reassign(t, agentID, t.TeamID, agentID), nil
	})
	return t, claimed, err
}

func (s *Service) reassign(t *helpdesk.Ticket, ownerID, teamID, actor string) store.Change {
	from := t.OwnerID
	t.OwnerID, t.TeamID = ownerID, teamID
	t.AssignedAt = time.Time{}
	kind := helpdesk.ActivityUnassigned
	if ownerID != "" {
		t.AssignedAt, kind = s.Now(), helpdesk.ActivityAssigned
	}
	ch := store.Change{Activities: []helpdesk.Activity{s.activity(t, kind, actor, from, ownerID)}}
	if ownerID != "" && ownerID != actor {
		ch.Notifications = []helpdesk.Notification{{ID: helpdesk.NewID(), Recipient: helpdesk.AgentRecipient(ownerID),
			Kind: helpdesk.NotifyAssigned, TicketID: t.ID, Subject: t.Subject, At: s.Now()}}
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

// Merge merges secondary into primary; the primary keeps its properties.
func (s *Service) Merge(ctx context.Context, primaryID, secondaryID, actor string) (helpdesk.Ticket, error) {
	now := s.Now()
	acts := []helpdesk.Activity{
		{ID: helpdesk.NewID(), TicketID: primaryID, Kind: helpdesk.ActivityMerged, ActorID: actor, At: now, From: secondaryID, To: primaryID},
		{ID: helpdesk.NewID(), TicketID: secondaryID, Kind: helpdesk.ActivityMerged, ActorID: actor, At: now, From: secondaryID, To: primaryID},
	}
	return s.Store.MergeTickets(ctx, primaryID, secondaryID, acts)
}
