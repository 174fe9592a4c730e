package send

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// fakeFiles holds files of the given sizes and records the limits asked.
type fakeFiles struct {
	sizes  map[string]int64
	err    error
	limits []int64
}

func (f *fakeFiles) Read(_ context.Context, key string, limit int64) ([]byte, error) {
	f.limits = append(f.limits, limit)
	n, ok := f.sizes[key]
	switch {
	case f.err != nil:
		return nil, f.err
	case !ok:
		return nil, fmt.Errorf("%w: %s", helpdesk.ErrNotFound, key)
	case n > limit:
		return nil, helpdesk.Errorf(helpdesk.ETooLarge, "file_too_large", "%s is over %d bytes", key, limit)
	}
	return make([]byte, n), nil
}

func TestReplyAttachments(t *testing.T) {
	const mb = 1 << 20
	ctx := context.Background()
	files := &fakeFiles{sizes: map[string]int64{"a": 20 * mb, "b": 10 * mb, "c": 1}}
	s := &Sender{Files: files}
	att := func(keys ...string) []helpdesk.Attachment {
		var out []helpdesk.Attachment
		for _, k := range keys {
			out = append(out, helpdesk.Attachment{Name: k + ".pdf", ContentType: "application/pdf", Key: k})
		}
		return out
	}

	got, err := s.attachments(ctx, att("a", "b"))
	if err != nil || len(got) != 2 || len(got[0].Data) != 20*mb || got[1].Name != "b.pdf" {
		t.Fatalf("30 MB in all: %d attachments, %v", len(got), err)
	}
	// Each read may take what the earlier ones left of the 30 MB.
	if want := []int64{30 * mb, 10 * mb}; fmt.Sprint(files.limits) != fmt.Sprint(want) {
		t.Errorf("limits asked %v, want %v", files.limits, want)
	}

	for _, tc := range []struct {
		keys   []string
		reason string
	}{
		{[]string{"a", "b", "c"}, "attachments_too_large"}, // one byte over
		{[]string{"c", "gone"}, "attachment_missing"},
	} {
		_, err := s.attachments(ctx, att(tc.keys...))
		if !helpdesk.IsCode(err, helpdesk.EInvalid) || helpdesk.ErrorReason(err) != tc.reason {
			t.Errorf("%v: %v, want invalid (%s): not sendable, not retried", tc.keys, err, tc.reason)
		}
	}

	// A store that does not answer is worth a retry.
	files.err = errors.New("connection reset")
	if _, err := s.attachments(ctx, att("c")); err == nil || helpdesk.IsCode(err, helpdesk.EInvalid) {
		t.Errorf("transient read failure: %v, want a retryable error", err)
	}
}
