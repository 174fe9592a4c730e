package lambdax

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Cleaner is the spam-cleanup function's service (purge.Cleanup).
type Cleaner interface {
	Purge(ctx context.Context, id string, last *helpdesk.Ticket) error
	Message(ctx context.Context, m helpdesk.Message) error
	Sweep(ctx context.Context) (int, error)
}

// SpamCleanupHandler is the spam-cleanup function's handler. It takes two
// events: a batch of the table's stream (template.yaml filters it to the
// items DynamoDB's TTL removed: tickets and messages), whose remains it
// purges; and the daily schedule, which sweeps the spam tickets TTL has not
// removed yet. A stream record that fails is reported with the records
// after it (ReportBatchItemFailures: Lambda retries from its sequence
// number, then sends what still fails to the DLQ); every step is
// idempotent, so a record purged twice costs reads, not damage.
func SpamCleanupHandler[C Cleaner](c C, log *slog.Logger) func(context.Context, json.RawMessage) (*events.DynamoDBEventResponse, error) {
	return func(ctx context.Context, raw json.RawMessage) (*events.DynamoDBEventResponse, error) {
		var probe struct {
			Records []json.RawMessage `json:"Records"`
			Source  string            `json:"source"`
		}
		_ = json.Unmarshal(raw, &probe)
		if probe.Records == nil {
			n, err := c.Sweep(ctx)
			log.InfoContext(ctx, "sweep done", "source", probe.Source, "tickets", n, "error", err)
			return nil, err
		}
		var ev events.DynamoDBEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, fmt.Errorf("decode stream batch: %w", err)
		}
		return CleanStream(ctx, log, ev, c), nil
	}
}

// CleanStream purges what each TTL removal in ev leaves behind, in order,
// and reports the first record that failed: Lambda retries the batch from
// it (a stream is ordered, so the records after it are retried too).
func CleanStream[C Cleaner](ctx context.Context, log *slog.Logger, ev events.DynamoDBEvent, c C) *events.DynamoDBEventResponse {
	ctx, cancel := Bound(ctx, 0)
	defer cancel()
	resp := &events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{}}
	purged := 0
	for _, rec := range ev.Records {
		err := ctx.Err()
		if err == nil {
			var did bool
			did, err = cleanRecord(ctx, rec, c)
			if did {
				purged++
			}
		}
		if err != nil {
			log.ErrorContext(ctx, "stream record failed", "event_id", rec.EventID, "sequence", rec.Change.SequenceNumber, "error", err)
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.DynamoDBBatchItemFailure{ItemIdentifier: rec.Change.SequenceNumber})
			break
		}
	}
	log.InfoContext(ctx, "stream cleaned", "records", len(ev.Records), "purged", purged, "failed", len(resp.BatchItemFailures))
	return resp
}

// ttlRemoval reports whether rec is DynamoDB's TTL deleting an item (not a
// person's or a function's delete, which the cascade already covers).
func ttlRemoval(rec events.DynamoDBEventRecord) bool {
	return rec.EventName == string(events.DynamoDBOperationTypeRemove) && rec.UserIdentity != nil &&
		rec.UserIdentity.Type == "Service" && rec.UserIdentity.PrincipalID == "dynamodb.amazonaws.com"
}

func cleanRecord[C Cleaner](ctx context.Context, rec events.DynamoDBEventRecord, c C) (bool, error) {
	if !ttlRemoval(rec) {
		return false, nil
	}
	sk, ok := rec.Change.Keys["SK"]
	if !ok || sk.DataType() != events.DataTypeString {
		return false, nil
	}
	switch {
	case sk.String() == "TICKET":
		t, err := image[helpdesk.Ticket](rec.Change.OldImage)
		if err != nil {
			return false, err
		}
		if t.ID == "" {
			return false, fmt.Errorf("a ticket removed without its id in the old image")
		}
		return true, c.Purge(ctx, t.ID, t)
	case strings.HasPrefix(sk.String(), "MSG#"):
		m, err := image[helpdesk.Message](rec.Change.OldImage)
		if err != nil {
			return false, err
		}
		if m.TicketID == "" {
			return false, nil
		}
		return true, c.Message(ctx, *m)
	}
	return false, nil
}
