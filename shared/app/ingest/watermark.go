package ingest

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/threading"
)

// Bounds of one watermark's walk back through a conversation.
const (
	watermarkPage  = 25 // messages per read
	watermarkPages = 40 // reads at most (1,000 messages)
)

// applyWatermark applies a Messenger receipt that covers a conversation
// rather than one message ("every message sent before or at the watermark
// was delivered / read"): every earlier outbound message of the customer's
// conversation ticket (and of the tickets merged into it) that Meta has
// (sent, or delivered for a read) moves to the receipt's status through
// the same store path as a per-message report, never back.
//
// The walk reads the conversation newest first, a page at a time, and
// stops at the first outbound message already at the status: the messages
// below it were covered by an earlier receipt, because every walk updates
// oldest first (a walk cut short by a crash leaves a prefix done, which the
// redelivery's walk does not stop at). So a receipt costs the messages
// since the last one, and a redelivered receipt costs one page. A message
// created before the watermark but still queued (not sent) is left to the
// next receipt.
func (s *Service) applyWatermark(ctx context.Context, u *jobs.StatusUpdate) error {
	log := s.Log.With("channel", u.ChannelID, "recipient", u.Recipient, "status", u.Status, "watermark", u.At)
	if u.Status != helpdesk.StatusDelivered && u.Status != helpdesk.StatusRead {
		log.WarnContext(ctx, "watermark of a status receipts do not carry, dropped")
		return nil
	}
	conv := &helpdesk.InboundMessage{Channel: u.Channel, ChannelID: u.ChannelID,
		Sender: helpdesk.Sender{PageID: strings.TrimPrefix(u.ChannelID, "messenger:"), PSID: u.Recipient}}
	ticketID, _, err := s.Store.FindThread(ctx, []string{threading.ConversationKey(conv)})
	if errors.Is(err, store.ErrNotFound) {
		log.InfoContext(ctx, "watermark of a conversation with no ticket, nothing to mark")
		return nil
	}
	if err != nil {
		return fmt.Errorf("apply watermark: %w", err)
	}
	t, err := s.Store.GetTicketHeader(ctx, ticketID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // deleted since
	}
	if err != nil {
		return fmt.Errorf("apply watermark: %w", err)
	}
	var due []helpdesk.Message
	q := helpdesk.TimelineQuery{Kind: helpdesk.TimelineMessage, Limit: watermarkPage}
walk:
	for range watermarkPages {
		page, next, err := s.Store.Timeline(ctx, t, q)
		if err != nil {
			return fmt.Errorf("apply watermark to ticket %s: %w", t.ID, err)
		}
		for _, e := range page {
			m := e.Message
			if m == nil || m.Direction != helpdesk.Outbound || m.ChannelID != u.ChannelID || m.CreatedAt.After(u.At) {
				continue
			}
			switch {
			case m.Status == u.Status || m.Status == helpdesk.StatusRead:
				break walk // covered by an earlier receipt, and so is all before it
			case m.Status == helpdesk.StatusSent || m.Status == helpdesk.StatusDelivered:
				due = append(due, *m)
			}
			// queued: Meta does not have it yet; failed: ended.
		}
		if next == "" {
			break
		}
		q.After = next
	}
	moved := 0
	for i := len(due) - 1; i >= 0; i-- { // oldest first (see above)
		m := due[i]
		_, changed, err := s.Store.AdvanceMessageStatus(ctx, helpdesk.MessageRef{TicketID: m.TicketID, MessageID: m.ID, CreatedAt: m.CreatedAt},
			helpdesk.StatusReport{ChannelID: u.ChannelID, ProviderMessageID: m.ProviderMessageID, Status: u.Status, At: u.At})
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("apply watermark to message %s of ticket %s: %w", m.ID, m.TicketID, err)
		}
		if changed {
			moved++
		}
	}
	log.InfoContext(ctx, "watermark applied", "ticket_id", t.ID, "messages", moved)
	return nil
}
