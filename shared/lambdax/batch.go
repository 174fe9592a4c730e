// Package lambdax adapts Lambda events to the application: SQS batches (FIFO
// order and partial batch failures), and the event shapes each function
// receives. Only this package and the functions' mains import aws-lambda-go.
package lambdax

import (
	"context"
	"log/slog"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
)

// SQSHandler is a Lambda handler for an SQS event source with
// ReportBatchItemFailures.
type SQSHandler = func(context.Context, events.SQSEvent) (events.SQSEventResponse, error)

// ProcessFIFO runs handle on each record of a FIFO batch in order and reports
// the failures for SQS to redeliver. Once a record of a message group fails,
// the group's later records are not attempted and are reported as failed too,
// so a customer's messages never apply out of order. Other groups go on.
// A record that keeps failing reaches the DLQ through the redrive policy.
func ProcessFIFO(ctx context.Context, log *slog.Logger, ev events.SQSEvent, handle func(context.Context, events.SQSMessage) error) events.SQSEventResponse {
	return process(ctx, log, ev, func(rec events.SQSMessage) string { return rec.Attributes["MessageGroupId"] }, handle)
}

// ProcessStandard runs handle on each record of a standard (not FIFO)
// queue's batch and reports the failures for SQS to redeliver. Records are
// independent: one failing holds back no other.
func ProcessStandard(ctx context.Context, log *slog.Logger, ev events.SQSEvent, handle func(context.Context, events.SQSMessage) error) events.SQSEventResponse {
	return process(ctx, log, ev, func(rec events.SQSMessage) string { return rec.MessageId }, handle)
}

// process is the one batch loop: records run in order, and after a record
// fails, the later records of its group (groupOf) are reported failed
// without being attempted. A standard queue makes each record its own group.
func process(ctx context.Context, log *slog.Logger, ev events.SQSEvent, groupOf func(events.SQSMessage) string,
	handle func(context.Context, events.SQSMessage) error) events.SQSEventResponse {
	// Stop short of the invocation's own deadline: a call that stalls fails
	// its record, which is reported and redelivered, instead of the whole
	// batch timing out unexplained (deadline.go).
	ctx, cancel := Bound(ctx, 0)
	defer cancel()
	var resp events.SQSEventResponse
	failedGroups := map[string]bool{}
	for _, rec := range ev.Records {
		group := groupOf(rec)
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

// receiveCount is how often SQS has delivered rec, this delivery included
// (0 if the attribute is missing).
func receiveCount(rec events.SQSMessage) int {
	n, _ := strconv.Atoi(rec.Attributes["ApproximateReceiveCount"])
	return n
}
