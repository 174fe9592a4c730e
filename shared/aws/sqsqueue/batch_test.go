package sqsqueue_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/aws/sqsqueue"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// batchSQS records SendMessageBatch calls in the order they are made and
// refuses the entries whose body contains refuse.
type batchSQS struct {
	mu      sync.Mutex
	batches [][]types.SendMessageBatchRequestEntry
	refuse  string
}

func (*batchSQS) SendMessage(context.Context, *sqs.SendMessageInput, ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	return nil, errors.New("EnqueueAll sends batches only")
}

func (f *batchSQS) SendMessageBatch(_ context.Context, in *sqs.SendMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.batches = append(f.batches, in.Entries)
	out := &sqs.SendMessageBatchOutput{}
	for _, e := range in.Entries {
		if f.refuse != "" && strings.Contains(aws.ToString(e.MessageBody), f.refuse) {
			out.Failed = append(out.Failed, types.BatchResultErrorEntry{Id: e.Id, Code: aws.String("InternalError")})
		} else {
			out.Successful = append(out.Successful, types.SendMessageBatchResultEntry{Id: e.Id})
		}
	}
	return out, nil
}

// delivery is senders × each messages of a Messenger page, interleaved as
// Meta batches them, and one delivery report per sender.
func delivery(senders, each, textSize int) ([]helpdesk.InboundMessage, []jobs.StatusUpdate) {
	var msgs []helpdesk.InboundMessage
	var statuses []jobs.StatusUpdate
	for i := range each {
		for s := range senders {
			msgs = append(msgs, helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelMessenger,
				ChannelID: "messenger:page", ProviderMessageID: fmt.Sprintf("m-%d-%d", s, i), ReceivedAt: time.Unix(1_700_000_000, 0).UTC(),
				Sender: helpdesk.Sender{PSID: fmt.Sprint("psid-", s), PageID: "page"}, Text: fmt.Sprintf("%d of sender %d %s", i, s, strings.Repeat("x", textSize))})
		}
	}
	for s := range senders {
		statuses = append(statuses, jobs.StatusUpdate{Channel: helpdesk.ChannelMessenger, ProviderMessageID: fmt.Sprint("out-", s), Status: "delivered"})
	}
	return msgs, statuses
}

// order is each group's provider message ids in the order they were sent.
func order(batches [][]types.SendMessageBatchRequestEntry) map[string][]string {
	out := map[string][]string{}
	for _, b := range batches {
		for _, e := range b {
			var m struct {
				Payload struct {
					ID string `json:"provider_message_id"`
				} `json:"payload"`
			}
			_ = jsonUnmarshal(aws.ToString(e.MessageBody), &m)
			g := aws.ToString(e.MessageGroupId)
			out[g] = append(out[g], m.Payload.ID)
		}
	}
	return out
}

func TestEnqueueAllBatchesAndKeepsEachSendersOrder(t *testing.T) {
	f := &batchSQS{}
	q := &sqsqueue.Ingest{Client: f, QueueURL: "q"}
	msgs, statuses := delivery(37, 6, 10)
	n, err := q.EnqueueAll(context.Background(), msgs, statuses)
	if err != nil || n != len(msgs)+len(statuses) {
		t.Fatalf("EnqueueAll: %d, %v; want %d", n, err, len(msgs)+len(statuses))
	}
	total := 0
	for _, b := range f.batches {
		if len(b) == 0 || len(b) > 10 {
			t.Errorf("a batch of %d entries", len(b))
		}
		total += len(b)
	}
	if total != n || len(f.batches) > n/10+8 {
		t.Errorf("%d entries in %d batches, want %d in about %d", total, len(f.batches), n, n/10)
	}
	got := order(f.batches)
	for s := range 37 {
		var want []string
		for i := range 6 {
			want = append(want, fmt.Sprintf("m-%d-%d", s, i))
		}
		if g := got[sqsqueue.GroupID(&msgs[s])]; !slices.Equal(g, want) {
			t.Errorf("sender %d's messages went out as %v, want %v", s, g, want)
		}
	}
}

func TestEnqueueAllKeepsBatchesUnderTheSizeLimit(t *testing.T) {
	f := &batchSQS{}
	q := &sqsqueue.Ingest{Client: f, QueueURL: "q"}
	msgs, _ := delivery(1, 12, 100<<10) // one sender: one lane; 100 KiB each
	if _, err := q.EnqueueAll(context.Background(), msgs, nil); err != nil {
		t.Fatal(err)
	}
	for _, b := range f.batches {
		size := 0
		for _, e := range b {
			size += len(aws.ToString(e.MessageBody))
		}
		if size > 256<<10 {
			t.Errorf("a batch of %d bytes", size)
		}
	}
	if len(f.batches) != 6 {
		t.Errorf("%d batches of 12 messages of 100 KiB, want 6 (two each)", len(f.batches))
	}
}

// An entry SQS refuses fails the delivery (the sender retries it whole),
// and its lane sends nothing after it, so no later message of that sender
// overtakes it.
func TestEnqueueAllFailsOnARefusedEntryAndStopsItsLane(t *testing.T) {
	f := &batchSQS{refuse: `"m-0-1"`}
	q := &sqsqueue.Ingest{Client: f, QueueURL: "q"}
	msgs, _ := delivery(1, 30, 0)
	n, err := q.EnqueueAll(context.Background(), msgs, nil)
	if !errors.Is(err, sqsqueue.ErrUnavailable) {
		t.Fatalf("err %v, want ErrUnavailable", err)
	}
	if len(f.batches) != 1 || n != 9 {
		t.Errorf("%d batches, %d queued; want the lane to stop after its first batch (9 of 10 taken)", len(f.batches), n)
	}
}

// sendOrder records, around a real client, when each batch was sent and
// what it held: a sender's messages are in order when each is in the same
// batch after the one before, or in a batch sent after that one's batch
// was accepted.
type sendOrder struct {
	sqsqueue.SQS
	mu    sync.Mutex
	clock int
	at    map[string][3]int // body -> batch start, batch end, index in batch
}

func (r *sendOrder) SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	r.mu.Lock()
	r.clock++
	start := r.clock
	r.mu.Unlock()
	out, err := r.SQS.SendMessageBatch(ctx, in, opts...)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.clock++
	for i, e := range in.Entries {
		r.at[aws.ToString(e.MessageBody)] = [3]int{start, r.clock, i}
	}
	return out, err
}

// before reports whether body a was sent, and accepted, before body b.
func (r *sendOrder) before(a, b string) bool {
	x, y := r.at[a], r.at[b]
	if x == y || x[0] == 0 || y[0] == 0 {
		return false
	}
	if x[0] == y[0] && x[1] == y[1] {
		return x[2] < y[2] // one batch: SQS keeps its entries' order
	}
	return x[1] < y[0]
}

// Against moto's SQS: a FIFO queue receives every message once, and each
// sender's messages are sent in order (a batch after the one before it
// was accepted, or later in the same batch). The order is checked on the
// sending side, which is what EnqueueAll decides: SQS keeps a group's
// order from there, but moto does not always (when the SDK retries a
// receive whose answer was lost, moto hands out the rest of the group
// while those messages wait out their visibility timeout; SQS holds the
// group).
func TestEnqueueAllOnAFIFOQueue(t *testing.T) {
	cfg := testbed.AWS(t, "SQS")
	c := sqs.NewFromConfig(cfg)
	ctx := context.Background()
	name := testbed.Name(t) + ".fifo"
	created, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &name,
		Attributes: map[string]string{"FifoQueue": "true", "DeduplicationScope": "messageGroup", "FifoThroughputLimit": "perMessageGroupId"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _, _ = c.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: created.QueueUrl}) })
	rec := &sendOrder{SQS: c, at: map[string][3]int{}}
	q := &sqsqueue.Ingest{Client: rec, QueueURL: aws.ToString(created.QueueUrl)}
	msgs, statuses := delivery(20, 5, 10)
	if n, err := q.EnqueueAll(ctx, msgs, statuses); err != nil || n != 120 {
		t.Fatalf("EnqueueAll: %d, %v", n, err)
	}
	byID := map[string]string{} // provider message id -> body as sent
	have := map[string]bool{}
	seen, empty := 0, 0
	// Until all are read, or eight long polls in a row find nothing. Under
	// load the SDK can retry a receive whose answer was lost: the messages
	// moto handed out then stay invisible for the visibility timeout (kept
	// short here) and come again, so a repeat counts once.
	for seen < 120 && empty < 8 {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: created.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 5})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) == 0 {
			empty++
			continue
		}
		empty = 0
		for _, m := range out.Messages {
			var e struct {
				Payload struct {
					ID string `json:"provider_message_id"`
				} `json:"payload"`
			}
			_ = jsonUnmarshal(aws.ToString(m.Body), &e)
			if !have[e.Payload.ID] {
				have[e.Payload.ID] = true
				byID[e.Payload.ID] = aws.ToString(m.Body)
				seen++
			}
			if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: created.QueueUrl, ReceiptHandle: m.ReceiptHandle}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if seen != 120 {
		t.Fatalf("received %d messages, want 120", seen)
	}
	for s := range 20 {
		for i := 1; i < 5; i++ {
			prev, next := fmt.Sprintf("m-%d-%d", s, i-1), fmt.Sprintf("m-%d-%d", s, i)
			if byID[prev] == "" || byID[next] == "" || !rec.before(byID[prev], byID[next]) {
				t.Errorf("sender %d: %s was not sent and accepted before %s (%v, %v)", s, prev, next, rec.at[byID[prev]], rec.at[byID[next]])
			}
		}
	}
}

// BenchmarkEnqueueAll queues a delivery of 1,000 Messenger events (200
// senders × 5) on moto's SQS, as the webhook does before answering Meta.
func BenchmarkEnqueueAll(b *testing.B) {
	cfg := testbed.AWS(b, "SQS")
	c := sqs.NewFromConfig(cfg)
	ctx := context.Background()
	name := testbed.Name(b) + ".fifo"
	created, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: &name, Attributes: map[string]string{"FifoQueue": "true"}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _, _ = c.DeleteQueue(context.Background(), &sqs.DeleteQueueInput{QueueUrl: created.QueueUrl}) })
	q := &sqsqueue.Ingest{Client: c, QueueURL: aws.ToString(created.QueueUrl)}
	msgs, _ := delivery(200, 5, 40)
	b.ResetTimer()
	for i := range b.N {
		for j := range msgs {
			msgs[j].ProviderMessageID = fmt.Sprintf("r%d-%d", i, j) // SQS would drop a resend
		}
		if n, err := q.EnqueueAll(ctx, msgs, nil); err != nil || n != 1000 {
			b.Fatalf("%d, %v", n, err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/1000-events")
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }
