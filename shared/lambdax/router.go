package lambdax

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// Router applies what arrives on the ingest queue (ingest.Service).
type Router interface {
	Apply(ctx context.Context, m *helpdesk.InboundMessage) (ingest.Result, error)
	ApplyStatus(ctx context.Context, u *jobs.StatusUpdate, received int) error
}

// RouterHandler is the router function's handler: it applies each record of
// an ingest-queue batch (inbound messages and delivery reports) in order
// within its message group, and reports the records to redeliver.
func RouterHandler[R Router](r R, log *slog.Logger) SQSHandler {
	return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		return ProcessFIFO(ctx, log, ev, func(ctx context.Context, rec events.SQSMessage) error {
			env, err := jobs.DecodeEnvelope(rec.Body)
			if err != nil {
				return err
			}
			if env.Kind == jobs.KindStatus {
				var u jobs.StatusUpdate
				if err := env.Decode(&u); err != nil {
					return err
				}
				return r.ApplyStatus(ctx, &u, receiveCount(rec))
			}
			m, err := env.Inbound()
			if err != nil {
				return err
			}
			_, err = r.Apply(ctx, m)
			return err
		}), nil
	}
}
