package webhook

import (
	"context"
	"time"

	"github.com/stackdesk/stackdesk/shared/channel/form"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// SubmissionClaims records which submission first sent a content
// fingerprint (store.Store.ClaimSubmission).
type SubmissionClaims interface {
	// ClaimSubmission gives key to id until until unless another id holds
	// it unexpired at now, and returns the holder.
	ClaimSubmission(ctx context.Context, key, id string, now, until time.Time) (string, error)
}

// DefaultDedupeWindow is how long an identical submission without an
// idempotency key counts as a resend of the first.
const DefaultDedupeWindow = 10 * time.Minute

// dedupe gives a submission sent without an idempotency key the id of an
// identical one (same channel, sender and content) sent within the window,
// so a client that retries after a time-out gets one ticket: the resend
// is queued again under the first id, which SQS's and the router's dedupe
// make harmless, and which also covers a first send whose enqueue failed
// after its claim. The window slides from the first submission (a
// conditional write with a TTL), so there is no bucket edge to straddle.
// If the claim cannot be made the submission goes on with its own id: a
// possible duplicate ticket is better than refusing a customer.
func (f *Forms) dedupe(ctx context.Context, m *helpdesk.InboundMessage) {
	if f.Submissions == nil {
		return
	}
	window := f.DedupeWindow
	if window <= 0 {
		window = DefaultDedupeWindow
	}
	now := f.Now()
	holder, err := f.Submissions.ClaimSubmission(ctx, form.Fingerprint(m), m.ProviderMessageID, now, now.Add(window))
	if err != nil {
		f.Log.WarnContext(ctx, "form submission not checked for a resend", "channel", m.ChannelID, "error", err)
		return
	}
	if holder != m.ProviderMessageID {
		f.Log.InfoContext(ctx, "form submission resent without an idempotency key, same submission", "channel", m.ChannelID,
			"message_id", holder)
		m.ProviderMessageID = holder
	}
}
