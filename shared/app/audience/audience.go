// Package audience reads who a ticket decision may tell: the ticket's
// owner and followers (and anyone else named, such as the people a note
// mentions) with what they can see of it. The ticket model decides who is
// actually told (ticket.Audience); this only reads.
package audience

import (
	"context"
	"fmt"
	"slices"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// Directory reads agents and team memberships (both stores provide it).
type Directory interface {
	GetAgents(ctx context.Context, ids []string) (map[string]helpdesk.Agent, error)
	TeamMembers(ctx context.Context, ids []string) (map[string][]string, error)
}

// Read returns t's watchers and the agents also names (unknown ones are
// left out), each as a principal whose teams are those of t's team and of
// teams (a team an edit moves t to) they belong to: enough for
// Principal.CanSee on t as the decision leaves it, and for nothing else.
// Team memberships are read only when someone's scope needs them.
func Read(ctx context.Context, dir Directory, t helpdesk.Ticket, also []string, teams ...string) (ticket.Audience, error) {
	ids := ticket.Watchers(t)
	for _, id := range also {
		if id != "" && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return principals(ctx, dir, t, ids, teams)
}

// Of returns one agent as a principal of t, as Read would (false when no
// such agent): what following t is decided on.
func Of(ctx context.Context, dir Directory, t helpdesk.Ticket, agentID string) (helpdesk.Principal, bool, error) {
	aud, err := principals(ctx, dir, t, []string{agentID}, nil)
	p, ok := aud[agentID]
	return p, ok, err
}

func principals(ctx context.Context, dir Directory, t helpdesk.Ticket, ids, teams []string) (ticket.Audience, error) {
	aud := ticket.Audience{}
	if len(ids) == 0 {
		return aud, nil
	}
	agents, err := dir.GetAgents(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("read the audience of ticket %s: %w", t.ID, err)
	}
	var members map[string][]string
	teams = append(teams, t.TeamID)
	teams = slices.DeleteFunc(teams, func(s string) bool { return s == "" })
	if len(teams) > 0 && needTeams(agents) {
		slices.Sort(teams)
		if members, err = dir.TeamMembers(ctx, slices.Compact(teams)); err != nil {
			return nil, fmt.Errorf("read the audience of ticket %s: %w", t.ID, err)
		}
	}
	for id, a := range agents {
		p := helpdesk.Principal{Agent: a}
		for team, m := range members {
			if slices.Contains(m, id) {
				p.Teams = append(p.Teams, team)
			}
		}
		aud[id] = p
	}
	return aud, nil
}

func needTeams(agents map[string]helpdesk.Agent) bool {
	for _, a := range agents {
		if (helpdesk.Principal{Agent: a}).Scope() == helpdesk.ScopeTeams {
			return true
		}
	}
	return false
}
