package desk

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/platform/retry"
	"github.com/stackdesk/stackdesk/shared/routing"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// Splits is what a split reads beyond a ticket's header: its conversation.
type Splits interface {
	GetTicket(ctx context.Context, id string) (helpdesk.Conversation, error)
}

// Planner decides who gets a new ticket (routing.Router), as the router
// decides for a ticket a message opens.
type Planner interface {
	Plan(ctx context.Context, ch helpdesk.Channel, t *helpdesk.Ticket, contactOwnerID string) (routing.Plan, error)
}

// SplitRequest is an agent's split of a ticket: the messages that move and
// the new ticket's details.
type SplitRequest struct {
	TicketID   string
	Version    int64 // If-Match; 0: none
	MessageIDs []string
	Subject    string
	// Description nil: the start of the new ticket's first message.
	Description     *string
	Priority        helpdesk.Priority
	Category        string
	OwnerID, TeamID string
	AgentID         string
	// Sees, when set, is whether the caller may see a ticket: a retry is
	// answered only with a ticket split off that they see (else it is
	// refused as before, unknown_messages).
	Sees func(helpdesk.Ticket) bool
}

// SplitResult is the new ticket and the old one, as they now are, and the
// jobs committed (the new owner's or team's notification emails).
type SplitResult struct {
	Ticket, Source helpdesk.Ticket
	Jobs           map[string]string
	// Again: the split was done already (a retry), nothing was written.
	Again bool
}

// Split moves messages of an email ticket into a new ticket (ticket.Split),
// in one transaction: the new ticket's number comes from the counter (once,
// unless that number turns out taken), and without an owner or a team it is
// routed by the channel's rule (Router; nil leaves it unassigned), as a new
// ticket from that channel would be. When another writer changed the
// ticket or its messages first, it reads again and decides again.
//
// A split done already (ticket.SplitDone: the client retrying one whose
// answer it lost) answers the ticket split off and the old one as they
// now are, takes no number and writes nothing, whatever the version.
func (s *Service) Split(ctx context.Context, in SplitRequest) (SplitResult, error) {
	fail := func(err error) (SplitResult, error) {
		return SplitResult{}, fmt.Errorf("split ticket %s: %w", in.TicketID, err)
	}
	var e ticket.Edit
	if in.OwnerID != "" {
		e.Owner = &in.OwnerID
	}
	if in.TeamID != "" {
		e.Team = &in.TeamID
	}
	owner, err := s.resolveEdit(ctx, e)
	if err != nil {
		return fail(err)
	}
	set, err := s.Settings.Get(ctx)
	if err != nil {
		return fail(err)
	}
	var id string
	var c ticket.Change
	var done *SplitResult
	err = retry.While(ctx, maxRounds, 5*time.Millisecond, ticket.Lost, func() error {
		conv, err := s.Store.GetTicket(ctx, in.TicketID)
		if err != nil {
			return err
		}
		split := ticket.SplitInput{MessageIDs: in.MessageIDs, Subject: in.Subject, AgentID: in.AgentID}
		if done, err = s.splitDone(ctx, conv, split, in.Sees); err != nil || done != nil {
			return err
		}
		ch, err := s.splitChannel(ctx, conv.Ticket)
		if err != nil {
			return err
		}
		// The ticket's own number, handed out when it was made without the
		// counter, would write its item twice: take the next.
		for id == "" || id == conv.Ticket.ID {
			if id, err = s.Store.NextTicketNumber(ctx); err != nil {
				return err
			}
		}
		split = ticket.SplitInput{ID: id, MessageIDs: in.MessageIDs, Subject: in.Subject, Description: in.Description,
			Priority: in.Priority, Category: in.Category, Owner: owner, TeamID: in.TeamID, AgentID: in.AgentID,
			Version: in.Version, Channel: ch}
		now := s.Now()
		if c, err = ticket.Split(conv, split, set, now); err != nil {
			return err
		}
		if split.Routed() && s.Router != nil && ch.ID != "" {
			plan, err := s.planSplit(ctx, ch, c.Ticket())
			if err != nil {
				return err
			}
			ticket.Route(&c, plan, now)
		}
		err = s.Store.Commit(ctx, c)
		if errors.Is(err, ticket.ErrVersionChanged) || errors.Is(err, ticket.ErrThreadTaken) {
			// The number (or its ticket key) may be taken, by a ticket made
			// without the counter: take the next, as Create does (numbers
			// may have gaps).
			id = ""
		}
		return err
	})
	if err != nil {
		return fail(err)
	}
	if done != nil {
		return *done, nil
	}
	return SplitResult{Ticket: *c.Tickets[0].After, Source: *c.Tickets[1].After, Jobs: c.Jobs}, nil
}

// splitDone reads the tickets split off conv's ticket where the split
// asked may be done already (ticket.SplitOffs) and answers the one
// ticket.SplitDone finds it in; nil when none (Split decides).
func (s *Service) splitDone(ctx context.Context, conv helpdesk.Conversation, in ticket.SplitInput, sees func(helpdesk.Ticket) bool) (*SplitResult, error) {
	for _, id := range ticket.SplitOffs(conv, in) {
		off, err := s.Store.GetTicket(ctx, id)
		switch {
		case errors.Is(err, helpdesk.ErrNotFound):
			continue // deleted since
		case err != nil:
			return nil, err
		case sees != nil && !sees(off.Ticket):
			continue
		case ticket.SplitDone(conv, off, in):
			return &SplitResult{Ticket: off.Ticket, Source: conv.Ticket, Again: true}, nil
		}
	}
	return nil, nil
}

// splitChannel reads the ticket's channel, whose defaults and routing rule
// the new ticket takes; a channel deleted since leaves the tenant's
// defaults and no routing.
func (s *Service) splitChannel(ctx context.Context, t helpdesk.Ticket) (helpdesk.Channel, error) {
	if t.ChannelKind != helpdesk.ChannelEmail {
		return helpdesk.Channel{}, nil // refused by the model, which says why
	}
	ch, err := s.Store.GetChannel(ctx, t.ChannelID)
	if errors.Is(err, helpdesk.ErrNotFound) {
		return helpdesk.Channel{}, nil
	}
	return ch, err
}

// planSplit asks the router who gets the new ticket t, reading its
// contact's owner when the rule routes to it.
func (s *Service) planSplit(ctx context.Context, ch helpdesk.Channel, t *helpdesk.Ticket) (routing.Plan, error) {
	owner := ""
	if ch.Routing.Kind == helpdesk.RouteContactOwner {
		c, err := s.Store.GetContact(ctx, t.ContactID)
		switch {
		case errors.Is(err, helpdesk.ErrNotFound):
		case err != nil:
			return routing.Plan{}, err
		default:
			owner = c.OwnerID
		}
	}
	return s.Router.Plan(ctx, ch, t, owner)
}
