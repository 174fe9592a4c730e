package ingest

import (
	"context"
	"errors"
	"fmt"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/store"
)

// UnknownStatusTries is how many deliveries a report for a message we do
// not know gets. Meta can report "sent" before our send call has returned
// and recorded the provider id, so the first tries are retried; after
// these it is a message we never sent (another app on the same number)
// and is dropped.
const UnknownStatusTries = 3

// ApplyStatus moves an outbound message forward on a provider's delivery
// report. received is the SQS receive count of the report (0 if unknown).
func (s *Service) ApplyStatus(ctx context.Context, u *jobs.StatusUpdate, received int) error {
	if err := u.Validate(); err != nil {
		return err
	}
	if u.IsWatermark() {
		return s.applyWatermark(ctx, u)
	}
	reason := ""
	if u.Status == helpdesk.StatusFailed {
		reason = statusFailure(u)
	}
	m, changed, err := s.Store.ApplyStatusReport(ctx, helpdesk.StatusReport{ChannelID: u.ChannelID,
		ProviderMessageID: u.ProviderMessageID, Status: u.Status, Reason: reason, At: u.At})
	log := s.Log.With("channel", u.ChannelID, "provider_message_id", u.ProviderMessageID, "status", u.Status)
	switch {
	case errors.Is(err, store.ErrNotFound) && received >= UnknownStatusTries:
		log.WarnContext(ctx, "status report for a message we do not know, dropped", "received", received)
		return nil
	case err != nil:
		return fmt.Errorf("apply status: %w", err)
	}
	log.InfoContext(ctx, "status report applied", "ticket_id", m.TicketID, "message_id", m.ID, "changed", changed, "now", m.Status)
	return nil
}

// statusFailure renders a provider failure for the agent: code, title and details.
func statusFailure(u *jobs.StatusUpdate) string {
	r := fmt.Sprintf("%s error %d", u.Channel, u.ErrorCode)
	if u.ErrorTitle != "" {
		r += ": " + u.ErrorTitle
	}
	if u.ErrorDetail != "" && u.ErrorDetail != u.ErrorTitle {
		r += " (" + u.ErrorDetail + ")"
	}
	return r
}
