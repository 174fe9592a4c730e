package memstore

import (
	"context"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
)

// This file finds a stored message by its provider id and applies what
// happens to it afterwards (see store/messageupdate.go).

// createdOf is when message id of msgs was created (zero if not there).
func createdOf(id string, msgs []helpdesk.Message) time.Time {
	for _, m := range msgs {
		if m.ID == id {
			return m.CreatedAt
		}
	}
	return time.Time{}
}

// FindMessage locates the message a provider knows by providerMessageID:
// one of ours, else one the customer sent (see store.FindMessage).
func (s *Store) FindMessage(ctx context.Context, channelID, dedupeScope, providerMessageID string) (helpdesk.MessageRef, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ref, ok := s.providers[providerKey(channelID, providerMessageID)]; ok {
		return helpdesk.MessageRef{TicketID: ref.ticketID, MessageID: ref.messageID, CreatedAt: ref.messageCreated}, nil
	}
	if d, ok := s.dedupes[store.DedupeKey(dedupeScope, providerMessageID)]; ok {
		return helpdesk.MessageRef{TicketID: d.ticketID, MessageID: d.messageID, CreatedAt: d.messageCreated}, nil
	}
	return helpdesk.MessageRef{}, fmt.Errorf("find message %s: %w", providerMessageID, store.ErrNotFound)
}

// GetMessage reads one message.
func (s *Store) GetMessage(ctx context.Context, ref helpdesk.MessageRef) (helpdesk.Message, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.message(ref.TicketID, ref.CreatedAt, ref.MessageID)
	if !ok {
		return helpdesk.Message{}, fmt.Errorf("message %s: %w", ref.MessageID, store.ErrNotFound)
	}
	return copyOf(m)
}

// ReviseMessage writes a customer's change to a message, conditioned on
// the revision read (see store.ReviseMessage).
func (s *Store) ReviseMessage(ctx context.Context, before, after helpdesk.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	cur, ok := s.message(after.TicketID, after.CreatedAt, after.ID)
	if !ok || cur.Revision != before.Revision {
		return fmt.Errorf("revise message %s: %w", after.ID, store.ErrVersionChanged)
	}
	cur.Text, cur.Edits, cur.Reactions, cur.Revision = after.Text, after.Edits, after.Reactions, before.Revision+1
	if !after.EditedAt.IsZero() {
		cur.EditedAt = after.EditedAt
	}
	c, err := copyOf(cur)
	if err != nil {
		return err
	}
	s.conversations[after.TicketID].messages[sortKey(after.CreatedAt, after.ID)] = c
	return nil
}

// AdvanceMessageStatus moves a message forward on a delivery report (see
// store.AdvanceMessageStatus).
func (s *Store) AdvanceMessageStatus(ctx context.Context, ref helpdesk.MessageRef, r helpdesk.StatusReport) (helpdesk.Message, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.advance(ref, r)
}

func (s *Store) advance(ref helpdesk.MessageRef, r helpdesk.StatusReport) (helpdesk.Message, bool, error) {
	m, ok := s.message(ref.TicketID, ref.CreatedAt, ref.MessageID)
	if !ok {
		return helpdesk.Message{}, false, fmt.Errorf("message %s: %w", ref.MessageID, store.ErrNotFound)
	}
	changed := m.Status.Advances(r.Status)
	if changed {
		m.Status, m.StatusReason, m.StatusAt = r.Status, r.Reason, r.At.UTC()
		s.conversations[ref.TicketID].messages[sortKey(ref.CreatedAt, ref.MessageID)] = m
	}
	out, err := copyOf(m)
	return out, changed, err
}
