package desk

import (
	"context"
	"fmt"
	"slices"
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
// that team (ticket.CheckSLA emails the members in the audience whose
// Teams hold the ticket's team; audience.Read alone reads only watchers,
// and their teams only when a scope needs them, so a team was told in its
// feed and nobody was emailed).
func (s *Service) slaAudience(ctx context.Context, t helpdesk.Ticket) (ticket.Audience, error) {
	if t.OwnerID != "" || t.TeamID == "" {
		return audience.Read(ctx, s.Store, t, nil)
	}
	teams, err := s.Store.TeamMembers(ctx, []string{t.TeamID})
	if err != nil {
		return nil, fmt.Errorf("read the members of team %s: %w", t.TeamID, err)
	}
	members := teams[t.TeamID]
	aud, err := audience.Read(ctx, s.Store, t, members)
	if err != nil {
		return nil, err
	}
	for id, p := range aud {
		if slices.Contains(members, id) && !slices.Contains(p.Teams, t.TeamID) {
			p.Teams = append(p.Teams, t.TeamID)
			aud[id] = p
		}
	}
	return aud, nil
}
