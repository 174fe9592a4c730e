package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/stackdesk/stackdesk/shared/app/audience"
	"github.com/stackdesk/stackdesk/shared/app/uploads"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// This file applies what a customer did in the portal (issue 14): the
// portal API checked it and queued it as an InboundMessage of the portal
// channel, naming the contact and the ticket. A reply, close or reopen
// targets that ticket directly (no threading), once its contact is found
// to be the one named; a new ticket is routed by the tenant's portal
// channel. What cannot be applied is recorded as filtered, with why.

// Thread reasons and results of portal actions.
const (
	// ReasonPortal is the thread reason of a message the customer wrote in
	// the portal on their ticket.
	ReasonPortal = "portal"
	// ReasonPortalFiltered prefixes the Result.Reason of an action
	// recorded as filtered ("portal_filtered:<why>").
	ReasonPortalFiltered = "portal_filtered"
	// FilteredNoPortalChannel: a new ticket, and no enabled portal channel.
	FilteredNoPortalChannel = "no_portal_channel"
)

// Notes on a portal attachment that was not kept.
const (
	noteNotTheirUpload = "not this customer's upload: not kept"
	noteUploadMissing  = "the upload was not found: not kept"
	noteUploadRefused  = "the upload was refused: "
)

// filteredRecorder records what is not applied (both stores).
type filteredRecorder interface {
	RecordFiltered(ctx context.Context, f helpdesk.FilteredMail) error
}

// applyPortal applies one portal action exactly once.
func (s *Service) applyPortal(ctx context.Context, m *helpdesk.InboundMessage) (Result, error) {
	if m.Channel != helpdesk.ChannelPortal || m.ChannelID != helpdesk.PortalChannelID {
		return Result{}, helpdesk.Errorf(helpdesk.EInvalid, "portal_channel_required", "a portal action comes on channel %q", helpdesk.PortalChannelID)
	}
	// Files are read once, before any decision: a retry after a lost race
	// keeps what the first round found.
	atts, err := s.portalAttachments(ctx, m)
	if err != nil {
		return Result{}, fmt.Errorf("apply %s/%s: %w", m.ChannelID, m.ProviderMessageID, err)
	}
	m.Attachments = atts
	return s.decide(ctx, m, func(ticketNo *reservedNumber) (Result, map[string]string, error) {
		return s.applyPortalOnce(ctx, m, ticketNo)
	})
}

func (s *Service) applyPortalOnce(ctx context.Context, m *helpdesk.InboundMessage, ticketNo *reservedNumber) (Result, map[string]string, error) {
	ident, dup, err := s.identify(ctx, m)
	if err != nil || dup != nil {
		if dup != nil {
			return *dup, nil, nil
		}
		return Result{}, nil, err
	}
	act := *m.Portal
	contact, err := s.Store.GetContact(ctx, act.ContactID)
	if errors.Is(err, store.ErrNotFound) {
		return s.filterPortal(ctx, m, "unknown_contact")
	}
	if err != nil {
		return Result{}, nil, err
	}
	senderKey := m.Sender.Key(m.Channel)
	set, err := s.Settings.Get(ctx)
	if err != nil {
		return Result{}, nil, err
	}
	now := s.Now()
	var msg *helpdesk.Message
	if strings.TrimSpace(m.Text) != "" || len(m.Attachments) > 0 {
		mm := s.message(m)
		mm.AuthorContactID, mm.ThreadReason = contact.ID, ReasonPortal
		msg = &mm
	}

	var c ticket.Change
	var res Result
	if act.TicketID != "" {
		t, err := s.showing(ctx, act.TicketID)
		if errors.Is(err, store.ErrNotFound) {
			return s.filterPortal(ctx, m, ticket.ErrNotTheirs.Reason+":"+act.TicketID)
		}
		if err != nil {
			return Result{}, nil, err
		}
		aud, err := audience.Read(ctx, s.Store, t, nil)
		if err != nil {
			return Result{}, nil, err
		}
		switch {
		case act.Reopen:
			c, err = ticket.CustomerReopen(t, contact.ID, aud, set, now)
		case msg != nil:
			c, err = ticket.CustomerReply(t, contact.ID, *msg, senderKey, act.Close, aud, set, now)
		case act.Close:
			c, err = ticket.CustomerClose(t, contact.ID, aud, set, now)
		default:
			return s.filterPortal(ctx, m, "nothing_to_do")
		}
		var refused *helpdesk.Error
		if errors.As(err, &refused) && (refused.Code == helpdesk.ENotFound || refused.Code == helpdesk.EConflict) {
			// Decided against (another's ticket, closed meanwhile, ...):
			// kept as filtered, never dropped.
			return s.filterPortal(ctx, m, refused.Reason+":"+t.ID)
		}
		if err != nil {
			return Result{}, nil, err
		}
		res = Result{TicketID: t.ID, Reason: ReasonPortal}
	} else {
		if msg == nil || act.Close || act.Reopen {
			return s.filterPortal(ctx, m, "nothing_to_do")
		}
		ch, err := s.Store.GetChannel(ctx, helpdesk.PortalChannelID)
		switch {
		case errors.Is(err, store.ErrNotFound) || (err == nil && (ch.Kind != helpdesk.ChannelPortal || ch.Disabled)):
			return s.filterPortal(ctx, m, FilteredNoPortalChannel)
		case err != nil:
			return Result{}, nil, err
		}
		if ticketNo.key != ident.dedupe {
			no, err := s.ticketNumber(ctx, ident.dedupe)
			if err != nil {
				return Result{}, nil, err
			}
			*ticketNo = reservedNumber{key: ident.dedupe, number: no}
		}
		msg.ThreadReason = ReasonNewTicket
		var warnings []string
		c, warnings = ticket.Open(ticket.Arrival{ID: ticketNo.number, Inbound: m, Message: *msg, Channel: ch, ContactID: contact.ID,
			SenderKey: senderKey}, set, now)
		for _, w := range warnings {
			s.Log.WarnContext(ctx, w, "channel", m.ChannelID, "ticket_id", ticketNo.number)
		}
		if s.Router != nil {
			plan, err := s.plan(ctx, ch, c.Ticket(), &author{s: s, id: contact.ID, c: &contact}, true)
			if err != nil {
				return Result{}, nil, err
			}
			ticket.Route(&c, plan, now)
		}
		res = Result{TicketID: ticketNo.number, Created: true, Reason: ReasonNewTicket, OwnerID: c.Ticket().OwnerID}
	}
	if msg != nil {
		res.MessageID = msg.ID
	}
	c.Dedupe = ident.record(res.TicketID, res.MessageID)
	if err := s.commit(ctx, c, res.Created); err != nil {
		return Result{}, nil, err
	}
	return res, c.Jobs, nil
}

// filterPortal records an action that is not applied, with why, and
// answers it as done (a redelivery records it once).
func (s *Service) filterPortal(ctx context.Context, m *helpdesk.InboundMessage, why string) (Result, map[string]string, error) {
	rec, ok := s.Store.(filteredRecorder)
	if !ok {
		return Result{}, nil, fmt.Errorf("portal action %s not applied (%s): the store records no filtered messages", m.ProviderMessageID, why)
	}
	f := helpdesk.FilteredMail{SESMessageID: m.ProviderMessageID, ReceivedAt: m.ReceivedAt.UTC(), Kind: helpdesk.FilteredPortal,
		Reason: why, Sender: m.Sender, Subject: m.Subject, ChannelID: m.ChannelID,
		ExpiresAt: m.ReceivedAt.UTC().Add(helpdesk.FilteredRetention)}
	f.Bound()
	if err := rec.RecordFiltered(ctx, f); err != nil {
		return Result{}, nil, err
	}
	s.Log.WarnContext(ctx, "portal action filtered", "message_id", m.ProviderMessageID, "contact", m.Portal.ContactID, "reason", why)
	return Result{Reason: ReasonPortalFiltered + ":" + why}, nil, nil
}

// portalAttachments reads back the uploads a portal message names: each
// must be under its contact's portal prefix and in the bucket, of an
// allowed type and size; any other is kept as a note only, so agents see
// that a file is missing.
func (s *Service) portalAttachments(ctx context.Context, m *helpdesk.InboundMessage) ([]helpdesk.Attachment, error) {
	prefix := helpdesk.PortalUploadPrefix(m.Portal.ContactID)
	var out []helpdesk.Attachment
	for i, a := range m.Attachments {
		id, under := strings.CutPrefix(a.Key, prefix)
		switch {
		case !under || !uploads.ValidID(id):
			out = append(out, helpdesk.Attachment{Name: a.Name, Note: noteNotTheirUpload})
			continue
		case s.Uploads == nil:
			out = append(out, helpdesk.Attachment{Name: a.Name, Note: noteUploadMissing})
			continue
		}
		got, err := uploads.Read(ctx, s.Uploads, fmt.Sprintf("attachments[%d]", i), a.Key)
		var refused *helpdesk.Error
		switch {
		case errors.As(err, &refused) && refused.Reason == "upload_unknown":
			out = append(out, helpdesk.Attachment{Name: a.Name, Note: noteUploadMissing})
		case errors.As(err, &refused) && refused.Code == helpdesk.EInvalid:
			out = append(out, helpdesk.Attachment{Name: a.Name, Note: noteUploadRefused + refused.Reason})
		case err != nil:
			return nil, err
		default:
			out = append(out, got)
		}
	}
	return out, nil
}
