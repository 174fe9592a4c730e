package sqsqueue

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// sentBodies is SQS keeping the bodies it was sent.
type sentBodies struct {
	mu     sync.Mutex
	bodies []string
}

func (s *sentBodies) SendMessage(_ context.Context, in *sqs.SendMessageInput, _ ...func(*sqs.Options)) (*sqs.SendMessageOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.bodies = append(s.bodies, aws.ToString(in.MessageBody))
	return &sqs.SendMessageOutput{}, nil
}

func (s *sentBodies) SendMessageBatch(_ context.Context, in *sqs.SendMessageBatchInput, _ ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := &sqs.SendMessageBatchOutput{}
	for _, e := range in.Entries {
		s.bodies = append(s.bodies, aws.ToString(e.MessageBody))
		out.Successful = append(out.Successful, types.SendMessageBatchResultEntry{Id: e.Id})
	}
	return out, nil
}

type bucket map[string][]byte

func (b bucket) Write(_ context.Context, key, _ string, data []byte) error {
	b[key] = data
	return nil
}

// A message too large to queue whole (a 900 KB Messenger text; a form
// whose 40 KB of "<" encode to 240 KB) is queued with a snippet and the
// key of its whole body, which is in the bucket; a small one is queued as
// it is. The caller's message is not changed.
func TestTooLargeToQueueMovesTheBodyToTheBucket(t *testing.T) {
	ctx := context.Background()
	big := helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelMessenger, ChannelID: "messenger:1",
		ProviderMessageID: "m_big", ReceivedAt: inbound().ReceivedAt, Sender: helpdesk.Sender{PageID: "1", PSID: "2"},
		Text: strings.Repeat("the whole courier log. ", 900<<10/23)}
	angle := *inbound()
	angle.Text = strings.Repeat("<", 40<<10)
	small := *inbound()
	small.ProviderMessageID, small.Text = "s2", "hello"

	sent := &sentBodies{}
	b := bucket{}
	q := &Ingest{Client: sent, QueueURL: "q", Bodies: b}
	if _, err := q.EnqueueAll(ctx, []helpdesk.InboundMessage{big, small}, nil); err != nil {
		t.Fatal(err)
	}
	if err := q.EnqueueInbound(ctx, &angle); err != nil {
		t.Fatal(err)
	}
	if len(big.Text) < 900_000 || big.BodyLocation != "" || angle.BodyLocation != "" {
		t.Fatal("the caller's messages were changed")
	}
	got := map[string]*helpdesk.InboundMessage{}
	for _, body := range sent.bodies {
		if len(body) > MaxInlineMessage {
			t.Fatalf("queued %d bytes, over %d", len(body), MaxInlineMessage)
		}
		env, err := jobs.DecodeEnvelope(body)
		if err != nil {
			t.Fatal(err)
		}
		m, err := env.Inbound()
		if err != nil {
			t.Fatal(err)
		}
		got[m.ProviderMessageID] = m
	}
	for _, want := range []helpdesk.InboundMessage{big, angle} {
		m := got[want.ProviderMessageID]
		key := helpdesk.BodyKey(want.DedupeScope(), want.ProviderMessageID)
		var kept helpdesk.Body
		if m == nil || m.BodyLocation != key || len(m.Text) > helpdesk.BodySnippetMax || json.Unmarshal(b[key], &kept) != nil || kept.Text != want.Text {
			t.Fatalf("%s: queued %v, bucket %d bytes; want a snippet pointing at the whole body under %s", want.ProviderMessageID, m != nil, len(b[key]), key)
		}
	}
	if m := got["s2"]; m == nil || m.BodyLocation != "" || m.Text != "hello" || len(b) != 2 {
		t.Fatalf("small message queued as %+v (bucket %d objects), want it whole", m, len(b))
	}
}
