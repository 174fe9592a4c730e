package receive

import "github.com/stackdesk/stackdesk/shared/helpdesk"

// identify completes what the router keys a mail on, once the message is
// whole (attachments stored): its content fingerprint, which tells a
// redelivery from a different mail reusing a Message-ID, and, for a mail
// that gave no usable address anywhere, a sender identity of its own
// (Sender.UnknownID): the mail is still a ticket, from an "Unknown
// sender" contact that no other mail shares and a redelivery finds again.
func identify(m *helpdesk.InboundMessage) {
	m.Email.Fingerprint = m.ContentFingerprint()
	if m.Sender.Email == "" {
		m.Sender.UnknownID = m.ProviderMessageID + "#" + m.Email.Fingerprint[:16]
	}
}
