package webhook

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// This file keeps what Meta sends for a page or number this stack does not
// serve out of the ingest queue: such messages used to fail five times in
// the router and raise the DLQ alarm for something that is not an error.
// The webhook checks each channel (cached briefly), logs and counts what it
// set aside, and keeps the delivery in the bucket for redrive.

// RawWriter keeps a delivery's raw body (s3files.Bucket).
type RawWriter interface {
	Write(ctx context.Context, key, contentType string, data []byte) error
}

// UnknownChannelPrefix is where deliveries for unknown channels are kept:
// unknown-channel/<UTC date>/<sha256 of the body>.json.
const UnknownChannelPrefix = "unknown-channel/"

// DefaultChannelTTL is how long the webhook trusts what it read of a channel.
const DefaultChannelTTL = 30 * time.Second

type channelSeen struct {
	known    bool
	disabled bool // served, but taking no new messages (its replies' receipts still apply)
	at       time.Time
}

// channelCache remembers, per channel id, whether this stack serves it.
type channelCache struct {
	mu   sync.Mutex
	seen map[string]channelSeen
}

// UnknownChannels is what a delivery carried for channels not served here.
type UnknownChannels struct {
	ChannelIDs []string
	Messages   int
	Statuses   int
}

// served reports whether the channel exists and is of this webhook's kind,
// and whether an admin disabled it. A read that fails is an error (Meta
// retries), never "unknown".
func (h *Meta) served(ctx context.Context, id string) (channelSeen, error) {
	now := time.Now()
	if h.Now != nil {
		now = h.Now()
	}
	ttl := h.ChannelTTL
	if ttl <= 0 {
		ttl = DefaultChannelTTL
	}
	h.channels.mu.Lock()
	s, ok := h.channels.seen[id]
	h.channels.mu.Unlock()
	if ok && now.Sub(s.at) < ttl {
		return s, nil
	}
	ch, err := h.Channels.GetChannel(ctx, id)
	s = channelSeen{known: err == nil && ch.Kind == h.Kind, at: now}
	s.disabled = s.known && ch.Disabled
	if err != nil && !helpdesk.IsCode(err, helpdesk.ENotFound) {
		return channelSeen{}, &wrapped{helpdesk.Errorf(helpdesk.EUnavailable, "channel_unavailable", "channel settings could not be read; retry later"), err}
	}
	h.channels.mu.Lock()
	if h.channels.seen == nil || len(h.channels.seen) > 10_000 {
		h.channels.seen = map[string]channelSeen{} // bounded: ids come from signed bodies, still
	}
	h.channels.seen[id] = s
	h.channels.mu.Unlock()
	return s, nil
}

// setAsideUnknown removes the messages and statuses of channels this stack
// does not serve, and the messages of a disabled channel (which takes no new
// messages; the receipts of its earlier replies still apply); without a
// channel reader everything is kept.
func (h *Meta) setAsideUnknown(ctx context.Context, msgs []helpdesk.InboundMessage, statuses []jobs.StatusUpdate) ([]helpdesk.InboundMessage, []jobs.StatusUpdate, UnknownChannels, error) {
	var u UnknownChannels
	if h.Channels == nil {
		return msgs, statuses, u, nil
	}
	verdict := map[string]channelSeen{}
	listed := map[string]bool{}
	check := func(id string, message bool) (bool, error) {
		k, ok := verdict[id]
		if !ok {
			var err error
			if k, err = h.served(ctx, id); err != nil {
				return false, err
			}
			verdict[id] = k
		}
		serve := k.known && (!message || !k.disabled)
		if !serve && !listed[id] {
			listed[id] = true
			u.ChannelIDs = append(u.ChannelIDs, id)
		}
		return serve, nil
	}
	keptMsgs := msgs[:0:0]
	for _, m := range msgs {
		ok, err := check(m.ChannelID, true)
		if err != nil {
			return nil, nil, u, err
		}
		if !ok {
			u.Messages++
			continue
		}
		keptMsgs = append(keptMsgs, m)
	}
	keptStatuses := statuses[:0:0]
	for _, s := range statuses {
		ok, err := check(s.ChannelID, false)
		if err != nil {
			return nil, nil, u, err
		}
		if !ok {
			u.Statuses++
			continue
		}
		keptStatuses = append(keptStatuses, s)
	}
	slices.Sort(u.ChannelIDs)
	return keptMsgs, keptStatuses, u, nil
}

// keepUnknown stores the delivery for redrive and logs what was set aside.
// Failing to store it is retryable: Meta sends the delivery again.
func (h *Meta) keepUnknown(ctx context.Context, body []byte, u UnknownChannels) (string, error) {
	key := ""
	if h.Unknown != nil {
		now := time.Now()
		if h.Now != nil {
			now = h.Now()
		}
		sum := sha256.Sum256(body)
		key = UnknownChannelPrefix + now.UTC().Format("2006-01-02") + "/" + hex.EncodeToString(sum[:]) + ".json"
		if err := h.Unknown.Write(ctx, key, "application/json", body); err != nil {
			return "", &wrapped{helpdesk.Errorf(helpdesk.EUnavailable, "store_failed", "the delivery could not be kept; retry later"), err}
		}
	}
	h.logUnknown(ctx, u, key)
	return key, nil
}

// logUnknown logs what a delivery kept at key carried for channels not
// served here.
func (h *Meta) logUnknown(ctx context.Context, u UnknownChannels, key string) {
	h.Log.WarnContext(ctx, "meta delivery for a channel not served here", "channel", h.Kind,
		"unknown_channels", u.ChannelIDs, "unknown_messages", u.Messages, "unknown_statuses", u.Statuses,
		slog.String("raw_key", key))
}
