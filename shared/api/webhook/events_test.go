package webhook

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/aws/sqsqueue"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// The sample events shared with `sam local invoke -e` (see events/README.md).
const (
	formEvents   = "../../../events/form-webhook"
	routerEvents = "../../../events/router"
)

func readEvent[T any](t *testing.T, path string) T {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var ev T
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return ev
}

// proxyForms is the form-webhook Lambda handler as functions/form-webhook
// wires it, over in-memory channels and queue.
func proxyForms(q *fakeQueue, id string, now time.Time) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	def := helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}
	chs := map[string]helpdesk.Channel{
		"contact-form": {ID: "contact-form", Kind: helpdesk.ChannelForm, Defaults: def, Form: &helpdesk.FormSettings{Auth: helpdesk.FormAuthNone}},
		"signed-form":  {ID: "signed-form", Kind: helpdesk.ChannelForm, Defaults: def, Form: &helpdesk.FormSettings{Auth: helpdesk.FormAuthHMAC, Secret: "demo-secret"}},
	}
	f := &Forms{
		Channels: fakeChannels{get: func(id string) (helpdesk.Channel, error) {
			if c, ok := chs[id]; ok {
				return c, nil
			}
			return helpdesk.Channel{}, helpdesk.Errorf(helpdesk.ENotFound, "not_found", "no channel")
		}},
		Queue:    q,
		Settings: tenantSettings(helpdesk.DefaultSettings()),
		Now:      func() time.Time { return now },
		NewID:    func() string { return id },
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	mux := http.NewServeMux()
	f.Register(mux)
	return httpadapter.NewV2(mux).ProxyWithContext
}

// formEventCase is one sample event and what the handler must make of it.
type formEventCase struct {
	file    string
	id      string    // what NewID returns
	now     time.Time // what Now returns
	status  int
	want    *helpdesk.InboundMessage // the enqueued message (accepted events)
	wantErr httpjson.ErrorDetail     // code and reason (rejected events)
}

func formEventCases() []formEventCase {
	support := helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}
	return []formEventCase{
		{
			file: "submit-json.json", id: "3f6c1d2a-8b47-4e0f-9c1d-5a2e7b9f4c01", now: t0, status: http.StatusAccepted,
			want: &helpdesk.InboundMessage{
				Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelForm, ChannelID: "contact-form",
				ProviderMessageID: "3f6c1d2a-8b47-4e0f-9c1d-5a2e7b9f4c01", ReceivedAt: t0,
				Sender:  helpdesk.Sender{Email: "ann.lee@example.com", Name: "Ann Lee"},
				Subject: "Charged twice for order 1042",
				Text:    "Hello,\nI was charged twice for order 1042.\nCould you refund one of the charges?",
				Ticket:  support, Submission: map[string]string{"plan": "pro"},
			},
		},
		{
			file: "submit-urlencoded-base64.json", id: "9a0e4b7c-2d13-4f6a-b8e5-0c7d1f3a6b02", now: t0.Add(41 * time.Second), status: http.StatusAccepted,
			want: &helpdesk.InboundMessage{
				Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelForm, ChannelID: "contact-form",
				ProviderMessageID: "9a0e4b7c-2d13-4f6a-b8e5-0c7d1f3a6b02", ReceivedAt: t0.Add(41 * time.Second),
				Sender:  helpdesk.Sender{Email: "bob.martin@example.org", Name: "Bob Martin"},
				Subject: "Cannot log in",
				Text:    "The password reset link says it has expired.\nI tried twice.", // CRLF normalised
				Ticket:  support, Submission: map[string]string{"topic": "login, billing", "utm_source": "newsletter"},
			},
		},
		{
			// The sender's Idempotency-Key wins over a generated id.
			file: "submit-signed.json", id: "unused-generated-id", now: t0.Add(2 * time.Minute), status: http.StatusAccepted,
			want: &helpdesk.InboundMessage{
				Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelForm, ChannelID: "signed-form",
				ProviderMessageID: "crm-sync-7781", ReceivedAt: t0.Add(2 * time.Minute),
				Sender:  helpdesk.Sender{Email: "carol.diaz@example.net", Name: "Carol Diaz"},
				Subject: "Upgrade to the team plan",
				Text:    "We would like to move from 5 to 12 seats this month.",
				Ticket:  support, Submission: map[string]string{"account_id": "acct_5521", "seats": "12"},
			},
		},
		{
			file: "bad-email.json", id: "unused", now: t0, status: http.StatusBadRequest,
			wantErr: httpjson.ErrorDetail{Code: helpdesk.EInvalid, Reason: "email_invalid"},
		},
	}
}

func TestFormWebhookSampleEvents(t *testing.T) {
	for _, tc := range formEventCases() {
		t.Run(tc.file, func(t *testing.T) {
			ev := readEvent[events.APIGatewayV2HTTPRequest](t, filepath.Join(formEvents, tc.file))
			if ev.Version != "2.0" || ev.RouteKey != "POST /forms/{channelId}" || ev.PathParameters["channelId"] == "" {
				t.Fatalf("not an HTTP API v2 form event: version %q route %q params %v", ev.Version, ev.RouteKey, ev.PathParameters)
			}
			q := &fakeQueue{}
			resp, err := proxyForms(q, tc.id, tc.now)(context.Background(), ev)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != tc.status {
				t.Fatalf("status = %d, want %d: %s", resp.StatusCode, tc.status, resp.Body)
			}
			if ct := resp.Headers["Content-Type"]; ct != "application/json" || resp.IsBase64Encoded {
				t.Fatalf("Content-Type %q, base64 %v", ct, resp.IsBase64Encoded)
			}

			if tc.want == nil {
				var body httpjson.ErrorBody
				if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
					t.Fatalf("body %q: %v", resp.Body, err)
				}
				if body.Error.Code != tc.wantErr.Code || body.Error.Reason != tc.wantErr.Reason || body.Error.Message == "" {
					t.Fatalf("error = %+v, want %+v with a message", body.Error, tc.wantErr)
				}
				if len(q.sent) != 0 {
					t.Fatalf("rejected event was enqueued: %+v", q.sent)
				}
				return
			}

			var body Accepted
			if err := json.Unmarshal([]byte(resp.Body), &body); err != nil {
				t.Fatalf("body %q: %v", resp.Body, err)
			}
			if want := (Accepted{SubmissionID: tc.want.ProviderMessageID, Status: "queued"}); body != want {
				t.Fatalf("body = %+v, want %+v", body, want)
			}
			if len(q.sent) != 1 {
				t.Fatalf("enqueued %d messages, want 1", len(q.sent))
			}
			if got := q.sent[0]; !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("enqueued\n%+v\nwant\n%+v", got, tc.want)
			}
			if err := q.sent[0].Validate(); err != nil {
				t.Fatalf("enqueued message is invalid: %v", err)
			}
		})
	}
}

// Every sample event must be covered above, so a new one cannot go untested.
func TestEveryFormWebhookSampleEventIsTested(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(formEvents, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no sample events in %s (%v)", formEvents, err)
	}
	var tested []string
	for _, tc := range formEventCases() {
		tested = append(tested, tc.file)
	}
	for _, f := range files {
		if !slices.Contains(tested, filepath.Base(f)) {
			t.Errorf("%s has no case in formEventCases", f)
		}
	}
}

// The router's sample batch carries exactly what form-webhook enqueues for
// the JSON and URL-encoded sample submissions, so the two sets of samples
// cannot drift apart.
func TestRouterSampleBatchIsWhatFormWebhookEnqueues(t *testing.T) {
	batch := readEvent[events.SQSEvent](t, filepath.Join(routerEvents, "sqs-inbound-batch.json"))
	bodies := map[string]events.SQSMessage{} // by deduplication id
	for _, r := range batch.Records {
		bodies[r.Attributes["MessageDeduplicationId"]] = r
	}
	for _, tc := range formEventCases() {
		if tc.want == nil || tc.want.ChannelID != "contact-form" {
			continue
		}
		t.Run(tc.file, func(t *testing.T) {
			want, err := jobs.EncodeInbound(tc.want)
			if err != nil {
				t.Fatal(err)
			}
			rec, ok := bodies[sqsqueue.DeduplicationID(tc.want)]
			if !ok {
				t.Fatalf("no record with deduplication id %q", sqsqueue.DeduplicationID(tc.want))
			}
			if rec.Body != string(want) {
				t.Errorf("record body\n%s\nwant\n%s", rec.Body, want)
			}
			if g := rec.Attributes["MessageGroupId"]; g != sqsqueue.GroupID(tc.want) {
				t.Errorf("MessageGroupId = %q, want %q", g, sqsqueue.GroupID(tc.want))
			}
		})
	}
}
