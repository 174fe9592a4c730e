package localrun

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/stackdesk/stackdesk/infra/devstack/stacktemplate"
	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/app/purge"
	"github.com/stackdesk/stackdesk/shared/lambdax"
)

// spamCleanup runs the spam-cleanup function locally as its two event
// sources run it on AWS: the table's stream through the mapping's filter
// (template.yaml's FilterCriteria, evaluated by stacktemplate), and the
// daily schedule's input, here on a ticker. DynamoDB Local never expires
// TTL items, so no local write is TTL's removal and the filter lets none
// of the stand-in stream's records through: locally the sweep purges, and
// a recorded TTL removal can be replayed (Runner.SpamCleanupStream).
type spamCleanup struct {
	svc      *purge.Cleanup // wire.SpamCleanup's, its clock the runner's
	filters  []map[string]any
	schedule json.RawMessage // the schedule's Input
	log      *slog.Logger
	seq      atomic.Int64 // sequence numbers of the stand-in stream's records
}

// newSpamCleanup reads spam-cleanup's event sources from the template.
func newSpamCleanup(tpl *stacktemplate.Template, svc *purge.Cleanup, log *slog.Logger) (*spamCleanup, error) {
	filters, err := tpl.EventFilters("SpamCleanupFunction", "TableStream")
	if err != nil {
		return nil, err
	}
	schedule, err := tpl.ScheduleInput("SpamCleanupFunction", "Daily")
	if err != nil {
		return nil, err
	}
	return &spamCleanup{svc: svc, filters: filters, schedule: schedule, log: log}, nil
}

// SpamCleanupStream hands spam-cleanup's handler a batch of the table's
// stream records (DynamoDB Streams' JSON, {"Records": [...]}) as its event
// source mapping does: only the records that pass the template's filter,
// and no invocation when none does. It answers the handler's response (the
// records Lambda would retry); nil when nothing passed.
func (r *Runner) SpamCleanupStream(ctx context.Context, batch json.RawMessage) (*events.DynamoDBEventResponse, error) {
	var in struct{ Records []map[string]any }
	if err := json.Unmarshal(batch, &in); err != nil {
		return nil, fmt.Errorf("local stream batch: %w", err)
	}
	return r.spam.deliver(ctx, in.Records)
}

func (s *spamCleanup) deliver(ctx context.Context, records []map[string]any) (*events.DynamoDBEventResponse, error) {
	var pass []map[string]any
	for _, rec := range records {
		if stacktemplate.PassesFilters(s.filters, rec) {
			pass = append(pass, rec)
		}
	}
	if len(pass) == 0 {
		return nil, nil
	}
	raw, err := json.Marshal(map[string]any{"Records": pass})
	if err != nil {
		return nil, err
	}
	return lambdax.SpamCleanupHandler(s.svc, s.log)(ctx, raw)
}

// removed is the stand-in stream's consumer for spam-cleanup: the REMOVE
// records of a write's deletes, handed on through the filter. They are the
// functions' own deletes (no userIdentity), which the filter drops, as it
// does on AWS.
func (s *spamCleanup) removed(ctx context.Context, params, result any) {
	var recs []map[string]any
	for _, key := range deletedKeys(params, result) {
		n := s.seq.Add(1)
		recs = append(recs, map[string]any{
			"eventID": "local-" + strconv.FormatInt(n, 10), "eventName": "REMOVE",
			"eventVersion": "1.1", "eventSource": "aws:dynamodb",
			"dynamodb": map[string]any{"Keys": streamKeys(key), "SequenceNumber": fmt.Sprintf("%021d", n),
				"StreamViewType": "NEW_AND_OLD_IMAGES"},
		})
	}
	if len(recs) == 0 {
		return
	}
	resp, err := s.deliver(ctx, recs)
	if err != nil || resp != nil && len(resp.BatchItemFailures) > 0 {
		s.log.ErrorContext(ctx, "local stream: spam-cleanup", "error", err, "response", resp)
	}
}

// deletedKeys are the keys a successful write deleted (a batch's
// unprocessed deletes did not happen).
func deletedKeys(params, result any) []map[string]types.AttributeValue {
	var keys []map[string]types.AttributeValue
	switch in := params.(type) {
	case *dynamodb.DeleteItemInput:
		keys = append(keys, in.Key)
	case *dynamodb.TransactWriteItemsInput:
		for _, it := range in.TransactItems {
			if it.Delete != nil {
				keys = append(keys, it.Delete.Key)
			}
		}
	case *dynamodb.BatchWriteItemInput:
		left := map[string]bool{}
		if out, ok := result.(*dynamodb.BatchWriteItemOutput); ok {
			for _, reqs := range out.UnprocessedItems {
				for _, w := range reqs {
					if w.DeleteRequest != nil {
						left[keyString(w.DeleteRequest.Key)] = true
					}
				}
			}
		}
		for _, reqs := range in.RequestItems {
			for _, w := range reqs {
				if w.DeleteRequest != nil && !left[keyString(w.DeleteRequest.Key)] {
					keys = append(keys, w.DeleteRequest.Key)
				}
			}
		}
	}
	return keys
}

func keyString(k map[string]types.AttributeValue) string {
	b, _ := json.Marshal(streamKeys(k))
	return string(b)
}

// streamKeys renders key attributes (S, N or B) in DynamoDB's JSON, as a
// stream record carries them.
func streamKeys(k map[string]types.AttributeValue) map[string]any {
	out := make(map[string]any, len(k))
	for name, v := range k {
		switch v := v.(type) {
		case *types.AttributeValueMemberS:
			out[name] = map[string]any{"S": v.Value}
		case *types.AttributeValueMemberN:
			out[name] = map[string]any{"N": v.Value}
		case *types.AttributeValueMemberB:
			out[name] = map[string]any{"B": base64.StdEncoding.EncodeToString(v.Value)}
		}
	}
	return out
}

// SweepSpam runs spam-cleanup's scheduled sweep now: its handler with the
// schedule's input, as EventBridge Scheduler invokes it, on the runner's
// clock (Config.Now). It answers how many tickets were purged.
func (r *Runner) SweepSpam(ctx context.Context) (int, error) {
	c := &sweepCount{Cleanup: r.spam.svc}
	_, err := lambdax.SpamCleanupHandler(c, r.cfg.Log)(ctx, r.spam.schedule)
	return c.n, err
}

// sweepCount is the real service, with the count of its sweep kept for
// the caller (the handler only logs it).
type sweepCount struct {
	*purge.Cleanup
	n int
}

func (c *sweepCount) Sweep(ctx context.Context) (int, error) {
	n, err := c.Cleanup.Sweep(ctx)
	c.n = n
	return n, err
}

// spamSweeps sweeps once at start, then every Config.SpamSweepEvery, until
// ctx ends (AWS: once a day).
func (r *Runner) spamSweeps(ctx context.Context) {
	every := r.cfg.SpamSweepEvery
	if every <= 0 {
		every = defaultSpamSweepEvery
	}
	r.every(ctx, every, true, "spam sweep", func(ctx context.Context) error {
		n, err := r.SweepSpam(ctx)
		if err == nil && n > 0 {
			r.cfg.Log.Info("spam sweep", "purged", n)
		}
		return err
	})
}

// defaultSpamSweepEvery is the local sweep's schedule: more often than
// the deployed day, so a spam ticket past its 90 days goes within the hour.
const defaultSpamSweepEvery = time.Hour

// sweepSpam is POST /local/spam-cleanup/sweep: the sweep, now (make
// spam-sweep). A sweep cut short by the request's budget is finished by the
// next one, as on AWS.
func (r *Runner) sweepSpam(w http.ResponseWriter, req *http.Request) {
	n, err := r.SweepSpam(req.Context())
	if err != nil {
		httpjson.Error(w, req, r.cfg.Log, err)
		return
	}
	httpjson.Write(w, http.StatusOK, map[string]int{"purged": n})
}

// now is the runner's clock.
func (c Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}
