package send

import (
	"context"
	"errors"
	"fmt"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/store"
)

// NotificationEmailFailed is the status an email about a notification gets
// when it is dropped for a reason retrying would not change.
const NotificationEmailFailed = "failed"

// dropNotification gives up on a notification email for a permanent
// reason: it logs why and records it on the notification, so the drop
// shows in the agent's feed rather than in a log line alone. A failure to
// record is retried like any other.
func (s *Sender) dropNotification(ctx context.Context, job jobs.NotificationEmail, code, detail string) error {
	reason := code + ": " + helpdesk.TruncateBytes(detail, 512, helpdesk.Ellipsis)
	s.Log.WarnContext(ctx, "notification email dropped", "notification_id", job.NotificationID, "ticket_id", job.TicketID,
		"to_agent_id", job.ToAgentID, "reason", code, "detail", detail)
	if job.Recipient == "" || job.At.IsZero() {
		return nil // a job queued before jobs named their notification
	}
	err := s.Store.SetNotificationEmail(ctx, job.Recipient, job.At, job.NotificationID, NotificationEmailFailed, reason)
	if err != nil && !errors.Is(err, store.ErrNotFound) { // expired or deleted: nothing to record on
		return fmt.Errorf("record notification %s: %w", job.NotificationID, err)
	}
	return nil
}
