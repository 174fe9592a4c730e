package lambdax

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"

	"github.com/stackdesk/stackdesk/shared/jobs"
)

// Sender sends what arrives on the outbound queue (send.Sender).
type Sender interface {
	// Send sends one job; received is how often SQS has delivered it, this
	// delivery included. An error asks for another delivery.
	Send(ctx context.Context, job jobs.Envelope, received int) error
}

// OutboundHandler is the outbound function's handler: it sends each job of
// an outbound-queue batch (a standard queue: jobs are independent) and
// reports the ones to redeliver.
func OutboundHandler[S Sender](s S, log *slog.Logger) SQSHandler {
	return func(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
		return ProcessStandard(ctx, log, ev, func(ctx context.Context, rec events.SQSMessage) error {
			env, err := jobs.DecodeEnvelope(rec.Body)
			if err != nil {
				return err
			}
			return s.Send(ctx, env, receiveCount(rec))
		}), nil
	}
}
