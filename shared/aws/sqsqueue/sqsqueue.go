// Package sqsqueue publishes queued to the stack's SQS queues: inbound
// messages and delivery reports to the ingest FIFO queue (with their message
// group and deduplication ids), queued to the outbound queue.
package sqsqueue

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// Outbound publishes queued (already encoded envelopes) to the outbound queue.
type Outbound struct {
	Client   SQS
	QueueURL string
}

// Publish sends one job body.
func (q *Outbound) Publish(ctx context.Context, body string) error {
	_, err := q.Client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &q.QueueURL, MessageBody: &body})
	if err != nil {
		return fmt.Errorf("%w: outbound job: %w", ErrUnavailable, err)
	}
	return nil
}

// SQS is the subset of the SQS client the publisher uses.
type SQS interface {
	SendMessage(ctx context.Context, in *sqs.SendMessageInput, opts ...func(*sqs.Options)) (*sqs.SendMessageOutput, error)
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, opts ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

// Ingest publishes inbound messages to the ingest FIFO queue.
type Ingest struct {
	Client   SQS
	QueueURL string
	// Bodies keeps the body of a message too large to queue (bodies.go);
	// nil queues every message whole.
	Bodies Bodies
}

// ErrUnavailable wraps any failure to enqueue: the caller should answer so
// that its sender retries (HTTP 503, or a 5xx to Meta).
var ErrUnavailable = &helpdesk.Error{Code: helpdesk.EUnavailable, Reason: "queue_unavailable", Message: "the message could not be queued; retry later"}

// EnqueueInbound sends m with the sender's identity as its message group (one
// customer's messages apply in order) and channel + provider message id as
// its deduplication id (SQS drops a resend within five minutes).
func (q *Ingest) EnqueueInbound(ctx context.Context, m *helpdesk.InboundMessage) error {
	e, err := q.inbound(ctx, m)
	if err != nil {
		return err
	}
	return q.send(ctx, e)
}

// send sends one entry.
func (q *Ingest) send(ctx context.Context, e entry) error {
	_, err := q.Client.SendMessage(ctx, &sqs.SendMessageInput{
		QueueUrl:               &q.QueueURL,
		MessageBody:            aws.String(e.body),
		MessageGroupId:         aws.String(e.group),
		MessageDeduplicationId: aws.String(e.dedup),
	})
	if err != nil {
		return fmt.Errorf("%w: send %s: %w", ErrUnavailable, e.what, err)
	}
	return nil
}

// GroupID is the FIFO message group of m: its channel and sender.
func GroupID(m *helpdesk.InboundMessage) string {
	return sqsID(m.ChannelID + "#" + m.Sender.Key(m.Channel))
}

// DeduplicationID is the FIFO deduplication id of m. A mail's carries its
// content fingerprint too: a different mail reusing a Message-ID within
// SQS's five minutes must not be dropped as a copy.
func DeduplicationID(m *helpdesk.InboundMessage) string {
	id := m.DedupeScope() + "#" + m.ProviderMessageID
	if m.Email != nil && len(m.Email.Fingerprint) >= 16 {
		id += "#" + m.Email.Fingerprint[:16]
	}
	return sqsID(id)
}

// sqsID keeps ids inside SQS's rules (at most 128 printable ASCII characters)
// by hashing anything else; the hash keeps distinct inputs distinct.
func sqsID(s string) string {
	if len(s) <= 128 && printableASCII(s) {
		return s
	}
	sum := sha256.Sum256([]byte(s))
	return "h-" + hex.EncodeToString(sum[:])
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '!' || s[i] > '~' {
			return false
		}
	}
	return true
}

// EnqueueStatus sends a delivery report. Reports of one outbound message
// share a message group, so they apply in the order Meta sent them.
func (q *Ingest) EnqueueStatus(ctx context.Context, u *jobs.StatusUpdate) error {
	e, err := statusEntry(u)
	if err != nil {
		return err
	}
	return q.send(ctx, e)
}
