package desk

import (
	"context"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/app/audience"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// CheckSLA records the warnings and breaches of ticket id due at now
// (ticket.CheckSLA), for the per-minute sweep (app/slasweep), and returns
// the change it committed (none, Ticket() nil, when nothing was due or a
// racing sweep recorded it first). The change is version-conditioned like
// every other, so each warning and breach is recorded once, and its
// notification emails are its Jobs, for the caller to publish: the
// ticket's other pending jobs are their writers' (or the relay's).
func (s *Service) CheckSLA(ctx context.Context, id string, now time.Time) (ticket.Change, error) {
	c, _, err := s.change(ctx, "check SLA of", id, func(t helpdesk.Ticket, set helpdesk.Settings) (ticket.Change, error) {
		if !ticket.SLACheckDue(t, now) { // met, or recorded by a racing sweep: no audience to read
			return ticket.Change{}, ticket.ErrNoChange
		}
		aud, err := s.slaAudience(ctx, t)
		if err != nil {
			return ticket.Change{}, err
		}
		return ticket.CheckSLA(t, aud, set, now)
	})
	return c, err
}

// slaAudience is who a warning or a breach of t may be emailed to: its
// owner, or, unassigned in a team, the team's members, each as a member of
// that team (ticket.CheckSLA emails those whose Teams hold the ticket's
// team). One read of the agents, and of the team when unassigned.
func (s *Service) slaAudience(ctx context.Context, t helpdesk.Ticket) (ticket.Audience, error) {
	aud := ticket.Audience{}
	switch {
	case t.OwnerID != "":
		p, ok, err := audience.Of(ctx, s.Store, t, t.OwnerID)
		if err != nil {
			return nil, err
		}
		if ok {
			aud[t.OwnerID] = p
		}
	case t.TeamID != "":
		teams, err := s.Store.TeamMembers(ctx, []string{t.TeamID})
		if err != nil {
			return nil, fmt.Errorf("read the members of team %s: %w", t.TeamID, err)
		}
		agents, err := s.Store.GetAgents(ctx, teams[t.TeamID])
		if err != nil {
			return nil, fmt.Errorf("read the members of team %s: %w", t.TeamID, err)
		}
		for id, a := range agents {
			aud[id] = helpdesk.Principal{Agent: a, Teams: []string{t.TeamID}}
		}
	}
	return aud, nil
}
