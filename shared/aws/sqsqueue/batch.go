package sqsqueue

import (
	"context"
	"fmt"
	"hash/fnv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// SendMessageBatch's limits: 10 entries, and the sum of the bodies within
// the largest message SQS takes (256 KiB, the limit this stack's queues
// were created with).
const (
	batchEntries = 10
	batchBytes   = 256 << 10
	// lanes is how many batches are in flight at once.
	lanes = 8
)

// entry is one message to send: its body and FIFO ids.
type entry struct {
	body, group, dedup, what string
}

func inboundEntry(m *helpdesk.InboundMessage) (entry, error) {
	body, err := jobs.EncodeInbound(m)
	if err != nil {
		return entry{}, err
	}
	return entry{string(body), GroupID(m), DeduplicationID(m), m.ChannelID + "/" + m.ProviderMessageID}, nil
}

func statusEntry(u *jobs.StatusUpdate) (entry, error) {
	body, err := jobs.Encode(jobs.KindStatus, u)
	if err != nil {
		return entry{}, err
	}
	if u.IsWatermark() {
		// One conversation's receipts apply in order; a redelivered receipt is one.
		conv := "receipt#" + u.ChannelID + "#" + u.Recipient
		return entry{string(body), sqsID(conv), sqsID(conv + "#" + string(u.Status) + "#" + u.At.UTC().Format(time.RFC3339Nano)),
			"receipt " + conv + "/" + string(u.Status)}, nil
	}
	return entry{string(body), sqsID("status#" + u.ProviderMessageID),
		sqsID("status#" + u.ProviderMessageID + "#" + string(u.Status)), "status " + u.ProviderMessageID + "/" + string(u.Status)}, nil
}

// EnqueueAll sends a delivery's messages and delivery reports with
// SendMessageBatch, up to 10 a call and 8 calls at a time, and returns how
// many were queued. A message group's entries all go through one lane, in
// the order given, so one customer's messages still apply in order; groups
// spread over the lanes. Any entry SQS refuses makes the whole call fail
// with ErrUnavailable (the sender retries; SQS's and the router's dedupe
// make the resend of what did go through harmless).
func (q *Ingest) EnqueueAll(ctx context.Context, msgs []helpdesk.InboundMessage, statuses []jobs.StatusUpdate) (int, error) {
	var byLane [lanes][]entry
	add := func(e entry) {
		h := fnv.New32a()
		h.Write([]byte(e.group))
		byLane[h.Sum32()%lanes] = append(byLane[h.Sum32()%lanes], e)
	}
	for i := range msgs {
		e, err := q.inbound(ctx, &msgs[i])
		if err != nil {
			return 0, err
		}
		add(e)
	}
	for i := range statuses {
		e, err := statusEntry(&statuses[i])
		if err != nil {
			return 0, err
		}
		add(e)
	}
	var sent atomic.Int64
	errs := make([]error, lanes)
	var wg sync.WaitGroup
	for l := range byLane {
		if len(byLane[l]) == 0 {
			continue
		}
		wg.Go(func() {
			for _, b := range batches(byLane[l]) {
				n, err := q.sendBatch(ctx, b)
				sent.Add(int64(n))
				if err != nil {
					errs[l] = err
					return // the lane stops: its later entries must not overtake
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return int(sent.Load()), err
		}
	}
	return int(sent.Load()), nil
}

// batches cuts a lane's entries, in order, into SendMessageBatch calls.
func batches(es []entry) [][]entry {
	var out [][]entry
	var cur []entry
	size := 0
	for _, e := range es {
		if len(cur) == batchEntries || len(cur) > 0 && size+len(e.body) > batchBytes {
			out = append(out, cur)
			cur, size = nil, 0
		}
		cur = append(cur, e)
		size += len(e.body)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out
}

// sendBatch sends one batch and returns how many SQS took.
func (q *Ingest) sendBatch(ctx context.Context, b []entry) (int, error) {
	in := &sqs.SendMessageBatchInput{QueueUrl: &q.QueueURL}
	for i, e := range b {
		in.Entries = append(in.Entries, types.SendMessageBatchRequestEntry{
			Id: aws.String(fmt.Sprint(i)), MessageBody: aws.String(e.body),
			MessageGroupId: aws.String(e.group), MessageDeduplicationId: aws.String(e.dedup),
		})
	}
	out, err := q.Client.SendMessageBatch(ctx, in)
	if err != nil {
		return 0, fmt.Errorf("%w: send %d messages from %s: %w", ErrUnavailable, len(b), b[0].what, err)
	}
	if len(out.Failed) > 0 {
		f := out.Failed[0]
		return len(out.Successful), fmt.Errorf("%w: %d of %d messages refused, first entry %s: %s %s", ErrUnavailable,
			len(out.Failed), len(b), aws.ToString(f.Id), aws.ToString(f.Code), aws.ToString(f.Message))
	}
	return len(b), nil
}
