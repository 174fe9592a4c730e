//go:build linux

package rie_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/uuid"

	"github.com/stackdesk/stackdesk/infra/devstack/emulate"
	"github.com/stackdesk/stackdesk/infra/devstack/localrun"
	"github.com/stackdesk/stackdesk/infra/devstack/rie"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/api/webhook"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

const (
	formEvents = "../../../events/form-webhook"
	tenant     = "rie-test"
	// unreachable stands in for AWS where a test must not reach any service.
	unreachable = "http://127.0.0.1:1"
)

var functions = []string{"form-webhook", "router"}

// ---------------------------------------------------------------- builds

var (
	buildOnce sync.Once
	buildDir  string
	builds    map[string]string // function name -> bootstrap path
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// bootstrap returns the path of the function's bootstrap, building every
// function once per test run.
func bootstrap(t *testing.T, name string) string {
	t.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "stackdesk-rie-")
		if buildErr != nil {
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		builds = map[string]string{}
		errs := make([]error, len(functions))
		var wg sync.WaitGroup
		for i, fn := range functions {
			out := filepath.Join(buildDir, fn, "bootstrap")
			builds[fn] = out
			wg.Go(func() { errs[i] = rie.Build(ctx, fn, out) })
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil && buildErr == nil {
				buildErr = err
			}
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return builds[name]
}

// requireRIE skips (or, under STACKDESK_REQUIRE_EMULATORS, fails) when the
// SAM CLI's emulator cannot be found.
func requireRIE(t *testing.T) {
	t.Helper()
	if _, err := rie.Find(); err != nil {
		if os.Getenv("STACKDESK_REQUIRE_EMULATORS") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
}

// lambdaEnv is the environment Lambda gives the function in the stack
// (template.yaml: Globals and the function's own variables, JSON logs,
// memory and timeout), pointed at the emulators, plus vars.
func lambdaEnv(name string, timeout int, vars map[string]string) map[string]string {
	region := os.Getenv("AWS_REGION")
	if region == "" {
		region = "us-east-1"
	}
	env := map[string]string{
		"AWS_REGION":                      region,
		"AWS_DEFAULT_REGION":              region,
		"AWS_ACCESS_KEY_ID":               "test",
		"AWS_SECRET_ACCESS_KEY":           "test",
		"AWS_EC2_METADATA_DISABLED":       "true",
		"AWS_LAMBDA_FUNCTION_NAME":        "stackdesk-" + name,
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256",
		"AWS_LAMBDA_FUNCTION_TIMEOUT":     strconv.Itoa(timeout),
		"AWS_LAMBDA_LOG_FORMAT":           "JSON",
		"AWS_LAMBDA_LOG_LEVEL":            "INFO",
		"TZ":                              ":UTC",
	}
	for _, k := range []string{"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB", "AWS_ENDPOINT_URL_SQS"} {
		if v := os.Getenv(k); v != "" {
			env[k] = v
		}
	}
	maps.Copy(env, vars)
	return env
}

// ---------------------------------------------------------------- helpers

func readEvent(t *testing.T, path string) []byte {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func invoke(t *testing.T, f *rie.Function, event []byte) rie.Response {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	resp, err := f.Invoke(ctx, event)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// result decodes a successful invocation's payload into v; an error status
// or a function error payload fails the test.
func result(t *testing.T, f *rie.Function, resp rie.Response, v any) {
	t.Helper()
	if resp.Status != 200 {
		t.Fatalf("invoke %s: status %d: %s", f.Name, resp.Status, resp.Body)
	}
	var fe struct {
		Type    string `json:"errorType"`
		Message string `json:"errorMessage"`
	}
	if json.Unmarshal(resp.Body, &fe) == nil && fe.Type != "" {
		t.Fatalf("invoke %s: function error %s: %s", f.Name, fe.Type, fe.Message)
	}
	if err := json.Unmarshal(resp.Body, v); err != nil {
		t.Fatalf("invoke %s: decode %s: %v", f.Name, resp.Body, err)
	}
}

// logWait bounds waitLog. A found line ends the wait at once, so the bound
// only decides how long a missing line takes to fail: generous, so that a
// busy -race runner flushing output late does not fail the test.
const logWait = 30 * time.Second

// waitLog waits for a JSON log line of the function that match accepts.
// Output reaches the buffer asynchronously, hence the wait.
func waitLog(f *rie.Function, timeout time.Duration, match func(map[string]any) bool) (map[string]any, bool) {
	for deadline := time.Now().Add(timeout); ; {
		for line := range strings.Lines(f.Output()) {
			var rec map[string]any
			if strings.HasPrefix(line, "{") && json.Unmarshal([]byte(line), &rec) == nil && match(rec) {
				return rec, true
			}
		}
		if time.Now().After(deadline) {
			return nil, false
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func str(rec map[string]any, k string) string { s, _ := rec[k].(string); return s }

type timing struct {
	name       string
	size       int64
	cold, warm time.Duration // emulator start -> first response; second invocation
	init       time.Duration // the runtime's init as the emulator reports it
}

func measure(t *testing.T, f *rie.Function, bootstrap string, first, second rie.Response) timing {
	t.Helper()
	fi, err := os.Stat(bootstrap)
	if err != nil {
		t.Fatal(err)
	}
	tm := timing{name: f.Name, size: fi.Size(), cold: first.At.Sub(f.Started), warm: second.Elapsed}
	tm.init, _ = f.InitDuration()
	t.Logf("%s: bootstrap %.1f MiB; cold start (emulator process start -> first response) %v, of which runtime init %v; warm invocation %v",
		tm.name, float64(tm.size)/(1<<20), tm.cold.Round(time.Millisecond), tm.init.Round(100*time.Microsecond), tm.warm.Round(100*time.Microsecond))
	return tm
}

// ---------------------------------------------------------------- tests

// A form submission event goes through the real form-webhook binary under
// the emulator onto the real ingest queue; the record it queued, delivered as
// the SQS event source would, goes through the real router binary into
// DynamoDB Local. Every piece between them is the deployed one except the
// transport: the Lambda service is the emulator, AWS is the emulators.
func TestFormToTicketThroughTheRealBinaries(t *testing.T) {
	requireRIE(t)
	awsCfg := testbed.AWS(t, "DYNAMODB", "SQS", "S3")
	fwBin, routerBin := bootstrap(t, "form-webhook"), bootstrap(t, "router")

	ctx := context.Background()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	r, err := localrun.New(ctx, awsCfg, localrun.Config{Prefix: testbed.Name(t), Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	clients := emulate.NewClients(awsCfg)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, _ = clients.DynamoDB.DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: &r.Stack.TableName})
		for _, u := range r.Stack.QueueURLs {
			_, _ = clients.SQS.DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: aws.String(u)})
		}
	})
	demo, err := r.Seed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ingestURL := r.Stack.QueueURLs["IngestQueue"]
	var timings []timing

	var accepted webhook.Accepted
	ok := t.Run("form-webhook", func(t *testing.T) {
		fw := rie.Start(t, fwBin, lambdaEnv("form-webhook", 10, map[string]string{
			"TENANT": tenant, "TABLE_NAME": r.Stack.TableName, "INGEST_QUEUE_URL": ingestURL,
		}))

		first := invoke(t, fw, readEvent(t, formEvents+"/submit-json.json"))
		var out events.APIGatewayV2HTTPResponse
		result(t, fw, first, &out)
		if out.StatusCode != 202 {
			t.Fatalf("submit-json.json: status %d, want 202: %s", out.StatusCode, out.Body)
		}
		if ct := out.Headers["Content-Type"]; !strings.HasPrefix(ct, "application/json") {
			t.Errorf("submit-json.json: Content-Type %q", ct)
		}
		if err := json.Unmarshal([]byte(out.Body), &accepted); err != nil {
			t.Fatalf("submit-json.json: body %s: %v", out.Body, err)
		}
		if _, err := uuid.Parse(accepted.SubmissionID); err != nil || accepted.Status != "queued" {
			t.Fatalf("submit-json.json: body %s: want a generated UUID submission_id and status queued", out.Body)
		}

		second := invoke(t, fw, readEvent(t, formEvents+"/bad-email.json"))
		var bad events.APIGatewayV2HTTPResponse
		result(t, fw, second, &bad)
		var body httpjson.ErrorBody
		if err := json.Unmarshal([]byte(bad.Body), &body); err != nil || bad.StatusCode != 400 ||
			body.Error.Code != helpdesk.EInvalid || body.Error.Reason != "email_invalid" {
			t.Fatalf("bad-email.json: status %d body %s, want 400 invalid/email_invalid", bad.StatusCode, bad.Body)
		}
		// The rejection is logged once, as JSON (LoggingConfig.LogFormat),
		// with the invocation's request id and the tenant from TENANT.
		rec, found := waitLog(fw, logWait, func(rec map[string]any) bool {
			return str(rec, "message") == "request failed" && str(rec, "reason") == "email_invalid"
		})
		switch {
		case !found:
			t.Errorf("no JSON log line for the rejected submission")
		case str(rec, "tenant") != tenant || str(rec, "requestId") == "":
			t.Errorf("log line %v: want tenant %q and a requestId", rec, tenant)
		}
		timings = append(timings, measure(t, fw, fwBin, first, second))
	})
	if !ok {
		return
	}

	t.Run("router", func(t *testing.T) {
		// The record form-webhook queued, received and delivered as the SQS
		// event source does (localrun.Runner.PollOnce).
		got, err := clients.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: &ingestURL, MaxNumberOfMessages: 10, WaitTimeSeconds: 5, VisibilityTimeout: 60,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Messages) != 1 {
			t.Fatalf("%d messages on the ingest queue, want the 1 form-webhook queued", len(got.Messages))
		}
		m := got.Messages[0]
		if m.Attributes["MessageGroupId"] == "" || m.Attributes["MessageDeduplicationId"] == "" {
			t.Errorf("queued record attributes %v: want FIFO group and deduplication ids", m.Attributes)
		}
		msg, err := jobs.DecodeInbound(aws.ToString(m.Body))
		if err != nil || msg.ProviderMessageID != accepted.SubmissionID || msg.ChannelID != demo.FormChannelID {
			t.Fatalf("queued record %s (%v): want provider message id %s on %s", aws.ToString(m.Body), err, accepted.SubmissionID, demo.FormChannelID)
		}
		ev := events.SQSEvent{Records: []events.SQSMessage{{
			MessageId: aws.ToString(m.MessageId), ReceiptHandle: aws.ToString(m.ReceiptHandle),
			Body: aws.ToString(m.Body), Attributes: m.Attributes, EventSource: "aws:sqs",
			EventSourceARN: r.Stack.QueueARNs["IngestQueue"],
		}}}
		event, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}

		router := rie.Start(t, routerBin, lambdaEnv("router", 30, map[string]string{
			"TENANT": tenant, "TABLE_NAME": r.Stack.TableName, "OUTBOUND_QUEUE_URL": r.Stack.QueueURLs["OutboundQueue"], "REPLY_TOKEN_SECRET": "rie-test-reply-token-secret-0123",
			"MAIL_BUCKET": r.Stack.Buckets["MailBucket"], "META_SECRET_ARN": r.Stack.Secrets["MetaSecret"],
		}))
		apply := func(what string) rie.Response {
			t.Helper()
			resp := invoke(t, router, event)
			var out events.SQSEventResponse
			result(t, router, resp, &out)
			if len(out.BatchItemFailures) != 0 {
				t.Fatalf("%s: batchItemFailures %v, want none", what, out.BatchItemFailures)
			}
			return resp
		}
		const subject = "Charged twice for order 1042" // in submit-json.json
		oneTicket := func(what string) {
			t.Helper()
			ts, err := r.Store.ListTickets(ctx, helpdesk.StateOpen, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(ts) != 1 {
				t.Fatalf("%s: %d open tickets, want 1", what, len(ts))
			}
			conv, err := r.Store.GetTicket(ctx, ts[0].ID)
			if err != nil {
				t.Fatal(err)
			}
			tk := conv.Ticket
			if tk.Subject != subject || tk.ChannelID != demo.FormChannelID || tk.Status != "new" || tk.MessageCount != 1 {
				t.Errorf("%s: ticket %+v", what, tk)
			}
			if len(conv.Messages) != 1 || conv.Messages[0].ProviderMessageID != accepted.SubmissionID ||
				conv.Messages[0].Text != "Hello,\nI was charged twice for order 1042.\nCould you refund one of the charges?" ||
				conv.Messages[0].Submission["plan"] != "pro" {
				t.Errorf("%s: messages %+v", what, conv.Messages)
			}
		}

		first := apply("first delivery")
		oneTicket("after the first delivery")
		// Lambda may deliver a record twice: the router is idempotent.
		second := apply("second delivery")
		oneTicket("after the same record again")
		timings = append(timings, measure(t, router, routerBin, first, second))

		if _, err := clients.SQS.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: &ingestURL, ReceiptHandle: m.ReceiptHandle}); err != nil {
			t.Error(err)
		}
	})

	var sb strings.Builder
	for _, tm := range timings {
		fmt.Fprintf(&sb, "\n  %-13s %6.1f MiB  cold %-10v (runtime init %v)  warm %v", tm.name,
			float64(tm.size)/(1<<20), tm.cold.Round(time.Millisecond), tm.init.Round(100*time.Microsecond), tm.warm.Round(100*time.Microsecond))
	}
	t.Logf("bootstraps under the Runtime Interface Emulator (%s/%s build, -ldflags=-s -w):%s", runtime.GOOS, runtime.GOARCH, sb.String())
}

// A function whose required configuration is missing must not start: the
// runtime exits during init, logging every missing variable, and the
// invocation fails rather than running with an empty table name.
func TestStartupFailsListingMissingVariables(t *testing.T) {
	requireRIE(t)
	evs := map[string][]byte{
		"form-webhook": readEvent(t, formEvents+"/bad-email.json"),
		"router":       []byte(`{"Records":[]}`),
	}
	for _, name := range functions {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			// No TABLE_NAME; nothing reachable, so a function that starts anyway
			// cannot touch any real service.
			f := rie.Start(t, bootstrap(t, name), lambdaEnv(name, 10, map[string]string{
				"TENANT": tenant, "INGEST_QUEUE_URL": unreachable + "/000000000000/ingest.fifo",
				"AWS_ENDPOINT_URL": unreachable, "AWS_ENDPOINT_URL_DYNAMODB": unreachable, "AWS_ENDPOINT_URL_SQS": unreachable,
			}))
			resp := invoke(t, f, evs[name])
			if resp.Status == 200 && !bytes.Contains(resp.Body, []byte(`"errorType"`)) {
				t.Errorf("%s started with TABLE_NAME unset and answered %s; want the runtime to exit during init", name, resp.Body)
			}
			if _, ok := waitLog(f, logWait, func(rec map[string]any) bool {
				e := str(rec, "error")
				return str(rec, "message") == "bad configuration" &&
					strings.Contains(e, "missing environment variables") && strings.Contains(e, "TABLE_NAME")
			}); !ok {
				t.Errorf(`%s: no JSON log line "bad configuration" naming the missing TABLE_NAME`, name)
			}
		})
	}
}
