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
	ToEmail   string    `json:"to_email,omitempty"`
	ToName    string    `json:"to_name,omitempty"`
	Link      string    `json:"link"`
	Code      string    `json:"code,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
	// ToWhatsApp (a WhatsApp number, digits only) sends the link and code
	// in the contact's latest WhatsApp conversation instead of by mail,
	// only inside its 24-hour customer service window.
	ToWhatsApp string `json:"to_whatsapp,omitempty"`
	// TicketID sends the link (no code) in that Messenger or WhatsApp
	// ticket's conversation, inside its reply window (an agent asked).
	TicketID string `json:"ticket_id,omitempty"`
}
