package ticket

import (
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// ProfileRetry is how long after a failed fetch a Messenger contact's
// name is asked of Meta again.
const ProfileRetry = 24 * time.Hour

// NeedsProfile reports whether c's name should be fetched from Meta at
// now: a Messenger contact with no name, never tried or last failed over
// ProfileRetry ago. A named contact is never fetched again (the name is
// cached; an agent may have changed it).
func NeedsProfile(c helpdesk.Contact, now time.Time) bool {
	return c.PSID != "" && c.Name == "" && (c.ProfileFailedAt.IsZero() || now.Sub(c.ProfileFailedAt) >= ProfileRetry)
}

// AskProfile adds to c the outbound job that fetches the contact's name
// (committed with the change, so the ask is never lost; at most one per
// contact per change).
func AskProfile(c *Change, contact helpdesk.Contact, channelID string, now time.Time) {
	id := "profile#" + contact.ID
	c.job(id, jobs.KindContactProfile, jobs.ContactProfile{ContactID: contact.ID, ChannelID: channelID, PSID: contact.PSID})
	if t := c.Ticket(); t != nil { // decided already: into its outbox too, as finish does
		if t.Outbox == nil {
			t.Outbox = map[string]string{}
		}
		t.Outbox[id] = c.Jobs[id]
		t.OutboxAt = now
	}
}
