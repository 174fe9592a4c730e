package localrun_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/stackdesk/stackdesk/infra/devstack/localrun"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/api/webhook"
	"github.com/stackdesk/stackdesk/shared/aws/sqsqueue"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/lambdax"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

type stack struct {
	cfg  aws.Config
	r    *localrun.Runner
	demo localrun.Demo
	srv  *httptest.Server
	sqs  *sqs.Client
}

func start(t *testing.T) stack {
	t.Helper()
	return startAs(t, testbed.Name(t))
}

// startAs starts a local stack under prefix: the same prefix twice is a
// restart of `make run` over the same resources.
func startAs(t *testing.T, prefix string) stack {
	t.Helper()
	return startStack(t, prefix, "")
}

// startStack starts a local stack under prefix; a sender ("" for none) is
// its notification sender, and brings up SES for it; edit changes the rest
// of its configuration.
func startStack(t *testing.T, prefix, sender string, edit ...func(*localrun.Config)) stack {
	t.Helper()
	services := []string{"DYNAMODB", "SQS", "S3", "SECRETS_MANAGER"}
	if sender != "" {
		services = append(services, "SESV2")
	}
	cfg := testbed.AWS(t, services...)
	ctx := context.Background()
	c := localrun.Config{Prefix: prefix, Tenant: "demo", ReplyTokenSecret: []byte("localrun-test-reply-token-secret"),
		Log: quiet, VisibilityTimeout: 2 * time.Second, NotificationSender: sender}
	for _, e := range edit {
		e(&c)
	}
	r, err := localrun.New(ctx, cfg, c)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	demo, err := r.Seed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(r.Handler())
	t.Cleanup(srv.Close)
	return stack{cfg: cfg, r: r, demo: demo, srv: srv, sqs: sqs.NewFromConfig(cfg)}
}

func (s stack) post(t *testing.T, path, body string, headers map[string]string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

// drain runs the router until the ingest queue holds no message, visible or
// in flight.
func (s stack) drain(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	url := s.r.Stack.QueueURLs["IngestQueue"]
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		n, err := s.r.PollOnce(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		if n > 0 {
			continue
		}
		out, err := s.sqs.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url,
			AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages,
				sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
		if err != nil {
			t.Fatal(err)
		}
		if out.Attributes["ApproximateNumberOfMessages"] == "0" && out.Attributes["ApproximateNumberOfMessagesNotVisible"] == "0" {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatal("the ingest queue did not drain in 30 s")
}

func (s stack) tickets(t *testing.T) []helpdesk.Ticket {
	t.Helper()
	ts, err := s.r.Store.ListTickets(context.Background(), helpdesk.StateOpen, 100)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestFormPostBecomesATicketEndToEnd(t *testing.T) {
	s := start(t)
	body := `{"email":"Ann@Example.com","name":"Ann Lee","subject":"My order is late","description":"Order 1042 has not arrived.","plan":"pro"}`
	status, out := s.post(t, "/forms/"+s.demo.FormChannelID, body, nil)
	if status != http.StatusAccepted || out["submission_id"] == "" {
		t.Fatalf("POST: %d %v", status, out)
	}
	s.drain(t)

	ts := s.tickets(t)
	if len(ts) != 1 {
		t.Fatalf("%d open tickets, want 1", len(ts))
	}
	conv, err := s.r.Store.GetTicket(context.Background(), ts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	tk := conv.Ticket
	if tk.Subject != "My order is late" || tk.Status != "new" || tk.Priority != helpdesk.PriorityMedium ||
		tk.ChannelID != s.demo.FormChannelID || tk.TeamID != s.demo.TeamID || !slices.Contains(s.demo.AgentIDs, tk.OwnerID) {
		t.Errorf("ticket = %+v", tk)
	}
	// The router says why: the demo channel load-balances over the Support team.
	if len(conv.Activities) != 1 || conv.Activities[0].Routing == nil ||
		conv.Activities[0].Routing.Reason != "fewest_open_tickets" || len(conv.Activities[0].Routing.Candidates) != len(s.demo.AgentIDs) {
		t.Errorf("activity = %+v", conv.Activities)
	}
	// The owner asked for email on assignment: the job waits in the outbound
	// queue. Publication is at least once (a record redelivered while its
	// first delivery is still publishing publishes again), so every job
	// there must be that one job.
	queued, err := s.sqs.ReceiveMessage(context.Background(), &sqs.ReceiveMessageInput{
		QueueUrl: aws.String(s.r.Stack.QueueURLs["OutboundQueue"]), MaxNumberOfMessages: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(queued.Messages) == 0 {
		t.Error("no notification job in the outbound queue")
	}
	for _, m := range queued.Messages {
		if body := aws.ToString(m.Body); body != aws.ToString(queued.Messages[0].Body) ||
			!strings.Contains(body, `"kind":"notification.email"`) || !strings.Contains(body, `"to_agent_id":"`+tk.OwnerID+`"`) {
			t.Errorf("outbound queue holds %s", body)
		}
	}
	if len(conv.Messages) != 1 || conv.Messages[0].Text != "Order 1042 has not arrived." ||
		conv.Messages[0].ProviderMessageID != out["submission_id"] || conv.Messages[0].Submission["plan"] != "pro" {
		t.Errorf("messages = %+v", conv.Messages)
	}
	c, err := s.r.Store.GetContact(context.Background(), tk.ContactID)
	if err != nil || c.Email != "Ann@Example.com" || c.Name != "Ann Lee" {
		t.Errorf("contact = %+v, %v", c, err)
	}

	// The read-only endpoint shows it, without the hidden fields.
	resp, err := http.Get(s.srv.URL + "/local/tickets/" + tk.ID)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(raw, []byte("My order is late")) || bytes.Contains(raw, []byte(`"plan"`)) {
		t.Errorf("GET ticket: %d %s", resp.StatusCode, raw)
	}
}

func TestSignedFormThroughTheRealStack(t *testing.T) {
	s := start(t)
	body := `{"email":"bob@example.com","subject":"Signed"}`
	if status, out := s.post(t, "/forms/"+s.demo.SignedChannelID, body,
		map[string]string{webhook.HeaderFormSignature: webhook.SignSHA256("wrong", []byte(body))}); status != 401 {
		t.Fatalf("bad signature: %d %v", status, out)
	}
	if status, out := s.post(t, "/forms/"+s.demo.SignedChannelID, body,
		map[string]string{webhook.HeaderFormSignature: webhook.SignSHA256(s.demo.SignedSecret, []byte(body))}); status != 202 {
		t.Fatalf("good signature: %d %v", status, out)
	}
	if status, _ := s.post(t, "/forms/no-such-channel", body, nil); status != 404 {
		t.Fatalf("unknown channel: %d", status)
	}
	s.drain(t)
	if n := len(s.tickets(t)); n != 1 {
		t.Fatalf("%d tickets, want 1 (only the signed submission)", n)
	}
}

// The same submission sent twice, the same queue message delivered twice, and
// the same provider message enqueued twice past SQS's deduplication all end in
// one ticket with one message.
func TestRedeliveryAndDuplicatesCreateNothingTwice(t *testing.T) {
	s := start(t)
	body := `{"email":"ann@example.com","subject":"Once only"}`
	for range 2 {
		if status, out := s.post(t, "/forms/"+s.demo.FormChannelID, body, map[string]string{"Idempotency-Key": "client-key-1"}); status != 202 {
			t.Fatalf("POST: %d %v", status, out)
		}
	}
	// Bypass SQS deduplication: enqueue the same provider message with a new
	// deduplication id, as a resend after the five-minute window would.
	m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelForm, ChannelID: s.demo.FormChannelID,
		ProviderMessageID: "client-key-1", ReceivedAt: time.Now().UTC(), Sender: helpdesk.Sender{Email: "ann@example.com"}, Subject: "Once only"}
	enc, _ := jobs.EncodeInbound(m)
	_, err := s.sqs.SendMessage(context.Background(), &sqs.SendMessageInput{
		QueueUrl: aws.String(s.r.Stack.QueueURLs["IngestQueue"]), MessageBody: aws.String(string(enc)),
		MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("another-dedupe-id"),
	})
	if err != nil {
		t.Fatal(err)
	}
	s.drain(t)

	// Lambda may also hand the router the very same record twice.
	rec := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "x", Body: string(enc), Attributes: map[string]string{"MessageGroupId": "g"}}}}
	for range 2 {
		resp, err := lambdax.RouterHandler(s.r.Router, quiet)(context.Background(), rec)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("redelivered record: %v %v", resp, err)
		}
	}

	ts := s.tickets(t)
	if len(ts) != 1 {
		t.Fatalf("%d tickets, want 1", len(ts))
	}
	conv, _ := s.r.Store.GetTicket(context.Background(), ts[0].ID)
	if len(conv.Messages) != 1 || conv.Ticket.MessageCount != 1 {
		t.Fatalf("%d messages (count %d), want 1", len(conv.Messages), conv.Ticket.MessageCount)
	}
}

// A record the router can never apply is retried and then moved to the DLQ
// by the queue's redrive policy from template.yaml; other customers' records
// in the same batches are applied.
func TestPoisonMessageReachesTheDLQ(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	url := s.r.Stack.QueueURLs["IngestQueue"]
	_, err := s.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &url, MessageBody: aws.String(`{"kind":"inbound.message","payload":{"v":99}}`),
		MessageGroupId: aws.String("poison"), MessageDeduplicationId: aws.String("poison-1")})
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := s.post(t, "/forms/"+s.demo.FormChannelID, `{"email":"ok@example.com","subject":"Fine"}`, nil); status != 202 {
		t.Fatal("POST failed")
	}
	// maxReceiveCount is 5: keep the router polling until the redrive happens.
	dlq := s.r.Stack.QueueURLs["IngestDLQ"]
	var out *sqs.ReceiveMessageOutput
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		if _, err := s.r.PollOnce(ctx, 0); err != nil {
			t.Fatal(err)
		}
		var err error
		out, err = s.sqs.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: &dlq, MaxNumberOfMessages: 10,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll}})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) > 0 {
			break
		}
	}
	if len(out.Messages) != 1 || !strings.Contains(aws.ToString(out.Messages[0].Body), `"v":99`) {
		t.Fatalf("DLQ holds %d messages: %+v", len(out.Messages), out.Messages)
	}
	if n := len(s.tickets(t)); n != 1 {
		t.Fatalf("%d tickets, want 1 (the good submission)", n)
	}
}

// When SQS refuses the message, the caller gets a 503 to retry, and nothing
// is written.
func TestQueueUnavailableAnswers503(t *testing.T) {
	s := start(t)
	f := *s.r.Forms
	f.Queue = &sqsqueue.Ingest{Client: s.sqs, QueueURL: s.r.Stack.QueueURLs["IngestQueue"] + "-missing"}
	mux := http.NewServeMux()
	f.Register(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	resp, err := http.Post(srv.URL+"/forms/"+s.demo.FormChannelID, "application/json", strings.NewReader(`{"email":"a@example.com","subject":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !bytes.Contains(raw, []byte("queue_unavailable")) || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("status %d body %s", resp.StatusCode, raw)
	}
	s.drain(t)
	if n := len(s.tickets(t)); n != 0 {
		t.Fatalf("%d tickets, want 0", n)
	}
}
