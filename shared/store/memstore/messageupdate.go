package memstore

import (
	"context"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
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

// A change's revisions of stored messages (ticket.Revision), as
// store.Commit writes them.

// revisionKeys are the table keys of the messages c revises.
func revisionKeys(c ticket.Change) []string {
	keys := make([]string, 0, len(c.Revisions))
	for _, r := range c.Revisions {
		keys = append(keys, "TICKET#"+r.After.TicketID+"/MSG#"+sortKey(r.After.CreatedAt, r.After.ID))
	}
	return keys
}

// revisedSince reports a message revised (or gone) since c's decision read it.
func (s *Store) revisedSince(c ticket.Change) bool {
	for _, r := range c.Revisions {
		cur, ok := s.message(r.After.TicketID, r.After.CreatedAt, r.After.ID)
		if !ok || cur.Revision != r.Before.Revision {
			return true
		}
	}
	return false
}

// applyRevisions writes what a revision changes of a message (its text,
// previous texts, edit time, reactions and revision) and nothing else.
func (s *Store) applyRevisions(c ticket.Change) {
	for _, r := range c.Revisions {
		cur, _ := s.message(r.After.TicketID, r.After.CreatedAt, r.After.ID)
		cur.Text, cur.Edits, cur.Reactions, cur.Revision = r.After.Text, r.After.Edits, r.After.Reactions, r.Before.Revision+1
		if !r.After.EditedAt.IsZero() {
			cur.EditedAt = r.After.EditedAt.UTC()
		}
		s.conversations[r.After.TicketID].messages[sortKey(r.After.CreatedAt, r.After.ID)] = cur
	}
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
