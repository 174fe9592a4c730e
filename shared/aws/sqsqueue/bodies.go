package sqsqueue

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// MaxInlineMessage bounds the encoded inbound message put on the queue.
// SQS takes 256 KiB per message on a queue created with the historical
// default (1 MiB at most) and 256 KiB per batch; a webhook accepts up to
// 1 MiB (Meta) and a mail can be larger, and JSON encoding can grow text
// sixfold (<, >, & become \u003c...). A larger message has its body moved
// to the bucket first and carries its key (body_location) and a snippet.
const MaxInlineMessage = 192 << 10

// Bodies keeps the bodies of messages too large to queue (s3files.Bucket).
type Bodies interface {
	Write(ctx context.Context, key, contentType string, data []byte) error
}

// inbound is m's entry, its body moved to the bucket when the message is
// too large to queue whole (m itself is left as it is).
func (q *Ingest) inbound(ctx context.Context, m *helpdesk.InboundMessage) (entry, error) {
	e, err := inboundEntry(m)
	if err != nil || len(e.body) <= MaxInlineMessage || q.Bodies == nil {
		return e, err
	}
	c := *m
	body, moved := c.MoveBody()
	if !moved {
		return e, nil // no body to move: SQS decides
	}
	data, err := json.Marshal(body)
	if err != nil {
		return entry{}, fmt.Errorf("encode body of %s/%s: %w", m.ChannelID, m.ProviderMessageID, err)
	}
	if err := q.Bodies.Write(ctx, c.BodyLocation, "application/json", data); err != nil {
		return entry{}, fmt.Errorf("%w: keep body of %s/%s: %w", ErrUnavailable, m.ChannelID, m.ProviderMessageID, err)
	}
	return inboundEntry(&c)
}
