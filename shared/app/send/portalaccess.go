package send

import (
	"context"
	"fmt"
	"strings"

	"github.com/stackdesk/stackdesk/shared/channel/email/compose"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// sendPortalAccess mails a customer their portal sign-in link and code,
// from the stack's notification sender. A job past its expiry is dropped:
// the link in it would no longer work. The job's secrets are never logged.
func (s *Sender) sendPortalAccess(ctx context.Context, job jobs.PortalAccess) error {
	if job.ContactID == "" {
		return nil // the decoy of an unknown address (portal-api): mailed to nobody
	}
	log := s.Log.With("contact_id", job.ContactID)
	if !s.Now().Before(job.ExpiresAt) {
		log.InfoContext(ctx, "portal access mail expired before it was sent, dropped")
		return nil
	}
	if job.ToWhatsApp != "" || job.TicketID != "" {
		return s.sendPortalAccessChat(ctx, job) // portalchat.go
	}
	if s.NotificationSender == "" {
		log.WarnContext(ctx, "portal access mail dropped: no notification sender configured")
		return nil
	}
	_, domain, _ := strings.Cut(s.NotificationSender, "@")
	text := fmt.Sprintf("Open this link to see your requests (it works once, until %s UTC):\n\n%s\n\nOr enter this code: %s\n\nIf you did not ask for it, ignore this mail.\n",
		job.ExpiresAt.UTC().Format("15:04"), job.Link, job.Code)
	raw, err := compose.BuildNotification(compose.Notification{
		To: compose.Address{Name: job.ToName, Address: job.ToEmail}, Subject: "Your sign-in link",
		Text: text, TeamAddress: s.NotificationSender, CompanyName: "Help desk",
		MessageID: compose.NewMessageID(domain, "portal-"+job.ContactID+"-"+fmt.Sprint(job.ExpiresAt.Unix())),
		Date:      s.Now(), Tenant: s.Tenant,
	})
	if err != nil {
		log.WarnContext(ctx, "portal access mail not buildable, dropped", "error", err)
		return nil
	}
	_, err = s.Mailer.SendRaw(ctx, raw)
	if helpdesk.IsCode(err, helpdesk.EInvalid) {
		log.WarnContext(ctx, "portal access mail refused, dropped", "reason", helpdesk.ErrorMessage(err))
		return nil
	}
	if err != nil {
		return fmt.Errorf("send portal access mail: %w", err)
	}
	return nil
}
