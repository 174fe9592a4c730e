package memstore

import (
	"context"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// This file tracks what becomes of our outbound messages once a provider
// has them.

// providerRef points a provider's id for one of our messages back at it.
type providerRef struct {
	ticketID, messageID string
	messageCreated      time.Time
}

func providerKey(channelID, providerMessageID string) string {
	return channelID + "#" + providerMessageID
}

// message returns the stored message at (ticketID, created, id).
func (s *Store) message(ticketID string, created time.Time, id string) (helpdesk.Message, bool) {
	c := s.conversations[ticketID]
	if c == nil {
		return helpdesk.Message{}, false
	}
	m, ok := c.messages[sortKey(created, id)]
	return m, ok
}

// SetMessageStatus moves an outbound message from one status to another
// (conditioned on from: a message that is not, or no longer, at from is
// ErrVersionChanged) and, when providerID is set, records it so delivery
// reports find the message; a provider id of another message is a conflict.
func (s *Store) SetMessageStatus(ctx context.Context, m helpdesk.Message, from, to helpdesk.MessageStatus, providerID, reason string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.message(m.TicketID, m.CreatedAt, m.ID)
	// The table compares a stored status: a message without one is at no status.
	if !ok || cur.Status == "" || cur.Status != from {
		return fmt.Errorf("set status of message %s: message %s is no longer %s: %w", m.ID, m.ID, from, store.ErrVersionChanged)
	}
	pk := providerKey(m.ChannelID, providerID)
	if ref, taken := s.providers[pk]; providerID != "" && taken && ref.messageID != m.ID {
		return fmt.Errorf("set status of message %s: %w", m.ID,
			helpdesk.Errorf(helpdesk.EConflict, "provider_id_taken", "provider id %s already belongs to another message", providerID))
	}
	cur.Status, cur.StatusReason, cur.StatusAt = to, reason, s.now().UTC()
	if providerID != "" {
		cur.ProviderMessageID = providerID
		s.providers[pk] = providerRef{ticketID: m.TicketID, messageID: m.ID, messageCreated: m.CreatedAt}
	}
	s.conversations[m.TicketID].messages[sortKey(m.CreatedAt, m.ID)] = cur
	return nil
}

// ApplyStatusReport moves the message a report names forward (never back:
// reports arrive out of order). It returns the message as it now is and
// whether the report changed it; ErrNotFound when no message of ours has
// that provider id.
func (s *Store) ApplyStatusReport(ctx context.Context, r helpdesk.StatusReport) (helpdesk.Message, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ref, ok := s.providers[providerKey(r.ChannelID, r.ProviderMessageID)]
	if !ok {
		return helpdesk.Message{}, false, fmt.Errorf("status report for %s: %w", r.ProviderMessageID, store.ErrNotFound)
	}
	m, changed, err := s.advance(helpdesk.MessageRef{TicketID: ref.ticketID, MessageID: ref.messageID, CreatedAt: ref.messageCreated}, r)
	if err != nil {
		return helpdesk.Message{}, false, fmt.Errorf("status report for %s: %w", r.ProviderMessageID, err)
	}
	return m, changed, nil
}
