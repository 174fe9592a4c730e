package helpdesk

import "time"

// BlockedSender is a sender an agent blocked when marking their mail spam:
// whatever they send later opens a ticket straight in the Spam view,
// never routed, answered or notified. Admins list and remove them.
type BlockedSender struct {
	// Key is the sender's key on its channel (Sender.Key: email#…,
	// messenger#<page>#<psid>, whatsapp#…).
	Key string `dynamodbav:"senderKey" json:"sender_key"`
	// TicketID is the ticket that was marked spam when they were blocked.
	TicketID  string    `dynamodbav:"ticketId,omitempty" json:"ticket_id,omitempty"`
	BlockedBy string    `dynamodbav:"blockedBy" json:"blocked_by"`
	BlockedAt time.Time `dynamodbav:"blockedAt" json:"blocked_at"`
}
