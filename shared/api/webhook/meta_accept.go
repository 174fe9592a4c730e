package webhook

import (
	"context"

	"github.com/stackdesk/stackdesk/shared/channel/meta"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// This file is what the Meta webhook does with a delivery once its
// signature is checked: Sort it (decode, set aside what is for channels
// not served here), then Accept it (keep what was set aside, queue the
// rest). The redrive of kept deliveries (redrive.go, `make redrive`) runs
// the same path, so a redriven delivery is taken exactly as a new one.

// Sorted is a delivery decoded and sorted by whether this stack serves
// the channels it names.
type Sorted struct {
	Decoded  bool                      // the body was this product's (else the error says why)
	Messages []helpdesk.InboundMessage // for channels served here: to queue
	Statuses []jobs.StatusUpdate
	Echoes   int
	Skipped  []meta.Skipped
	Aside    UnknownChannels // what is for channels not served here (or messages for disabled ones)
}

// MetaAccepted is what (*Meta).Accept did with a delivery.
type MetaAccepted struct {
	Sorted
	KeptAt   string // where the delivery is kept for redrive; "" when nothing was set aside
	Enqueued int    // how many messages and statuses were queued
}

// Sort decodes a delivery whose signature was checked and sets aside what
// is for channels not served here. It reads channels and writes nothing.
// A body of another product is EInvalid (Decoded false); a channel read
// that fails is retryable.
func (h *Meta) Sort(ctx context.Context, body []byte) (Sorted, error) {
	var s Sorted
	batch, err := h.decoder()(body)
	if err != nil {
		return s, err
	}
	s.Decoded, s.Echoes = true, batch.Echoes
	statuses, unknown := h.statusUpdates(batch.Statuses)
	s.Skipped = append(batch.Skipped, unknown...)
	s.Messages, s.Statuses, s.Aside, err = h.setAsideUnknown(ctx, batch.Messages, statuses)
	return s, err
}

// Accept takes a delivery whose signature was checked: it sorts it, keeps
// it in the bucket if anything was set aside, and queues the rest. Any
// failure after decoding is retryable (Meta redelivers; the queue and the
// router dedupe). keptAt is "" for a new delivery; a delivery redriven
// from the bucket passes the key it is kept at, so what is still set aside
// stays there rather than being kept again.
func (h *Meta) Accept(ctx context.Context, body []byte, keptAt string) (MetaAccepted, error) {
	var a MetaAccepted
	var err error
	if a.Sorted, err = h.Sort(ctx, body); err != nil {
		return a, err
	}
	if len(a.Aside.ChannelIDs) > 0 {
		if keptAt == "" {
			if keptAt, err = h.keepUnknown(ctx, body, a.Aside); err != nil {
				return a, err
			}
		} else {
			h.logUnknown(ctx, a.Aside, keptAt)
		}
		a.KeptAt = keptAt
	}
	if a.Enqueued, err = h.enqueue(ctx, a.Messages, a.Statuses); err != nil {
		return a, err
	}
	h.Log.InfoContext(ctx, "meta delivery queued", a.logAttrs(h.Kind)...)
	return a, nil
}

// logAttrs says in a log line what a delivery held and what became of it.
func (a MetaAccepted) logAttrs(kind helpdesk.ChannelKind) []any {
	attrs := []any{"channel", kind, "messages", len(a.Messages), "statuses", len(a.Statuses),
		"echoes", a.Echoes, "skipped", len(a.Skipped), "unknown_channel", a.Aside.Messages + a.Aside.Statuses,
		"enqueued", a.Enqueued}
	if a.KeptAt != "" {
		attrs = append(attrs, "raw_key", a.KeptAt)
	}
	if len(a.Skipped) > 0 {
		attrs = append(attrs, skippedCounts(a.Skipped))
	}
	return attrs
}
