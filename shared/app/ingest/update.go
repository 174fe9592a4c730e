package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/platform/retry"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// MessageUpdates finds stored messages by their provider ids and applies
// what happens to them afterwards: customers' edits and reactions, and
// delivery watermarks over a conversation.
type MessageUpdates interface {
	FindMessage(ctx context.Context, channelID, dedupeScope, providerMessageID string) (helpdesk.MessageRef, error)
	GetMessage(ctx context.Context, ref helpdesk.MessageRef) (helpdesk.Message, error)
	ReviseMessage(ctx context.Context, before, after helpdesk.Message) error
	AdvanceMessageStatus(ctx context.Context, ref helpdesk.MessageRef, r helpdesk.StatusReport) (helpdesk.Message, bool, error)
	Timeline(ctx context.Context, t helpdesk.Ticket, q helpdesk.TimelineQuery) ([]helpdesk.TimelineEntry, string, error)
}

// Reasons of the Results of message updates.
const (
	ReasonEdit          = "edit"
	ReasonReaction      = "reaction"
	ReasonUpdateUnknown = "update_of_unknown_message"
)

// applyUpdate applies a customer's edit of, or reaction to, a message
// already stored (theirs, or one of ours they reacted to) as the ticket
// model decides it (ticket.Revise), conditioned on the message's revision.
// It is idempotent: a redelivered update changes nothing. An update of a
// message we do not know (older than the dedupe records' 30 days, or of a
// deleted ticket) is logged and dropped: there is nothing to show it on.
func (s *Service) applyUpdate(ctx context.Context, m *helpdesk.InboundMessage) (Result, error) {
	u := *m.Update
	reason := ReasonReaction
	if u.Kind == helpdesk.UpdateEdit {
		reason = ReasonEdit
	}
	log := s.Log.With("channel", m.ChannelID, "update", u.Kind, "target", u.Target)
	ref, err := s.Store.FindMessage(ctx, m.ChannelID, m.DedupeScope(), u.Target)
	if errors.Is(err, store.ErrNotFound) {
		log.WarnContext(ctx, "update of a message we do not know, dropped")
		return Result{Duplicate: true, Reason: ReasonUpdateUnknown}, nil
	}
	if err != nil {
		return Result{}, fmt.Errorf("apply %s of %s: %w", u.Kind, u.Target, err)
	}
	res := Result{TicketID: ref.TicketID, MessageID: ref.MessageID, Reason: reason}
	by := m.Sender.Key(m.Channel)
	attempts := max(s.MaxAttempts, 8)
	for attempt := range attempts {
		if attempt > 0 {
			if err := retry.Backoff(ctx, attempt, 10*time.Millisecond); err != nil {
				return Result{}, err
			}
		}
		before, err := s.Store.GetMessage(ctx, ref)
		if errors.Is(err, store.ErrNotFound) {
			log.WarnContext(ctx, "update of a message no longer stored, dropped", "ticket_id", ref.TicketID)
			return Result{Duplicate: true, Reason: ReasonUpdateUnknown}, nil
		}
		if err != nil {
			return Result{}, fmt.Errorf("apply %s of %s: %w", u.Kind, u.Target, err)
		}
		after, changed := ticket.Revise(before, u, by, m.ReceivedAt)
		if !changed {
			res.Duplicate, res.Attempts = true, attempt+1
			return res, nil
		}
		err = s.Store.ReviseMessage(ctx, before, after)
		if errors.Is(err, store.ErrVersionChanged) {
			continue // another update got there first: read again, decide again
		}
		if err != nil {
			return Result{}, fmt.Errorf("apply %s of %s: %w", u.Kind, u.Target, err)
		}
		res.Attempts = attempt + 1
		log.InfoContext(ctx, "message updated", "ticket_id", ref.TicketID, "message_id", ref.MessageID)
		return res, nil
	}
	return Result{}, fmt.Errorf("apply %s of %s: gave up after %d attempts: %w", u.Kind, u.Target, attempts, store.ErrVersionChanged)
}
