package ticket

import (
	"fmt"
	"slices"
	"strings"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// This file holds the email pipeline's decisions: where an agent's email
// reply goes (Reply-To, else the contact; nowhere for a mail that gave no
// address), and what a mail that reuses a Message-ID becomes.

// maxReplyTo bounds the addresses one reply goes to: a Reply-To listing
// many is kept, but a reply is not a mailing.
const maxReplyTo = 10

// ReplyRecipients decides where an agent's email reply to t, sent from
// channel ch, goes: the Reply-To of the latest customer mail (t.ReplyTo)
// when it gave one, less the desk's own address; else the contact's
// address. A ticket whose contact has no address (a mail that named
// none) cannot be answered by email: refused with no_reply_address. With
// contact nil (the caller did not read it) and no Reply-To it returns
// nothing, and the sender reads the contact when it sends.
func ReplyRecipients(t helpdesk.Ticket, ch helpdesk.Channel, contact *helpdesk.Contact) ([]string, error) {
	var to []string
	for _, a := range t.ReplyTo {
		a = strings.ToLower(strings.TrimSpace(a))
		if a != "" && !teamAddress(ch, a) && !slices.Contains(to, a) && len(to) < maxReplyTo {
			to = append(to, a)
		}
	}
	switch {
	case len(to) > 0:
		return to, nil
	case contact == nil:
		return nil, nil
	case strings.TrimSpace(contact.Email) != "":
		return []string{strings.TrimSpace(contact.Email)}, nil
	}
	return nil, helpdesk.Errorf(helpdesk.EInvalid, "no_reply_address",
		"ticket %s has no address to reply to: the customer's mail gave none (no From, Sender, Reply-To or Return-Path address); add an email address to its contact to answer by email", t.ID)
}

// teamAddress reports whether a is ch's own address (a plus tag aside): a
// reply sent there would only come back to the desk.
func teamAddress(ch helpdesk.Channel, a string) bool {
	if ch.Email == nil {
		return false
	}
	local, domain, ok := strings.Cut(a, "@")
	if !ok {
		return false
	}
	local, _, _ = strings.Cut(local, "+")
	return strings.EqualFold(local+"@"+domain, ch.Email.Address)
}

// noteReplyTo keeps, on the ticket, where the latest customer mail asked
// to be answered (nothing: answer the contact).
func noteReplyTo(t *helpdesk.Ticket, msg helpdesk.Message) {
	if msg.Direction == helpdesk.Inbound && msg.ChannelKind == helpdesk.ChannelEmail {
		t.ReplyTo = slices.Clone(msg.ReplyTo[:min(len(msg.ReplyTo), maxReplyTo)])
	}
}

// DistinctProviderID is the provider id of a mail that reuses the
// Message-ID messageID with other content (its fingerprint): its own, so
// it is kept as its own message and a redelivery of it is still known.
func DistinctProviderID(messageID, fingerprint string) string {
	if len(fingerprint) > 16 {
		fingerprint = fingerprint[:16]
	}
	return messageID + "#" + fingerprint
}

// ReusedMessageID makes msg a mail kept on its own although another mail,
// with other content, came before it with the same Message-ID (seen
// records where that one went): its provider id is its own
// (DistinctProviderID) and its note says why.
func ReusedMessageID(msg *helpdesk.Message, messageID, fingerprint string, seen Dedupe) {
	msg.ProviderMessageID = DistinctProviderID(messageID, fingerprint)
	msg.Note = fmt.Sprintf("This mail reuses the Message-ID <%s> of a different mail received before (ticket #%s); it is kept as its own message.",
		messageID, seen.TicketID)
}
