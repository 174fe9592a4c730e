package lambdax

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
)

// Sweeper is work run on a schedule (outbox.Relay).
type Sweeper interface {
	Sweep(ctx context.Context) (int, error)
}

// ScheduledHandler runs s on each EventBridge schedule event. A failed
// sweep fails the invocation, so it shows in the function's error metric;
// the next schedule tries again.
func ScheduledHandler[S Sweeper](s S, log *slog.Logger) func(context.Context, events.EventBridgeEvent) error {
	return func(ctx context.Context, ev events.EventBridgeEvent) error {
		n, err := s.Sweep(ctx)
		log.InfoContext(ctx, "sweep done", "event_id", ev.ID, "tickets", n, "error", err)
		return err
	}
}
