package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/app/audience"
	"github.com/stackdesk/stackdesk/shared/app/outbox"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/platform/retry"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// MessageUpdates finds stored messages by their provider ids and applies
// what happens to them afterwards: customers' edits and reactions (written
// with Tickets.Commit, as the ticket model decides them), and delivery
// watermarks over a conversation.
type MessageUpdates interface {
	FindMessage(ctx context.Context, channelID, dedupeScope, providerMessageID string) (helpdesk.MessageRef, error)
	GetMessage(ctx context.Context, ref helpdesk.MessageRef) (helpdesk.Message, error)
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
// model decides it (ticket.Revise): the message revised, and for an edit
// the ticket that shows it unread and its watchers told, in one commit
// conditioned on the message's revision and the ticket's version; a lost
// race is read and decided again. It is idempotent: a redelivered update
// changes nothing. An update of a message we do not know (older than the
// dedupe records' 30 days, or of a deleted ticket) is logged and dropped:
// there is nothing to show it on.
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
	var lastErr error
	for attempt := range attempts {
		if attempt > 0 {
			if err := retry.Backoff(ctx, attempt, 10*time.Millisecond); err != nil {
				return Result{}, err
			}
		}
		c, err := s.reviseOnce(ctx, ref, u, by, m.ReceivedAt)
		switch {
		case errors.Is(err, store.ErrNotFound):
			log.WarnContext(ctx, "update of a message no longer stored, dropped", "ticket_id", ref.TicketID)
			return Result{Duplicate: true, Reason: ReasonUpdateUnknown}, nil
		case errors.Is(err, ticket.ErrNoChange):
			res.Duplicate, res.Attempts = true, attempt+1
			return res, nil
		case ticket.Lost(err):
			lastErr = err
			continue // another change got there first: read again, decide again
		case err != nil:
			return Result{}, fmt.Errorf("apply %s of %s: %w", u.Kind, u.Target, err)
		}
		res.Attempts = attempt + 1
		if t := c.Ticket(); t != nil {
			res.TicketID = t.ID // the ticket told: the one the message's was merged into
			if err := outbox.Flush(ctx, s.Store, s.Outbound, t.ID, c.Jobs); err != nil {
				return res, fmt.Errorf("apply %s of %s: %w", u.Kind, u.Target, err)
			}
		}
		log.InfoContext(ctx, "message updated", "ticket_id", res.TicketID, "message_id", ref.MessageID, "ticket_changed", c.Ticket() != nil)
		return res, nil
	}
	return Result{}, fmt.Errorf("apply %s of %s: gave up after %d attempts: %w", u.Kind, u.Target, attempts, lastErr)
}

// reviseOnce reads the message and the ticket that shows it, asks the
// model, and commits what it decided. ErrNotFound when the message or its
// ticket is gone.
func (s *Service) reviseOnce(ctx context.Context, ref helpdesk.MessageRef, u helpdesk.MessageUpdate, by string, at time.Time) (ticket.Change, error) {
	before, err := s.Store.GetMessage(ctx, ref)
	if err != nil {
		return ticket.Change{}, err
	}
	t, err := s.showing(ctx, ref.TicketID)
	if err != nil {
		return ticket.Change{}, err
	}
	var aud ticket.Audience
	if u.Kind == helpdesk.UpdateEdit {
		// Only an edit can tell anyone: a reaction reads no agents.
		if aud, err = audience.Read(ctx, s.Store, t, nil); err != nil {
			return ticket.Change{}, err
		}
	}
	c, err := ticket.Revise(t, before, u, by, at, aud, s.Now())
	if err != nil {
		return ticket.Change{}, err
	}
	return c, s.Store.Commit(ctx, c)
}

// showing reads ticket id, or the ticket it was merged into (however many
// merges on): the one whose conversation shows id's messages now.
func (s *Service) showing(ctx context.Context, id string) (helpdesk.Ticket, error) {
	seen := map[string]bool{}
	for {
		t, err := s.Store.GetTicketHeader(ctx, id)
		if err != nil || t.State != helpdesk.StateMerged || t.MergedInto == "" {
			return t, err
		}
		if seen[t.ID] {
			return t, fmt.Errorf("ticket %s: merged in a loop", t.ID) // no merge can make one
		}
		seen[t.ID], id = true, t.MergedInto
	}
}
