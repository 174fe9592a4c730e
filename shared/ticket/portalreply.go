package ticket

import (
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// Portal-only replies (issue 14). A customer known only by Messenger or
// WhatsApp can open a ticket in the portal (channel kind portal), which has
// no channel of its own to answer on and no email address to answer by.
// An agent's reply to it is recorded as a message sent on no channel
// (status in_portal, no reply job): the portal shows it, and TellCustomer,
// which tells the customer of any agent reply not sent to them, sends a
// "reply" notice into their chat conversation (CustomerReach.Chat).

// PortalOnly reports whether an agent's reply to t is recorded in the
// portal only: t came from the portal and its contact has no email address
// (one with an address is answered by email, as forms are).
func PortalOnly(t helpdesk.Ticket, contact helpdesk.Contact) bool {
	return t.ChannelKind == helpdesk.ChannelPortal && strings.TrimSpace(contact.Email) == ""
}

// PortalChannel is the channel a portal-only reply is recorded on: the
// ticket's own portal channel, which sends nothing.
func PortalChannel(t helpdesk.Ticket) helpdesk.Channel {
	return helpdesk.Channel{ID: t.ChannelID, Kind: helpdesk.ChannelPortal}
}

// ChatReach is the Messenger or WhatsApp conversation a portal customer
// without an email address is told in: the contact's latest one.
type ChatReach struct {
	Channel helpdesk.Channel
	// LastCustomerMessageAt is when the customer last wrote in it: the
	// standard 24 h window runs from there.
	LastCustomerMessageAt time.Time
}

// portalChatNotice commits the notice of e for a portal ticket whose contact has
// no email address: a customer.chat job into their latest conversation
// (r.Chat), only inside the 24 h standard window, as for a chat ticket's.
func (c *Change) portalChatNotice(t *helpdesk.Ticket, e customerEvent, r CustomerReach, text string, now time.Time) (via, skipped string) {
	if r.Chat == nil || (r.Chat.Channel.Kind != helpdesk.ChannelMessenger && r.Chat.Channel.Kind != helpdesk.ChannelWhatsApp) {
		return "", SkipNoAddress
	}
	if !NoticeWindowOpen(r.Chat.LastCustomerMessageAt, now) {
		return "", SkipWindowClosed
	}
	id := helpdesk.NewID()
	job := jobs.CustomerChat{NotificationID: id, TicketID: t.ID, Kind: e.kind, ContactID: r.Contact.ID,
		ChannelID: r.Chat.Channel.ID, Text: text, At: now}
	if e.msg != nil {
		job.MessageID = e.msg.ID
	}
	c.job(id, jobs.KindCustomerChat, job)
	return ViaConversation, ""
}
