package desk

import (
	"context"
	"time"

	"github.com/stackdesk/stackdesk/shared/app/audience"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// CheckSLA records the warnings and breaches of ticket id due at now
// (ticket.CheckSLA), for the per-minute sweep (app/slasweep). The change
// is version-conditioned like every other, so a sweep racing an event, or
// another sweep, records each warning and breach once. Its notification
// emails are in the committed change's outbox: the caller flushes them.
// When this check committed nothing (nothing due, or a racing sweep
// recorded it first) the ticket comes back with no outbox: what it still
// has pending is another writer's to publish (or the relay's), and a
// second sweep publishing it would send the breach's email twice.
func (s *Service) CheckSLA(ctx context.Context, id string, now time.Time) (helpdesk.Ticket, error) {
	c, t, err := s.change(ctx, "check SLA of", id, func(t helpdesk.Ticket, set helpdesk.Settings) (ticket.Change, error) {
		aud, err := audience.Read(ctx, s.Store, t, nil)
		if err != nil {
			return ticket.Change{}, err
		}
		return ticket.CheckSLA(t, aud, set, now)
	})
	if c.Ticket() == nil {
		t.Outbox = nil
	}
	return t, err
}
