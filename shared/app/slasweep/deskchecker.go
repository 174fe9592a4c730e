package slasweep

import (
	"context"
	"log/slog"
	"time"

	"github.com/stackdesk/stackdesk/shared/app/outbox"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// DeskCheck is the desk's SLA check (desk.Service.CheckSLA): the change it
// committed, none when nothing was due.
type DeskCheck interface {
	CheckSLA(ctx context.Context, id string, now time.Time) (ticket.Change, error)
}

// DeskChecker is the sweep's Checker in production: the desk's check, then
// the committed change's notification emails published. If publishing
// fails the change is committed anyway and its jobs wait in the ticket's
// outbox for the relay, so the check succeeds.
type DeskChecker struct {
	Desk  DeskCheck
	Store outbox.Store
	Out   outbox.Publisher
	Log   *slog.Logger
}

func (c *DeskChecker) CheckSLA(ctx context.Context, id string, now time.Time) error {
	ch, err := c.Desk.CheckSLA(ctx, id, now)
	if err != nil {
		return err
	}
	if t := ch.Ticket(); t != nil && len(ch.Jobs) > 0 {
		if err := outbox.Flush(ctx, c.Store, c.Out, t.ID, ch.Jobs); err != nil {
			c.Log.WarnContext(ctx, "SLA check committed, publish left to the relay", "ticket_id", t.ID, "error", err)
		}
	}
	return nil
}
