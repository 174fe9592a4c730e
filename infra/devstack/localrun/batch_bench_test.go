package localrun_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/stackdesk/stackdesk/infra/devstack/localrun"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/api/webhook"
	"github.com/stackdesk/stackdesk/shared/channel/meta"
)

// BenchmarkMessengerBatchOf1000 is one signed delivery of 1,000 Messenger
// messages (100 customers, 10 each) posted to the local stack's messenger
// webhook, timed until it answers 200: the channel check, the decode and
// every message queued on the ingest FIFO queue (moto SQS). Meta retries,
// then disables, a webhook that answers slowly; the goal is < 2 s.
//
//	go test -run '^$' -bench MessengerBatchOf1000 -benchtime 5x ./infra/devstack/localrun/
func BenchmarkMessengerBatchOf1000(b *testing.B) {
	cfg := testbed.AWS(b, "DYNAMODB", "SQS", "S3", "SECRETS_MANAGER")
	ctx := context.Background()
	r, err := localrun.New(ctx, cfg, localrun.Config{Prefix: testbed.Name(b), Tenant: "demo",
		ReplyTokenSecret: []byte("localrun-bench-reply-token-secret"), Log: quiet, VisibilityTimeout: 2 * time.Second})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(r.Close)
	demo, err := r.Seed(ctx)
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(r.Handler())
	b.Cleanup(srv.Close)

	const events = 1000
	bodies := make([][]byte, b.N)
	for i := range bodies {
		bodies[i] = messengerBatch(demo.PageID, i, events)
	}
	b.ResetTimer()
	for i := range b.N {
		req, _ := http.NewRequest(http.MethodPost, srv.URL+"/messenger", bytes.NewReader(bodies[i]))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set(meta.SignatureHeader, webhook.SignSHA256(demo.MetaAppSecret, bodies[i]))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || string(got) != webhook.EventReceived {
			b.Fatalf("delivery %d: %d %s", i, resp.StatusCode, got)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/events, "ns/event")
	// Every message was queued (none set aside as for an unknown page).
	url := r.Stack.QueueURLs["IngestQueue"]
	out, err := sqs.NewFromConfig(cfg).GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: &url,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
	if err != nil {
		b.Fatal(err)
	}
	if got, want := out.Attributes["ApproximateNumberOfMessages"], strconv.Itoa(b.N*events); got != want {
		b.Fatalf("ingest queue holds %s messages; want %s", got, want)
	}
}

// messengerBatch is one delivery of n text messages to page, from 100
// customers in turn; run makes every message id its own.
func messengerBatch(page string, run, n int) []byte {
	var sb strings.Builder
	now := time.Now().UnixMilli()
	fmt.Fprintf(&sb, `{"object":"page","entry":[{"id":%q,"time":%d,"messaging":[`, page, now)
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		fmt.Fprintf(&sb, `{"sender":{"id":"%d"},"recipient":{"id":%q},"timestamp":%d,"message":{"mid":"m_bench_%d_%d","text":"message %d of the batch"}}`,
			7000000000000000+i%100, page, now+int64(i), run, i, i)
	}
	sb.WriteString(`]}]}`)
	return []byte(sb.String())
}
