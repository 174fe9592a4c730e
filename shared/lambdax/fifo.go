// Package lambdax adapts Lambda events to the application: SQS batches (FIFO
// order and partial batch failures), and the event shapes each function
// receives. Only this package and the functions' mains import aws-lambda-go.
package lambdax

import (
	"context"
	"log/slog"

	"github.com/aws/aws-lambda-go/events"
)

// ProcessFIFO runs handle on each record of a FIFO batch in order and reports
// the failures for SQS to redeliver. Once a record of a message group fails,
// the group's later records are not attempted and are reported as failed too,
// so a customer's messages never apply out of order. Other groups go on.
// A record that keeps failing reaches the DLQ through the redrive policy.
func ProcessFIFO(ctx context.Context, log *slog.Logger, ev events.SQSEvent, handle func(context.Context, events.SQSMessage) error) events.SQSEventResponse {
	var resp events.SQSEventResponse
	failedGroups := map[string]bool{}
	for _, rec := range ev.Records {
		group := rec.Attributes["MessageGroupId"]
		if failedGroups[group] {
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			continue
		}
		if err := ctx.Err(); err != nil {
			// Out of time: hand the rest back rather than half-apply them.
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			failedGroups[group] = true
			continue
		}
		if err := handle(ctx, rec); err != nil {
			log.ErrorContext(ctx, "record failed", "sqs_message_id", rec.MessageId, "group", group,
				"receive_count", rec.Attributes["ApproximateReceiveCount"], "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			failedGroups[group] = true
		}
	}
	return resp
}
