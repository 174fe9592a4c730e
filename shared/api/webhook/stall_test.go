package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/api/webhook"
	"github.com/stackdesk/stackdesk/shared/aws/sqsqueue"
	"github.com/stackdesk/stackdesk/shared/channel/meta"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/platform/boot"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/wire"
)

// records keeps what a handler logged, errors as the values they were.
type records struct {
	mu   sync.Mutex
	recs []slog.Record
}

func (r *records) Enabled(context.Context, slog.Level) bool { return true }
func (r *records) Handle(_ context.Context, rec slog.Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs = append(r.recs, rec.Clone())
	return nil
}
func (r *records) WithAttrs([]slog.Attr) slog.Handler { return r }
func (r *records) WithGroup(string) slog.Handler      { return r }

// errorOf returns the "error" of the last record with the message msg.
func (r *records) errorOf(msg string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out error
	for _, rec := range r.recs {
		if rec.Message != msg {
			continue
		}
		rec.Attrs(func(a slog.Attr) bool {
			if e, ok := a.Value.Any().(error); ok && a.Key == "error" {
				out = e
			}
			return true
		})
	}
	return out
}

// isDeadline reports whether err is a deadline: the request's own, or an
// SDK attempt's HTTP client timeout.
func isDeadline(err error) bool {
	var timeout interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &timeout) && timeout.Timeout()
}

// ingestQueue creates a FIFO ingest queue for the test, deleted after it.
func ingestQueue(t *testing.T, q *sqs.Client) string {
	t.Helper()
	out, err := q.CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(testbed.Name(t) + "-ingest.fifo"),
		Attributes: map[string]string{"FifoQueue": "true"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = q.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: out.QueueUrl}) })
	return *out.QueueUrl
}

// A form POST while DynamoDB stalls answers 503 with a reason and a
// Retry-After, well inside API Gateway's 29 s (the request budget), and
// logs the deadline; the sender's retry after the stall is queued.
func TestFormPostDuringAStallAnswers503AndItsRetryIsQueued(t *testing.T) {
	db, table := testbed.Table(t)
	cfg := testbed.AWS(t, "DYNAMODB", "SQS")
	ctx := context.Background()
	if err := store.New(db, table).PutChannel(ctx, helpdesk.Channel{ID: "web", Kind: helpdesk.ChannelForm, Name: "Contact",
		Form: &helpdesk.FormSettings{Auth: helpdesk.FormAuthNone}}); err != nil {
		t.Fatal(err)
	}
	q := sqs.NewFromConfig(cfg)
	queueURL := ingestQueue(t, q)

	// The webhook reaches DynamoDB through the proxy, with short deadlines.
	proxy := testbed.NewStallProxy(t, os.Getenv("AWS_ENDPOINT_URL_DYNAMODB"))
	t.Setenv("AWS_ENDPOINT_URL_DYNAMODB", proxy.URL())
	d := boot.Deadlines{AWSCallTimeout: 2 * time.Second, RequestBudget: 500 * time.Millisecond, DeadlineMargin: 100 * time.Millisecond}
	stalled := boot.WithTimeouts(testbed.AWS(t, "DYNAMODB", "SQS"), d)
	logs := &records{}
	forms, err := wire.FormWebhook(wire.FormWebhookConfig{Store: wire.Store{Common: boot.Common{Tenant: "t", TableName: table},
		SettingsTTL: time.Minute}, IngestQueueURL: queueURL}, stalled, slog.New(logs))
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	forms.Register(mux)
	h := lambdax.Deadline(mux)
	post := func(key string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/forms/web", strings.NewReader(`{"email":"ann@example.com","subject":"Refund","description":"Order 7"}`))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("Idempotency-Key", key)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r.WithContext(lambdax.WithDeadlines(r.Context(), d)))
		return w
	}
	if w := post("warm-up"); w.Code != http.StatusAccepted {
		t.Fatalf("before the stall: %d %s", w.Code, w.Body)
	}

	proxy.Stall()
	// Without deadlines the POST would hang for as long as the stall lasts:
	// a watchdog ends the stall after a while, so such a handler answers
	// (202, late) and fails the status check rather than hanging the test.
	answered := make(chan struct{})
	go func() {
		select {
		case <-answered:
		case <-time.After(20 * time.Second):
			proxy.Resume()
		}
	}()
	w := post("sub-1")
	close(answered)
	var body struct{ Error struct{ Code, Reason string } }
	_ = json.Unmarshal(w.Body.Bytes(), &body)
	if w.Code != http.StatusServiceUnavailable || body.Error.Code != helpdesk.EUnavailable || body.Error.Reason == "" ||
		w.Header().Get("Retry-After") == "" {
		t.Fatalf("during the stall: %d %s (Retry-After %q), want 503 with a reason and Retry-After", w.Code, w.Body, w.Header().Get("Retry-After"))
	}
	if err := logs.errorOf("request failed"); !isDeadline(err) {
		t.Fatalf("logged %v, want the deadline that failed the request", err)
	}

	proxy.Resume()
	if w := post("sub-1"); w.Code != http.StatusAccepted || !strings.Contains(w.Body.String(), `"sub-1"`) {
		t.Fatalf("the sender's retry after the stall: %d %s, want 202", w.Code, w.Body)
	}
	got := map[string]bool{}
	for range 5 {
		rcv, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &queueURL, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range rcv.Messages {
			env, err := jobs.DecodeEnvelope(aws.ToString(m.Body))
			if err != nil {
				t.Fatal(err)
			}
			in, err := env.Inbound()
			if err != nil {
				t.Fatal(err)
			}
			got[in.ProviderMessageID] = true
		}
		if got["sub-1"] {
			break
		}
	}
	if !got["sub-1"] || !got["warm-up"] {
		t.Fatalf("queued %v, want warm-up and the retried sub-1", got)
	}
}

type metaSecrets struct{}

func (metaSecrets) MetaSecrets(context.Context) (string, string, error) {
	return "app-secret", "verify", nil
}

// A signed Messenger delivery while SQS stalls answers 503 with a reason
// (Meta redelivers), and its redelivery after the stall is queued.
func TestMetaDeliveryDuringAQueueStallAnswers503(t *testing.T) {
	cfg := testbed.AWS(t, "SQS")
	ctx := context.Background()
	q := sqs.NewFromConfig(cfg)
	queueURL := ingestQueue(t, q)
	proxy := testbed.NewStallProxy(t, os.Getenv("AWS_ENDPOINT_URL_SQS"))
	t.Setenv("AWS_ENDPOINT_URL_SQS", proxy.URL())
	d := boot.Deadlines{AWSCallTimeout: 2 * time.Second, RequestBudget: 500 * time.Millisecond, DeadlineMargin: 100 * time.Millisecond}
	stalled := boot.WithTimeouts(testbed.AWS(t, "SQS"), d)
	logs := &records{}
	hook := &webhook.Meta{Kind: helpdesk.ChannelMessenger, Secrets: metaSecrets{}, Log: slog.New(logs),
		Queue: &sqsqueue.Ingest{Client: sqs.NewFromConfig(stalled), QueueURL: queueURL}}
	mux := http.NewServeMux()
	hook.Register(mux)
	h := lambdax.Deadline(mux)
	body, err := os.ReadFile("../../channel/meta/testdata/messenger_text.json")
	if err != nil {
		t.Fatal(err)
	}
	deliver := func() *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/messenger", strings.NewReader(string(body)))
		r.Header.Set(meta.SignatureHeader, webhook.SignSHA256("app-secret", body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r.WithContext(lambdax.WithDeadlines(r.Context(), d)))
		return w
	}

	proxy.Stall()
	answered := make(chan struct{})
	go func() { // a watchdog, as in the form test: a handler without deadlines answers late, not never
		select {
		case <-answered:
		case <-time.After(20 * time.Second):
			proxy.Resume()
		}
	}()
	w := deliver()
	close(answered)
	var eb struct{ Error struct{ Code, Reason string } }
	_ = json.Unmarshal(w.Body.Bytes(), &eb)
	if w.Code != http.StatusServiceUnavailable || eb.Error.Reason != "queue_unavailable" || w.Header().Get("Retry-After") == "" {
		t.Fatalf("during the stall: %d %s, want 503 queue_unavailable with Retry-After", w.Code, w.Body)
	}
	if err := logs.errorOf("request failed"); !isDeadline(err) {
		t.Fatalf("logged %v, want the deadline that failed the delivery", err)
	}

	proxy.Resume()
	if w := deliver(); w.Code != http.StatusOK {
		t.Fatalf("Meta's redelivery after the stall: %d %s, want 200", w.Code, w.Body)
	}
	rcv, err := q.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &queueURL, MaxNumberOfMessages: 10, WaitTimeSeconds: 1})
	if err != nil || len(rcv.Messages) != 1 {
		t.Fatalf("queued %v (%v), want the one message", rcv, err)
	}
}
