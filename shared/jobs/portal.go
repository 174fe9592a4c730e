package jobs

import "time"

// KindPortalAccess asks the outbound sender to mail a customer their
// portal sign-in link and code (outbound queue: a PortalAccess).
const KindPortalAccess = "portal.access"

// PortalAccess is one passwordless sign-in mail. It carries the secrets
// themselves (the table keeps only their hashes), so the queue is as
// private as the mail it sends; both expire at ExpiresAt.
type PortalAccess struct {
	ContactID string    `json:"contact_id"`
	ToEmail   string    `json:"to_email"`
	ToName    string    `json:"to_name,omitempty"`
	Link      string    `json:"link"`
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
}
