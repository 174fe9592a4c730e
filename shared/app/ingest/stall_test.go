package ingest_test

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/stackdesk/stackdesk/infra/devstack/emulate"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/platform/boot"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/threading"
)

// logged keeps the errors a handler logged.
type logged struct {
	mu   sync.Mutex
	errs []error
}

func (l *logged) Enabled(context.Context, slog.Level) bool { return true }
func (l *logged) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if e, ok := a.Value.Any().(error); ok {
			l.mu.Lock()
			l.errs = append(l.errs, e)
			l.mu.Unlock()
		}
		return true
	})
	return nil
}
func (l *logged) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logged) WithGroup(string) slog.Handler      { return l }

// While DynamoDB stalls, the router's calls time out short of the
// invocation's deadline: the record is reported failed (SQS redelivers it;
// after five the DLQ keeps it) with the deadline logged, and its
// redelivery after the stall applies it.
func TestRouterRecordFailsInTimeDuringAStall(t *testing.T) {
	db, table := testbed.Table(t)
	ctx := context.Background()
	if err := store.New(db, table).PutChannel(ctx, formChannel); err != nil {
		t.Fatal(err)
	}
	proxy := testbed.NewStallProxy(t, os.Getenv("AWS_ENDPOINT_URL_DYNAMODB"))
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", proxy.URL())
	d := boot.Deadlines{AWSCallTimeout: 5 * time.Second, DeadlineMargin: 700 * time.Millisecond}
	st := store.New(emulate.NewDynamoDB(boot.WithTimeouts(testbed.AWS(t, "DYNAMODB"), d)), table)
	logs := &logged{}
	svc := &ingest.Service{Store: st, Threader: threading.Submission, Settings: settings.Fixed(helpdesk.DefaultSettings()),
		Now: nowT0, Log: slog.New(logs), MaxAttempts: 3}
	body, err := jobs.EncodeInbound(submission("sub-stall", "ann@example.com"))
	if err != nil {
		t.Fatal(err)
	}
	ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "rec-1", Body: string(body),
		Attributes: map[string]string{"MessageGroupId": "web#email#ann@example.com", "ApproximateReceiveCount": "1"}}}}
	handle := lambdax.RouterHandler(svc, svc.Log)
	// invoke runs the handler as Lambda would: with the function's
	// deadlines and a deadline of its own (the function's timeout).
	invoke := func() (events.SQSEventResponse, error) {
		ictx, cancel := context.WithTimeout(lambdax.WithDeadlines(ctx, d), 1500*time.Millisecond)
		defer cancel()
		resp, err := handle(ictx, ev)
		if ictx.Err() != nil {
			t.Fatalf("the handler returned after the invocation's deadline (%v): Lambda would have killed it with nothing reported", ictx.Err())
		}
		return resp, err
	}

	proxy.Stall()
	resp, err := invoke()
	if err != nil || len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "rec-1" {
		t.Fatalf("during the stall: %+v, %v; want rec-1 reported failed", resp, err)
	}
	deadline := false
	for _, e := range logs.errs {
		deadline = deadline || errors.Is(e, context.DeadlineExceeded)
	}
	if !deadline {
		t.Fatalf("logged %v, want the deadline that failed the record", logs.errs)
	}

	proxy.Resume()
	if resp, err := invoke(); err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("redelivery after the stall: %+v, %v; want it applied", resp, err)
	}
	rec, err := st.FindDedupe(ctx, store.DedupeKey("web", "sub-stall"))
	if err != nil || rec.TicketID != "1" {
		t.Fatalf("after the stall: %+v, %v; want ticket 1", rec, err)
	}
}
