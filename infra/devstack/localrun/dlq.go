package localrun

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/stackdesk/stackdesk"
	"github.com/stackdesk/stackdesk/infra/devstack/stacktemplate"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// DeadLetterQueue is what one dead-letter queue of a local stack holds.
type DeadLetterQueue struct {
	LogicalID string // as in template.yaml, e.g. IngestDLQ
	Name      string
	Missing   bool     // the stack was never started under this prefix
	Count     int      // approximate number of messages
	Messages  []string // a one-line summary of each message seen
}

// DeadLetters lists the dead-letter queues template.yaml declares (each
// queue another names in its redrive policy, and every queue whose logical
// id ends in DLQ) for the stack created under prefix, with a summary of up
// to peek messages each. Peeking receives and at once makes each message
// visible again, so the messages stay where they are (their receive count
// goes up, which a dead-letter queue does not act on).
func DeadLetters(ctx context.Context, client *sqs.Client, prefix string, peek int) ([]DeadLetterQueue, error) {
	tpl, err := stacktemplate.Parse(stackdesk.Template)
	if err != nil {
		return nil, err
	}
	queues, err := tpl.Queues()
	if err != nil {
		return nil, err
	}
	var dlqs []string
	for _, q := range queues {
		if q.DeadLetterQueue != "" && !slices.Contains(dlqs, q.DeadLetterQueue) {
			dlqs = append(dlqs, q.DeadLetterQueue)
		}
	}
	var out []DeadLetterQueue
	for _, q := range queues {
		if !slices.Contains(dlqs, q.LogicalID) && !strings.HasSuffix(q.LogicalID, "DLQ") {
			continue
		}
		name := prefix + "-" + q.LogicalID // as emulate.Provision names it
		if q.FIFO {
			name += ".fifo"
		}
		d, err := deadLetters(ctx, client, q.LogicalID, name, peek)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func deadLetters(ctx context.Context, client *sqs.Client, id, name string, peek int) (DeadLetterQueue, error) {
	d := DeadLetterQueue{LogicalID: id, Name: name}
	url, err := client.GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: &name})
	var missing *sqstypes.QueueDoesNotExist
	if errors.As(err, &missing) {
		d.Missing = true
		return d, nil
	}
	if err != nil {
		return d, fmt.Errorf("queue %s: %w", name, err)
	}
	attrs, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: url.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages}})
	if err != nil {
		return d, fmt.Errorf("queue %s: %w", name, err)
	}
	fmt.Sscan(attrs.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)], &d.Count)
	seen := map[string]bool{}
	var wait int32
	for round := 0; round < 20 && len(seen) < min(d.Count, peek); round++ {
		// A receive's zero visibility timeout is not sent (the SDK omits
		// zero values): each message is made visible again right after.
		// After a receive that found nothing although the count says a
		// message is visible (a FIFO group another receive still holds;
		// moto answered so now and then), the next one waits up to 1 s.
		got, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: url.QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: wait})
		if err != nil {
			return d, fmt.Errorf("queue %s: %w", name, err)
		}
		wait = 0
		if len(got.Messages) == 0 {
			wait = 1
		}
		for _, m := range got.Messages {
			if _, err := client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{QueueUrl: url.QueueUrl,
				ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0}); err != nil {
				return d, fmt.Errorf("queue %s: leave the message visible: %w", name, err)
			}
		}
		for _, m := range got.Messages {
			if id := aws.ToString(m.MessageId); !seen[id] && len(seen) < peek {
				seen[id] = true
				d.Messages = append(d.Messages, Summarise(aws.ToString(m.Body)))
			}
		}
	}
	return d, nil
}

// Summarise says in one line what a queued body is: an inbound message's
// channel, sender, id, subject and text; another job's kind and payload;
// anything else (a Lambda failure record, an SES event) its first bytes.
func Summarise(body string) string {
	env, err := jobs.DecodeEnvelope(body)
	if err != nil || env.Kind == "" {
		return oneLine(body, 200)
	}
	if env.Kind == jobs.KindInbound {
		var m helpdesk.InboundMessage
		if env.Decode(&m) == nil {
			return fmt.Sprintf("%s channel=%s from=%s id=%s subject=%q text=%q", env.Kind, m.ChannelID, m.Sender.Key(m.Channel),
				m.ProviderMessageID, oneLine(m.Subject, 60), oneLine(m.Text, 80))
		}
	}
	return env.Kind + " " + oneLine(string(env.Payload), 200)
}

func oneLine(s string, max int) string {
	return helpdesk.TruncateRunes(strings.Join(strings.Fields(s), " "), max, "…")
}
