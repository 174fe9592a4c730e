package media_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"

	"github.com/stackdesk/stackdesk/shared/channel/meta/media"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// sizeOnly is a bucket that answers Size and must not be written to.
type sizeOnly struct {
	size int64
	err  error
}

func (f sizeOnly) Size(context.Context, string) (int64, error) { return f.size, f.err }

func (f sizeOnly) Write(context.Context, string, string, []byte) error {
	return errors.New("unexpected write")
}

// What the bucket answers decides before Meta is asked: a kept file is
// reused, a bucket that does not answer retries the message. (No Graph
// client: asking Meta would panic.)
func TestBucketAnswersComeFirst(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	att := func() *helpdesk.InboundMessage {
		return message(helpdesk.Attachment{Name: "image", ContentType: "image/jpeg", Key: media.KeyPrefix + "m1"})
	}

	kept := att()
	w := &media.WhatsApp{Files: sizeOnly{size: 42}, Tokens: tokens{channel: token}, Log: log}
	if err := w.Fetch(context.Background(), kept); err != nil {
		t.Fatal(err)
	}
	if a := kept.Attachments[0]; a.Key != media.Key(channel, "m1") || a.Size != 42 {
		t.Fatalf("kept file: %+v", a)
	}

	down := att()
	w.Files = sizeOnly{err: fmt.Errorf("s3://mail/x: %w", errors.New("connection reset"))}
	if err := w.Fetch(context.Background(), down); err == nil || down.Attachments[0].Note != "" {
		t.Fatalf("bucket down: %v, %+v; want an error so the message is retried", err, down.Attachments[0])
	}
}
