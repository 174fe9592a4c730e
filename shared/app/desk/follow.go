package desk

import (
	"context"
	"slices"

	"github.com/stackdesk/stackdesk/shared/app/audience"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// mentioned resolves a note's mentions: every id of named (refused if it
// names nobody) and the @names of text that name an agent. Whether each
// may be mentioned is the model's decision (ticket.Note).
func (s *Service) mentioned(ctx context.Context, text string, named []string) ([]string, error) {
	named = distinctIDs(named)
	if len(named) > ticket.MaxMentions {
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "too_many_mentions", "a note mentions at most %d people", ticket.MaxMentions)
	}
	ids := slices.Clone(named)
	for _, n := range ticket.MentionsIn(text) {
		if !slices.Contains(ids, n) {
			ids = append(ids, n)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	agents, err := s.Store.GetAgents(ctx, ids)
	if err != nil {
		return nil, err
	}
	for _, id := range named {
		if _, ok := agents[id]; !ok {
			return nil, helpdesk.Errorf(helpdesk.EInvalid, "mention_unknown", "mentioned %q is not a user of the desk", id)
		}
	}
	return slices.DeleteFunc(ids, func(id string) bool { _, ok := agents[id]; return !ok }), nil
}

func distinctIDs(ids []string) []string {
	var out []string
	for _, id := range ids {
		if id != "" && !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

// Follow makes agentID a follower of a ticket, told of its customer
// messages, notes and status changes; they must be able to see it.
func (s *Service) Follow(ctx context.Context, ticketID, agentID string) (helpdesk.Ticket, error) {
	_, t, err := s.change(ctx, "follow", ticketID, func(t helpdesk.Ticket, _ helpdesk.Settings) (ticket.Change, error) {
		// What they can see depends on the team the ticket is in now.
		who, ok, err := audience.Of(ctx, s.Store, t, agentID)
		switch {
		case err != nil:
			return ticket.Change{}, err
		case !ok:
			return ticket.Change{}, helpdesk.Errorf(helpdesk.EInvalid, "follower_unknown", "%q is not a user of the desk", agentID)
		}
		return ticket.Follow(t, who, s.Now())
	})
	return t, err
}

// Unfollow stops telling agentID about a ticket.
func (s *Service) Unfollow(ctx context.Context, ticketID, agentID string) (helpdesk.Ticket, error) {
	_, t, err := s.change(ctx, "unfollow", ticketID, func(t helpdesk.Ticket, _ helpdesk.Settings) (ticket.Change, error) {
		return ticket.Unfollow(t, agentID, s.Now())
	})
	return t, err
}
