package ingest

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// This file holds what a Messenger page's settings add to applying a
// message (seed 002): GDPR consent (explicit: hold until "I agree";
// implicit: recorded when the conversation starts), the greeting sent to a
// new visitor and the instant reply sent after the first message of a
// conversation.

// HoldFor is how long messages wait for consent before TTL deletes them.
const HoldFor = 7 * 24 * time.Hour

// Reasons for messages that were not ticketed (Result.Reason).
const (
	ReasonHeldForConsent = "held_for_consent"
	ReasonConsentGiven   = "consent_given"
)

// Thread reasons of automatic outbound messages.
const (
	ReasonGreeting     = ticket.ReasonGreeting
	ReasonInstantReply = ticket.ReasonInstantReply
)

func explicitConsent(ch helpdesk.Channel) bool {
	return ch.Messenger != nil && ch.Messenger.Consent == helpdesk.ConsentExplicit
}

func isConsentAcceptance(m *helpdesk.InboundMessage) bool {
	return m.Channel == helpdesk.ChannelMessenger && m.Submission["quick_reply"] == helpdesk.ConsentAcceptPayload
}

// needsConsent reports whether m must be held: the page asks for explicit
// consent and the sender has not given it.
func (s *Service) needsConsent(ctx context.Context, ch helpdesk.Channel, a *author, newContact bool) (bool, error) {
	if !explicitConsent(ch) {
		return false, nil
	}
	if newContact {
		return true, nil
	}
	c, err := a.get(ctx)
	if err != nil {
		return false, err
	}
	return c.Consent == nil, nil
}

// hold keeps m until the sender agrees and, the first time, asks them.
// The question is published before it is marked asked: a crash in between
// asks twice rather than never.
func (s *Service) hold(ctx context.Context, m *helpdesk.InboundMessage, ch helpdesk.Channel) (Result, error) {
	now := s.Now()
	if err := s.Store.HoldMessage(ctx, m, m.ReceivedAt.Add(HoldFor)); err != nil {
		return Result{}, err
	}
	key := m.Sender.Key(m.Channel)
	asked, err := s.Store.ConsentAsked(ctx, ch.ID, key, now)
	if err != nil {
		return Result{}, err
	}
	if !asked {
		if s.Outbound == nil {
			return Result{}, fmt.Errorf("consent prompt for %s: no outbound publisher configured", ch.ID)
		}
		p := ch.Messenger
		label := p.AgreeLabel
		if label == "" {
			label = helpdesk.DefaultAgreeLabel
		}
		body, err := jobs.Encode(jobs.KindConsentPrompt, jobs.ConsentPrompt{
			ChannelID: ch.ID, PSID: m.Sender.PSID, Greeting: p.Greeting, Text: p.ConsentText,
			AgreeLabel: label, Payload: helpdesk.ConsentAcceptPayload,
		})
		if err != nil {
			return Result{}, err
		}
		if err := s.Outbound.Publish(ctx, string(body)); err != nil {
			return Result{}, fmt.Errorf("consent prompt for %s: %w", ch.ID, err)
		}
		if err := s.Store.MarkConsentAsked(ctx, ch.ID, key, now, now.Add(HoldFor)); err != nil {
			return Result{}, err
		}
	}
	s.Log.InfoContext(ctx, "message held for consent", "channel", ch.ID, "message_id", m.ProviderMessageID, "asked_before", asked)
	return Result{Reason: ReasonHeldForConsent}, nil
}

// acceptConsent records the consent on the contact (creating it: nothing
// about the visitor was kept before) and turns what they sent while
// waiting into their ticket, in order. Redelivery is safe: the held
// messages are deduplicated like any other, and released only once applied.
func (s *Service) acceptConsent(ctx context.Context, m *helpdesk.InboundMessage, ch helpdesk.Channel) (Result, error) {
	key := m.Sender.Key(m.Channel)
	consent := helpdesk.Consent{Mode: helpdesk.ConsentExplicit, ChannelID: ch.ID, Text: ch.Messenger.ConsentText,
		At: m.ReceivedAt.UTC(), MessageID: m.ProviderMessageID}
	if err := s.recordConsent(ctx, m, key, consent); err != nil {
		return Result{}, fmt.Errorf("consent from %s: %w", m.ProviderMessageID, err)
	}
	held, err := s.Store.HeldMessages(ctx, ch.ID, key, s.Now())
	if err != nil {
		return Result{}, err
	}
	res := Result{Reason: ReasonConsentGiven}
	for i := range held {
		r, err := s.Apply(ctx, &held[i])
		if err != nil {
			return res, fmt.Errorf("release held %s: %w", held[i].ProviderMessageID, err)
		}
		if res.TicketID == "" {
			res.TicketID, res.Created, res.OwnerID = r.TicketID, r.Created, r.OwnerID
		}
	}
	if err := s.Store.ReleaseHeld(ctx, ch.ID, key); err != nil {
		return res, err
	}
	s.Log.InfoContext(ctx, "consent given", "channel", ch.ID, "released", len(held), "ticket_id", res.TicketID)
	return res, nil
}

func (s *Service) recordConsent(ctx context.Context, m *helpdesk.InboundMessage, key string, consent helpdesk.Consent) error {
	id, err := s.Store.FindContactID(ctx, key)
	if errors.Is(err, store.ErrNotFound) {
		c := newContactFor(m, s.Now())
		c.Consent = &consent
		return s.Store.CreateContact(ctx, c, key)
	}
	if err != nil {
		return err
	}
	c, err := s.Store.GetContact(ctx, id)
	if err != nil {
		return err
	}
	if c.Consent != nil {
		return nil // a redelivered "I agree"
	}
	return s.Store.SetConsent(ctx, id, consent)
}

// implicitConsent is the consent a new contact gives by writing to a page
// in implicit mode.
func implicitConsent(ch helpdesk.Channel, m *helpdesk.InboundMessage) *helpdesk.Consent {
	if ch.Messenger == nil || ch.Messenger.Consent != helpdesk.ConsentImplicit {
		return nil
	}
	return &helpdesk.Consent{Mode: helpdesk.ConsentImplicit, ChannelID: ch.ID, Text: ch.Messenger.ConsentText,
		At: m.ReceivedAt.UTC(), MessageID: m.ProviderMessageID}
}
