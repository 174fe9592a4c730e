package testbed

import (
	"context"
	"fmt"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// MailBucket is an in-memory mail bucket named "mail", as SES leaves it: raw
// mail under its key (e.g. inbound/<SES id>), and the attachments kept. It
// keeps receive.Files' contract: helpdesk.ErrNotFound for a missing key, an
// ETooLarge error over the read limit.
type MailBucket map[string][]byte

// Read returns the data stored under key.
func (b MailBucket) Read(_ context.Context, key string, limit int64) ([]byte, error) {
	data, ok := b[key]
	if !ok {
		return nil, fmt.Errorf("%w: %s", helpdesk.ErrNotFound, key)
	}
	if int64(len(data)) > limit {
		return nil, helpdesk.Errorf(helpdesk.ETooLarge, "file_too_large", "%s is over %d bytes", key, limit)
	}
	return data, nil
}

// Write stores data under key.
func (b MailBucket) Write(_ context.Context, key, _ string, data []byte) error {
	b[key] = data
	return nil
}

// Location names key in the bucket: s3://mail/key.
func (MailBucket) Location(key string) string { return "s3://mail/" + key }
