package receive

import (
	"context"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/channel/email"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Filtered records the mail that never becomes a ticket (store.Store), so
// it stays findable: the agent API lists it and can make it a ticket.
type Filtered interface {
	// RecordFiltered records one filtered mail; recording the same mail
	// again (same received time and SES id) changes nothing.
	RecordFiltered(ctx context.Context, m helpdesk.FilteredMail) error
}

// filtered describes mail that stops here: why (kind and reason), who
// sent it and what about (when it was parsed), and where the raw mail is.
func (h *Handler) filtered(d Delivery, key, channelID string, p *email.Parsed, kind, reason string) helpdesk.FilteredMail {
	received := d.Timestamp.UTC()
	if received.IsZero() {
		received = h.now().UTC()
	}
	f := helpdesk.FilteredMail{SESMessageID: d.ID, ReceivedAt: received, Kind: kind, Reason: reason, ChannelID: channelID,
		Recipients: lower(d.Recipients), RawKey: key, RawLocation: h.Files.Location(key),
		ExpiresAt: received.Add(helpdesk.FilteredRetention)}
	if p != nil {
		f.Sender, f.Subject, f.MessageID = p.From, p.Subject, p.MessageID
	}
	f.Bound()
	return f
}

// filter records f. A failure fails the event, so Lambda delivers it
// again: recording is idempotent.
func (h *Handler) filter(ctx context.Context, f helpdesk.FilteredMail) error {
	if h.Filtered == nil {
		return nil // nowhere to record (a handler built without the table)
	}
	if err := h.Filtered.RecordFiltered(ctx, f); err != nil {
		return fmt.Errorf("record filtered mail %s (%s): %w", f.SESMessageID, f.Kind, err)
	}
	return nil
}

// filterNoChannel records mail sent to no channel of the tenant, with its
// sender and subject when the raw mail can be read (best effort: the
// record matters more than what it says).
func (h *Handler) filterNoChannel(ctx context.Context, d Delivery, key string) error {
	var p *email.Parsed
	if raw, err := h.Files.Read(ctx, key, maxRawSize); err == nil {
		p, _ = email.Parse(raw, email.Options{Tenant: h.Tenant})
	}
	return h.filter(ctx, h.filtered(d, key, "", p, helpdesk.FilteredNoChannel, "sent to no email channel of the desk"))
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}
