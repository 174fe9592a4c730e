// Package threading names the conversation an inbound message belongs to, as
// an ordered list of lookup keys (each with the reason recorded when it
// matches) and the keys the message registers for the messages after it.
// It is pure; ingest looks the keys up and applies the answer.
package threading

import (
	"regexp"
	"slices"
	"strings"

	"github.com/stackdesk/stackdesk/shared/channel/email/replytoken"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Thread is a threader's answer for one message.
type Thread struct {
	// Lookup keys, most trustworthy first; the first that has a ticket wins.
	Lookup []Key
	// Own keys are registered to the ticket the message lands in.
	Own []string
	// Claim keys are registered only when the message creates a ticket: the
	// conversation ids it refers to, so concurrent first mails of one thread
	// (two replies to a thread we never saw) race for one ticket instead of
	// making two. An appended message never claims: those ids may belong to
	// another ticket.
	Claim []string
	// TicketKey asks for the ticket's own key (TicketKey(id)) when the
	// message creates a ticket, so replies can name the ticket directly.
	TicketKey bool
}

// Key is a lookup key and the reason recorded when it matches.
type Key struct {
	Key    string
	Reason string
	// RequireParticipant: the key only counts if the sender already wrote
	// on that ticket (a stranger quoting a ticket number gets a new one).
	RequireParticipant bool
}

// Threader names the thread of a message.
type Threader interface {
	Thread(m *helpdesk.InboundMessage) Thread
}

// Func adapts a function to a Threader.
type Func func(m *helpdesk.InboundMessage) Thread

// Thread calls f.
func (f Func) Thread(m *helpdesk.InboundMessage) Thread { return f(m) }

// Reasons recorded on messages.
const (
	ReasonReplyToken       = "reply_token"
	ReasonInReplyTo        = "in_reply_to"
	ReasonReferences       = "references"
	ReasonSubjectReference = "subject_reference"
)

// TicketKey is the key every email ticket owns: its number.
func TicketKey(ticketID string) string { return "ticket#" + ticketID }

// MessageKey is the key of an email Message-ID (ours or a customer's).
func MessageKey(messageID string) string {
	return "msgid#" + strings.Trim(strings.TrimSpace(messageID), "<>")
}

// Submission threads forms and API tickets: every submission is its own
// conversation, keyed by its provider id.
var Submission = Func(func(m *helpdesk.InboundMessage) Thread {
	return Thread{Own: []string{string(m.Channel) + "#" + m.ChannelID + "#" + m.ProviderMessageID}}
})

// Email threads mail. In order: our signed reply token in a recipient
// address, In-Reply-To, every References id (newest first), then a ticket
// reference in the subject, which only counts from a participant.
type Email struct {
	TokenSecret []byte
}

// subjectRef finds "[#1042]" (ours) and, more loosely, "#1042" after a
// ticket word, as customers retype it.
var subjectRef = regexp.MustCompile(`\[#(\d{1,12})\]|(?i)\b(?:ticket|case|ref)\s*#\s*(\d{1,12})\b`)

// Thread implements Threader.
func (e Email) Thread(m *helpdesk.InboundMessage) Thread {
	th := Thread{TicketKey: true}
	h := m.Email
	if h == nil {
		h = &helpdesk.EmailHeaders{}
	}
	seen := map[string]bool{}
	add := func(k Key) {
		if !seen[k.Key] {
			seen[k.Key] = true
			th.Lookup = append(th.Lookup, k)
		}
	}
	for _, addr := range append(append(append([]string(nil), h.Recipients...), h.To...), h.Cc...) {
		if id, _, ok := replytoken.Parse(e.TokenSecret, addr); ok {
			add(Key{Key: TicketKey(id), Reason: ReasonReplyToken})
		}
	}
	for _, id := range h.InReplyTo {
		if id = strings.TrimSpace(id); id != "" {
			add(Key{Key: MessageKey(id), Reason: ReasonInReplyTo})
			th.Claim = append(th.Claim, MessageKey(id))
		}
	}
	for i := len(h.References) - 1; i >= 0; i-- {
		if id := strings.TrimSpace(h.References[i]); id != "" {
			add(Key{Key: MessageKey(id), Reason: ReasonReferences})
			if !slices.Contains(th.Claim, MessageKey(id)) {
				th.Claim = append(th.Claim, MessageKey(id))
			}
		}
	}
	for _, mm := range subjectRef.FindAllStringSubmatch(m.Subject, -1) {
		id := mm[1]
		if id == "" {
			id = mm[2]
		}
		add(Key{Key: TicketKey(id), Reason: ReasonSubjectReference, RequireParticipant: true})
	}
	if id := strings.TrimSpace(h.MessageID); id != "" {
		th.Own = append(th.Own, MessageKey(id))
	}
	return th
}

// ReasonConversation: a chat message joined the sender's conversation.
const ReasonConversation = "conversation"

// ConversationKey is the key of one customer's conversation on a chat
// channel (a Messenger page, a WhatsApp number).
func ConversationKey(m *helpdesk.InboundMessage) string {
	return "conv#" + m.ChannelID + "#" + m.Sender.Key(m.Channel)
}

// Conversation threads chat channels: a customer's messages on one page or
// number all join one ticket, reopened if it was closed (a reply reopens,
// as with email). The key is claimed by the first message, so concurrent
// first messages race for one ticket.
var Conversation = Func(func(m *helpdesk.InboundMessage) Thread {
	k := ConversationKey(m)
	return Thread{Lookup: []Key{{Key: k, Reason: ReasonConversation}}, Own: []string{k}}
})

// ByChannel threads each message by its channel kind: email by its headers,
// Messenger and WhatsApp by conversation, everything else by submission.
func ByChannel(tokenSecret []byte) Threader {
	mail := Email{TokenSecret: tokenSecret}
	return Func(func(m *helpdesk.InboundMessage) Thread {
		switch m.Channel {
		case helpdesk.ChannelEmail:
			return mail.Thread(m)
		case helpdesk.ChannelMessenger, helpdesk.ChannelWhatsApp:
			return Conversation.Thread(m)
		}
		return Submission.Thread(m)
	})
}
