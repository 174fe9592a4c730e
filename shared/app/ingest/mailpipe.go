package ingest

import (
	"context"
	"errors"
	"strings"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/threading"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// This file holds the email pipeline's part of applying a message: which
// provider message it is (a redelivery, or another mail that reuses a
// Message-ID already seen), and who wrote a mail that gave no address.

// identity is the provider message a delivery is, as dedupe knows it.
type identity struct {
	dedupe      string // its dedupe key
	fingerprint string // email: its content fingerprint
	// reused is the record of another mail, with other content, that came
	// first with the same Message-ID: this one is kept as its own message.
	reused *ticket.Dedupe
}

// identify looks m up in the dedupe records. A Message-ID seen before is a
// duplicate only when the content fingerprint matches too (or the record
// predates fingerprints); a different mail with that Message-ID is its own
// provider message (ticket.DistinctProviderID), deduplicated under that id
// so its redeliveries are still recognised. dup is set for a duplicate.
func (s *Service) identify(ctx context.Context, m *helpdesk.InboundMessage) (id identity, dup *Result, err error) {
	id.dedupe = store.DedupeKey(m.DedupeScope(), m.ProviderMessageID)
	if m.Channel == helpdesk.ChannelEmail {
		id.fingerprint = fingerprint(m)
	}
	rec, err := s.Store.FindDedupe(ctx, id.dedupe)
	if errors.Is(err, store.ErrNotFound) {
		return id, nil, nil
	}
	if err != nil {
		return id, nil, err
	}
	if rec.Fingerprint == "" || id.fingerprint == "" || rec.Fingerprint == id.fingerprint {
		return id, duplicate(rec), nil
	}
	id.reused = &rec
	id.dedupe = store.DedupeKey(m.DedupeScope(), ticket.DistinctProviderID(m.ProviderMessageID, id.fingerprint))
	own, err := s.Store.FindDedupe(ctx, id.dedupe)
	switch {
	case err == nil:
		return id, duplicate(own), nil
	case errors.Is(err, store.ErrNotFound):
		return id, nil, nil
	}
	return id, nil, err
}

func duplicate(rec ticket.Dedupe) *Result {
	return &Result{TicketID: rec.TicketID, MessageID: rec.MessageID, Duplicate: true, Reason: "duplicate"}
}

// fingerprint is the mail's content fingerprint as receive computed it, or
// computed here for a message queued without one.
func fingerprint(m *helpdesk.InboundMessage) string {
	if m.Email != nil && m.Email.Fingerprint != "" {
		return m.Email.Fingerprint
	}
	return m.ContentFingerprint()
}

// keep makes msg the message this identity is: a mail that reused a
// Message-ID gets its own provider id, message id and note (the model's
// decision), and does not register that Message-ID, which leads to the
// first mail's ticket.
func (id identity) keep(m *helpdesk.InboundMessage, msg *helpdesk.Message, th *threading.Thread) {
	if id.reused == nil {
		return
	}
	ticket.ReusedMessageID(msg, m.ProviderMessageID, id.fingerprint, *id.reused)
	msg.ID = MessageID(m.DedupeScope(), msg.ProviderMessageID)
	if m.Email != nil {
		key := threading.MessageKey(m.Email.MessageID)
		th.Own, th.Claim = without(th.Own, key), without(th.Claim, key)
	}
}

// record is the dedupe record the change writes for msg.
func (id identity) record(ticketID, messageID string) *ticket.Dedupe {
	return &ticket.Dedupe{Key: id.dedupe, TicketID: ticketID, MessageID: messageID, Fingerprint: id.fingerprint}
}

// senderName is the name of a new contact: for a mail that gave no
// address, "Unknown sender", after the display name it gave, if any.
func senderName(s helpdesk.Sender) string {
	switch {
	case s.Email != "" || s.UnknownID == "":
		return s.Name
	case s.Name != "":
		return s.Name + " (" + strings.ToLower(helpdesk.UnknownSenderName) + ")"
	}
	return helpdesk.UnknownSenderName
}

// maxReplyTo bounds the Reply-To addresses kept: the ticket item, which
// holds them too, sits in four indexes.
const maxReplyTo = 10

// replyTo is where a mail asked to be answered (Reply-To).
func replyTo(m *helpdesk.InboundMessage) []string {
	if m.Email == nil {
		return nil
	}
	return m.Email.ReplyTo[:min(len(m.Email.ReplyTo), maxReplyTo)]
}
