package send

import (
	"net/url"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// This file prepares a customer notification (ticket.TellCustomer) sent in
// a Messenger or WhatsApp conversation: the model queued it as an outbound
// message with thread reason customer_notice, inside the 24-hour standard
// window; sendChat sends it like a reply, after chatNotice.

// chatNotice checks that a queued notice may still go (Messenger: the 24 h
// standard window; an automated message may not use the HUMAN_AGENT tag
// that carries agents' replies beyond it. WhatsApp: the same 24 h service
// window chatMessage checks) and adds the portal's ticket link to its text
// when the stack has one. The stored message keeps the model's text.
func (s *Sender) chatNotice(t helpdesk.Ticket, msg helpdesk.Message) (helpdesk.Message, error) {
	if last := t.LastCustomerMessageAt; !ticket.NoticeWindowOpen(last, s.Now()) {
		return msg, helpdesk.Errorf(helpdesk.EConflict, ticket.ReasonWindowClosed,
			"a notification is sent only within 24 h of the customer's last message (the customer last wrote %s ago)", s.Now().Sub(last).Truncate(time.Minute))
	}
	if p := s.CustomerLinks.Portal; p != "" {
		msg.Text += "\n\nSee your request: " + strings.ReplaceAll(p, "{id}", url.PathEscape(t.ID))
	}
	return msg, nil
}
