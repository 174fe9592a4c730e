package receive

import (
	"context"
	"fmt"
	"strings"

	"github.com/stackdesk/stackdesk/shared/channel/email"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// promotedPrefix is where a promoted mail's attachments are kept
// (attachments/promoted/<ses id>/…): the agent API, which promotes, may
// write under it only.
const promotedPrefix = "promoted/"

// Promote makes a filtered mail a ticket after all ("this was a customer"):
// it reads the raw mail again, parses it as email-inbound does, builds its
// inbound message as normal mail whatever its kind (Parse and Inbound with
// AsNormal) and queues it, to the channel f names (the agent API sets the
// one the agent chose), so the router makes the ticket, deduplicated by
// the Message-ID like any mail (promoting twice queues one ticket). What
// cannot be made a ticket is a conflict with its reason.
func (h *Handler) Promote(ctx context.Context, f helpdesk.FilteredMail) (*helpdesk.InboundMessage, error) {
	cannot := func(reason, format string, args ...any) error {
		return helpdesk.Errorf(helpdesk.EConflict, reason, format, args...)
	}
	if f.ChannelID == "" {
		return nil, cannot("filtered_no_channel", "this mail was sent to no address of the desk, so no channel can take it")
	}
	if f.RawKey == "" || !strings.HasPrefix(f.RawKey, h.Prefix) {
		return nil, cannot("raw_mail_missing", "this record names no raw mail in the mail bucket")
	}
	ch, err := h.Channels.GetChannel(ctx, f.ChannelID)
	switch {
	case helpdesk.IsCode(err, helpdesk.ENotFound):
		return nil, cannot("channel_unavailable", "the channel %s is gone", f.ChannelID)
	case err != nil:
		return nil, err
	case ch.Kind != helpdesk.ChannelEmail || ch.Email == nil || ch.Disabled:
		return nil, cannot("channel_unavailable", "the channel %s is not an enabled email channel", f.ChannelID)
	}
	raw, err := h.Files.Read(ctx, f.RawKey, maxRawSize)
	switch {
	case helpdesk.IsCode(err, helpdesk.ENotFound):
		return nil, cannot("raw_mail_missing", "the raw mail is no longer in the mail bucket")
	case helpdesk.IsCode(err, helpdesk.ETooLarge):
		return nil, cannot("mail_too_large", "the mail is over %d MB, more than a ticket takes", maxRawSize>>20)
	case err != nil:
		return nil, fmt.Errorf("read raw message %s: %w", f.RawKey, err)
	}
	// Parsed as normal mail, so a forward is found as in any mail (a
	// forward a mailbox rule sent is classed an auto-reply).
	p, err := email.Parse(raw, email.Options{Tenant: h.Tenant, UseOriginalSender: !ch.Email.LogForwarder, AsNormal: true})
	if err != nil {
		return nil, cannot("mail_unparseable", "the mail still cannot be read: %s", helpdesk.TruncateRunes(err.Error(), 200, "…"))
	}
	d := Delivery{ID: f.SESMessageID, Recipients: f.Recipients, Timestamp: f.ReceivedAt}
	m, err := h.Inbound(ctx, d, ch, p, BuildOptions{AsNormal: true, AttachmentsID: promotedPrefix + f.SESMessageID})
	if err != nil {
		return nil, err
	}
	if err := m.Validate(); err != nil {
		return nil, cannot("mail_has_no_sender", "the mail cannot be a ticket: %s", err.Error())
	}
	if err := h.Queue.EnqueueInbound(ctx, m); err != nil {
		return nil, err
	}
	h.Log.InfoContext(ctx, "filtered mail promoted, queued", "ses_message_id", f.SESMessageID, "channel", ch.ID,
		"message_id", m.ProviderMessageID, "was", f.Kind)
	return m, nil
}
