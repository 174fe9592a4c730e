package memstore

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// This file holds what GDPR consent needs: messages held until a visitor
// agrees and the "consent asked" marker, both until an expiry the reads
// respect (the table's TTL deletes lazily, so its reads filter too).

// hold is what waits for one sender's consent on one channel.
type hold struct {
	messages map[string]heldMessage // by sort key: received time, then provider id
	asked    *askedMarker
}

type heldMessage struct {
	message   []byte // the InboundMessage JSON, as the DynamoDB store keeps it
	expiresAt int64  // Unix seconds
}

type askedMarker struct {
	askedAt   time.Time
	expiresAt int64
}

// holdKey names a sender on a channel the way the table's partition key
// does (one string, so the two stores agree on every pair).
func holdKey(channelID, senderKey string) string { return channelID + "#" + senderKey }

func (s *Store) hold(channelID, senderKey string) *hold {
	k := holdKey(channelID, senderKey)
	h := s.holds[k]
	if h == nil {
		h = &hold{messages: map[string]heldMessage{}}
		s.holds[k] = h
	}
	return h
}

// HoldMessage keeps m, unticketed, until until (a redelivery replaces it
// with itself).
func (s *Store) HoldMessage(ctx context.Context, m *helpdesk.InboundMessage, until time.Time) error {
	raw, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("hold %s: %w", m.ProviderMessageID, err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.hold(m.ChannelID, m.Sender.Key(m.Channel))
	h.messages[sortKey(m.ReceivedAt, m.ProviderMessageID)] = heldMessage{message: raw, expiresAt: until.Unix()}
	return nil
}

// HeldMessages returns the messages a sender has waiting on a channel,
// oldest first, leaving out those expired at now (to the second, as the
// table's TTL attribute is).
func (s *Store) HeldMessages(ctx context.Context, channelID, senderKey string, now time.Time) ([]helpdesk.InboundMessage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.holds[holdKey(channelID, senderKey)]
	if h == nil {
		return nil, nil
	}
	var out []helpdesk.InboundMessage
	for _, k := range slices.Sorted(maps.Keys(h.messages)) {
		held := h.messages[k]
		if held.expiresAt <= now.Unix() {
			continue
		}
		var m helpdesk.InboundMessage
		if err := json.Unmarshal(held.message, &m); err != nil {
			return nil, fmt.Errorf("held message %s: %w", k, err)
		}
		out = append(out, m)
	}
	return out, nil
}

// ReleaseHeld deletes everything held for a sender (messages and marker).
func (s *Store) ReleaseHeld(ctx context.Context, channelID, senderKey string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.holds, holdKey(channelID, senderKey))
	return nil
}

// ConsentAsked reports whether the sender was asked for consent and the
// question has not expired at now.
func (s *Store) ConsentAsked(ctx context.Context, channelID, senderKey string, now time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.holds[holdKey(channelID, senderKey)]
	return h != nil && h.asked != nil && h.asked.expiresAt > now.Unix(), nil
}

// MarkConsentAsked records that the sender was asked, until until.
func (s *Store) MarkConsentAsked(ctx context.Context, channelID, senderKey string, at, until time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hold(channelID, senderKey).asked = &askedMarker{askedAt: at.UTC(), expiresAt: until.Unix()}
	return nil
}
