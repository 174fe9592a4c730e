package jobs

import (
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// KindCustomerEmail (outbound queue): a CustomerEmail.
const KindCustomerEmail = "customer.email"

// CustomerEmail asks the outbound sender to email a ticket's customer a
// notification (issue 14): from the email channel FromChannelID, to ToEmail,
// with an unsubscribe link for Kind signed for ContactID. NotificationID
// makes the send idempotent. Messenger and WhatsApp customers are told in
// their conversation instead: a queued outbound message and a ReplyChat.
type CustomerEmail struct {
	NotificationID string                      `json:"notification_id"`
	TicketID       string                      `json:"ticket_id"`
	Kind           helpdesk.CustomerNotifyKind `json:"kind"`
	ContactID      string                      `json:"contact_id"`
	ToEmail        string                      `json:"to_email"`
	ToName         string                      `json:"to_name,omitempty"`
	FromChannelID  string                      `json:"from_channel_id"`
	Subject        string                      `json:"subject"`
	Text           string                      `json:"text"`
	// MessageID is the reply a reply notification is about.
	MessageID string    `json:"message_id,omitempty"`
	At        time.Time `json:"at"`
}
