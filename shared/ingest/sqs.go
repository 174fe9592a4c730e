package ingest

import (
	"context"

	"github.com/aws/aws-lambda-go/events"

	"github.com/stackdesk/stackdesk/shared/queue"
)

// HandleSQS is the router's Lambda handler: it applies each record of an
// ingest-queue batch in order and reports the records to redeliver.
func (s *Service) HandleSQS(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	return queue.ProcessFIFO(ctx, s.Log, ev, func(ctx context.Context, rec events.SQSMessage) error {
		m, err := queue.DecodeInbound(rec.Body)
		if err != nil {
			return err
		}
		_, err = s.Apply(ctx, m)
		return err
	}), nil
}
