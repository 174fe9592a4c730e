package routing

import (
	"context"
	"fmt"
	"maps"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Store is what the router reads.
type Store interface {
	GetAgents(ctx context.Context, ids []string) (map[string]helpdesk.Agent, error)
	TeamMembers(ctx context.Context, ids []string) (map[string][]string, error)
	Loads(ctx context.Context, agentIDs []string, typ helpdesk.TicketType, now time.Time) (map[string]Load, error)
	NextSlot(ctx context.Context, rotation string) (int64, error)
}

// Load is an agent's open-ticket count of one ticket type, as read.
type Load struct {
	Count   int
	Version int64 // the load item's version, to condition the write on
	// Expired names the day buckets the read found past the window; the
	// write conditioned on this reading removes them.
	Expired []string
}

// Router gathers a decision's inputs from the table.
type Router struct {
	Store Store
	Now   func() time.Time
	Rand  func(n int) int
}

// Plan is a decision with what writing it needs: who is told (the owner,
// or the members of the team of an unassigned ticket) and, for a
// load-balanced pick, the owner's load as read, so the write is only kept
// if nobody changed it since.
type Plan struct {
	Decision   Decision
	Recipients map[string]helpdesk.Agent
	Expect     *Load
}

// Plan decides who gets ticket t arriving on channel ch. contactOwnerID is
// the owner of t's contact ("" if none or unknown).
func (r *Router) Plan(ctx context.Context, ch helpdesk.Channel, t *helpdesk.Ticket, contactOwnerID string) (Plan, error) {
	rule := ch.Routing
	now := r.Now()
	in := Input{Rule: rule, ContactOwnerID: contactOwnerID, Now: now, Rand: r.Rand}
	var ids []string
	switch ruleKind(rule) {
	case helpdesk.RouteUsersTeams:
		members, err := r.Store.TeamMembers(ctx, rule.TeamIDs)
		if err != nil {
			return Plan{}, fmt.Errorf("route ticket %s: %w", t.ID, err)
		}
		in.TeamMembers = members
		ids = Candidates(rule, members)
	case helpdesk.RouteContactOwner:
		if contactOwnerID != "" {
			ids = []string{contactOwnerID}
		}
	}
	var expect map[string]Load
	if len(ids) > 0 {
		agents, err := r.Store.GetAgents(ctx, ids)
		if err != nil {
			return Plan{}, fmt.Errorf("route ticket %s: %w", t.ID, err)
		}
		in.Agents = agents
		switch {
		case ruleKind(rule) == helpdesk.RouteUsersTeams && distribution(rule) == helpdesk.DistLoadBalanced:
			loads, err := r.Store.Loads(ctx, ids, t.Type, now)
			if err != nil {
				return Plan{}, fmt.Errorf("route ticket %s: %w", t.ID, err)
			}
			in.Loads = map[string]int{}
			for id, l := range loads {
				in.Loads[id] = l.Count
			}
			expect = loads
		case ruleKind(rule) == helpdesk.RouteUsersTeams && distribution(rule) == helpdesk.DistRoundRobin:
			// One rotation per channel and ticket type.
			slot, err := r.Store.NextSlot(ctx, ch.ID+"#"+string(t.Type))
			if err != nil {
				return Plan{}, fmt.Errorf("route ticket %s: %w", t.ID, err)
			}
			in.Slot = slot
		}
	}
	d := Decide(in)
	recipients := in.Agents
	if d.OwnerID == "" && d.TeamID != "" {
		// The team is told of a new unassigned ticket: read its members'
		// email preferences.
		var err error
		if recipients, err = r.teamAgents(ctx, d.TeamID, in); err != nil {
			return Plan{}, fmt.Errorf("route ticket %s: %w", t.ID, err)
		}
	}
	p := Plan{Decision: d, Recipients: recipients}
	if d.OwnerID != "" && expect != nil {
		// Only the pick's load is conditioned: the decision was right if
		// nobody changed that user's load since it was read. An agent with
		// no load item yet reads as version 0, so the write still fails if
		// another router gave them a ticket first.
		l := expect[d.OwnerID]
		p.Expect = &l
	}
	return p, nil
}

// teamAgents returns the team's agents, reading only what the decision
// did not read already (a users-and-teams rule read the team and its
// members' profiles to decide).
func (r *Router) teamAgents(ctx context.Context, team string, in Input) (map[string]helpdesk.Agent, error) {
	members, ok := in.TeamMembers[team]
	if !ok {
		m, err := r.Store.TeamMembers(ctx, []string{team})
		if err != nil {
			return nil, err
		}
		members = m[team]
	}
	out := map[string]helpdesk.Agent{}
	var missing []string
	for _, id := range members {
		if a, ok := in.Agents[id]; ok {
			out[id] = a
		} else {
			missing = append(missing, id)
		}
	}
	if len(missing) > 0 {
		read, err := r.Store.GetAgents(ctx, missing)
		if err != nil {
			return nil, err
		}
		maps.Copy(out, read)
	}
	return out, nil
}
