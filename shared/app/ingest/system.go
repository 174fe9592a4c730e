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

// This file applies a provider's notice about the customer
// (InboundMessage.System, e.g. WhatsApp's "user changed number"): not a
// customer message, so no ticket is opened or reopened for it. The notice
// becomes a note on the customer's conversation, and the contact takes the
// new identity (a lookup key for the new number or BSUID, so the next
// message finds the same contact and the same ticket), in one transaction.

// Reasons of a system notice (Result.Reason).
const (
	ReasonSystemNote      = "system_note"       // noted on the conversation (and the contact updated)
	ReasonSystemNoContact = "system_no_contact" // about a sender never seen: nothing to update
)

func (s *Service) applySystem(ctx context.Context, m *helpdesk.InboundMessage) (Result, error) {
	attempts := s.MaxAttempts
	if attempts <= 0 {
		attempts = 8
	}
	var lastErr error
	for attempt := range attempts {
		if attempt > 0 {
			if err := retry.Backoff(ctx, attempt, 10*time.Millisecond); err != nil {
				return Result{}, err
			}
		}
		res, err := s.applySystemOnce(ctx, m)
		switch {
		case err == nil:
			res.Attempts = attempt + 1
			s.Log.InfoContext(ctx, "system notice applied", "channel", m.ChannelID, "message_id", m.ProviderMessageID,
				"kind", m.System.Kind, "ticket_id", res.TicketID, "reason", res.Reason, "duplicate", res.Duplicate)
			return res, nil
		case ticket.Lost(err):
			lastErr = err
		default:
			return Result{}, fmt.Errorf("apply system notice %s/%s: %w", m.ChannelID, m.ProviderMessageID, err)
		}
	}
	return Result{}, fmt.Errorf("apply system notice %s/%s: gave up after %d attempts: %w", m.ChannelID, m.ProviderMessageID, attempts, lastErr)
}

func (s *Service) applySystemOnce(ctx context.Context, m *helpdesk.InboundMessage) (Result, error) {
	dedupe := store.DedupeKey(m.DedupeScope(), m.ProviderMessageID)
	rec, err := s.Store.FindDedupe(ctx, dedupe)
	if err == nil {
		return Result{TicketID: rec.TicketID, MessageID: rec.MessageID, Duplicate: true, Reason: "duplicate"}, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return Result{}, err
	}
	senderKey := m.Sender.Key(m.Channel)
	contactID, err := s.Store.FindContactID(ctx, senderKey)
	if errors.Is(err, store.ErrNotFound) {
		// No contact, so no conversation either: nothing to note or update.
		return Result{Reason: ReasonSystemNoContact}, nil
	}
	if err != nil {
		return Result{}, err
	}
	contact, err := s.Store.GetContact(ctx, contactID)
	if err != nil {
		return Result{}, err
	}
	ev := m.System
	text := ev.Text

	// The new identity: a lookup key each, unless another contact has it
	// already (the customer wrote from the new number first); then the note
	// says so and that contact keeps it.
	moved := *m
	after := contact
	var keys []string
	claim := func(key string, apply func(c *helpdesk.Contact, snd *helpdesk.Sender)) error {
		owner, err := s.Store.FindContactID(ctx, key)
		switch {
		case errors.Is(err, store.ErrNotFound):
			keys = append(keys, key)
		case err != nil:
			return err
		case owner != contact.ID:
			text += "\n(" + key + " already belongs to another contact, which keeps it.)"
			return nil
		}
		apply(&after, &moved.Sender)
		return nil
	}
	if v := ev.NewWhatsAppID; v != "" {
		if err := claim(helpdesk.Sender{WhatsAppID: v}.Key(m.Channel), func(c *helpdesk.Contact, snd *helpdesk.Sender) {
			c.WhatsAppID, snd.WhatsAppID = v, v
		}); err != nil {
			return Result{}, err
		}
	}
	if v := ev.NewWhatsAppUserID; v != "" {
		if err := claim(helpdesk.Sender{WhatsAppUserID: v}.Key(m.Channel), func(c *helpdesk.Contact, snd *helpdesk.Sender) {
			c.WhatsAppUserID, snd.WhatsAppUserID = v, v
		}); err != nil {
			return Result{}, err
		}
	}
	msg := s.message(m)
	msg.Text = text
	msg.AuthorContactID = ""

	ch, err := s.Store.GetChannel(ctx, m.ChannelID)
	if err != nil {
		return Result{}, err
	}
	found, err := s.findThread(ctx, s.Threader.Thread(m), senderKey, ch)
	if err != nil {
		return Result{}, err
	}
	var c ticket.Change
	res := Result{MessageID: msg.ID, Reason: ReasonSystemNote}
	if found.ticket != nil {
		// The new identity's conversation leads to this ticket too.
		var convKeys []string
		if len(keys) > 0 {
			convKeys = without(s.Threader.Thread(&moved).Own, found.key)
		}
		if c, err = ticket.SystemNote(*found.ticket, msg, convKeys, s.Now()); err != nil {
			return Result{}, err
		}
		res.TicketID = found.ticket.ID
	}
	if len(keys) > 0 || after != contact {
		after.Version = contact.Version + 1
		c.ContactUpdate = &ticket.ContactUpdate{Before: contact, After: after, Keys: keys}
	}
	if len(c.Tickets) == 0 && c.ContactUpdate == nil {
		return Result{Reason: ReasonSystemNoContact}, nil // no conversation, nothing new: nothing to write
	}
	c.Dedupe = &ticket.Dedupe{Key: dedupe, TicketID: res.TicketID, MessageID: msg.ID}
	if err := s.Store.Commit(ctx, c); err != nil {
		return Result{}, err
	}
	return res, nil
}

// RawSubmissionKey is where a message keeps its provider payload
// (InboundMessage.Raw): kinds rendered as text, and kinds not supported yet.
const RawSubmissionKey = "raw"

// withRaw returns sub with the raw payload added (a copy: the inbound
// message keeps its own map).
func withRaw(sub map[string]string, raw []byte) map[string]string {
	if len(raw) == 0 {
		return sub
	}
	out := make(map[string]string, len(sub)+1)
	for k, v := range sub {
		out[k] = v
	}
	out[RawSubmissionKey] = string(raw)
	return out
}
