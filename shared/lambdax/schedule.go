package lambdax

import (
	"context"
	"encoding/json"
	"log/slog"
)

// Sweeper is work run on a schedule (outbox.Relay).
type Sweeper interface {
	Sweep(ctx context.Context) (int, error)
}

// ScheduledHandler runs s on each invocation by EventBridge Scheduler. The
// schedule's input (template.yaml sets {"source": …}) only names the
// schedule in the log. A failed sweep fails the invocation, so it shows in
// the function's error metric; the next schedule tries again.
func ScheduledHandler[S Sweeper](s S, log *slog.Logger) func(context.Context, json.RawMessage) error {
	return func(ctx context.Context, input json.RawMessage) error {
		var in struct {
			Source string `json:"source"`
		}
		_ = json.Unmarshal(input, &in) // any input runs the sweep
		n, err := s.Sweep(ctx)
		log.InfoContext(ctx, "sweep done", "source", in.Source, "tickets", n, "error", err)
		return err
	}
}
