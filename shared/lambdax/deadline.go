package lambdax

import (
	"context"
	"net/http"
	"time"

	"github.com/stackdesk/stackdesk/shared/platform/boot"
)

// deadlinesKey carries the function's boot.Deadlines in the context every
// invocation starts from (Main sets it through lambda.WithContextValue).
type deadlinesKey struct{}

// WithDeadlines returns ctx carrying d, as Main's invocations do.
func WithDeadlines(ctx context.Context, d boot.Deadlines) context.Context {
	return context.WithValue(ctx, deadlinesKey{}, d.Timeouts())
}

func deadlinesOf(ctx context.Context) boot.Deadlines {
	d, _ := ctx.Value(deadlinesKey{}).(boot.Deadlines)
	return d.Timeouts()
}

// Bound derives the deadline of the work of one invocation from its
// remaining time: the invocation's deadline less the margin (so what
// failed is reported before Lambda's timeout kills the function) and, for
// budget > 0, no later than budget from now.
func Bound(ctx context.Context, budget time.Duration) (context.Context, context.CancelFunc) {
	d := deadlinesOf(ctx)
	var at time.Time
	if dl, ok := ctx.Deadline(); ok {
		at = dl.Add(-d.DeadlineMargin)
	}
	if budget > 0 {
		if b := time.Now().Add(budget); at.IsZero() || b.Before(at) {
			at = b
		}
	}
	if at.IsZero() {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, at)
}

// Deadline bounds each request h serves by the request budget and the
// invocation's remaining time, so a handler whose dependency stalls fails
// its calls in time to answer 503 (and logs why) rather than hang until
// API Gateway gives up at 29 s.
func Deadline(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := Bound(r.Context(), deadlinesOf(r.Context()).RequestBudget)
		defer cancel()
		h.ServeHTTP(w, r.WithContext(ctx))
	})
}
