package portal

// Portal access for customers reached on WhatsApp or Messenger (issue 14):
// a link and code asked for by WhatsApp number, and a link an agent sends
// into a chat ticket's conversation (SendConversationLink, the agent API's
// POST /api/tickets/{id}/portal-link).

import (
	"context"
	"strings"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// normalPhone reads a WhatsApp number as the WhatsApp channel keys its
// senders (wa_id: the international number's digits, no "+"), or refuses
// it as malformed. E.164 numbers have at most 15 digits.
func normalPhone(s string) (string, error) {
	var b strings.Builder
	for i, r := range strings.TrimSpace(s) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0, r == ' ', r == '-', r == '.', r == '(', r == ')':
		default:
			return "", errInvalidPhone
		}
	}
	d := b.String()
	if len(d) < 7 || len(d) > 15 || d[0] == '0' {
		return "", errInvalidPhone
	}
	return d, nil
}

var errInvalidPhone = helpdesk.Errorf(helpdesk.EInvalid, "invalid_phone", "give a WhatsApp number in international form, e.g. {\"phone\": \"+15551234567\"}")

// SendConversationLink makes a fresh sign-in link for contactID, as the
// portal makes one, and queues it to be sent in ticketID's Messenger or
// WhatsApp conversation (the sender checks the reply window again when it
// sends). The caller checks that the ticket is the contact's chat ticket.
func (a *API) SendConversationLink(ctx context.Context, contactID, ticketID string) error {
	if contactID == "" || ticketID == "" {
		return helpdesk.Errorf(helpdesk.EInvalid, "no_contact", "the ticket has no contact to sign in")
	}
	return a.grant(ctx, contactID, recipient{ticketID: ticketID})
}
