package send

import (
	"strings"

	"github.com/stackdesk/stackdesk/shared/channel/email/compose"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// recipients are where a reply goes: the addresses the ticket model
// decided (the customer's Reply-To, else the contact), named when one is
// the contact's; a reply queued before the model decided goes to the
// contact.
func recipients(m helpdesk.Message, contact helpdesk.Contact) []compose.Address {
	if len(m.To) == 0 {
		return []compose.Address{{Name: contact.Name, Address: contact.Email}}
	}
	out := make([]compose.Address, 0, len(m.To))
	for _, a := range m.To {
		name := ""
		if strings.EqualFold(a, contact.Email) {
			name = contact.Name
		}
		out = append(out, compose.Address{Name: name, Address: a})
	}
	return out
}
