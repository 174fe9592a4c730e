package jobs

import (
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// KindCustomerChat (outbound queue): a CustomerChat.
const KindCustomerChat = "customer.chat"

// CustomerChat asks the outbound sender to tell a ticket's customer of it
// in their Messenger or WhatsApp conversation on ChannelID when the ticket
// itself has no conversation there (a portal ticket whose contact has no
// email address). The message is not recorded on any ticket (like a
// CustomerEmail); the sender checks the 24 h standard window again against
// the contact's latest conversation on the channel and adds the portal's
// ticket link.
type CustomerChat struct {
	NotificationID string                      `json:"notification_id"`
	TicketID       string                      `json:"ticket_id"`
	Kind           helpdesk.CustomerNotifyKind `json:"kind"`
	ContactID      string                      `json:"contact_id"`
	ChannelID      string                      `json:"channel_id"`
	Text           string                      `json:"text"`
	// MessageID is the reply a reply notification is about.
	MessageID string    `json:"message_id,omitempty"`
	At        time.Time `json:"at"`
}
