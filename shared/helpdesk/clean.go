package helpdesk

import (
	"strings"
	"unicode/utf8"
)

// CleanText is the one text normalisation every channel's text goes through
// before it is queued and stored: each byte that is not part of valid UTF-8
// becomes U+FFFD (as encoding/json decodes it, so a JSON body and a
// URL-encoded one carrying the same bytes give the same text), and NUL
// characters are removed (a stored NUL truncates the text in many clients
// and is never something a customer meant to send). Valid text comes back
// unchanged, without a copy.
func CleanText(s string) string {
	if utf8.ValidString(s) && strings.IndexByte(s, 0) < 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			b.WriteRune(utf8.RuneError)
		case r != 0:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// Clean applies CleanText to every text an inbound message carries, so no
// channel stores invalid UTF-8 or a NUL. The queue encoder and decoder call
// it (jobs.EncodeInbound, Envelope.Inbound), so every channel gets it once
// before enqueue and again, harmlessly, before the router uses it.
func (m *InboundMessage) Clean() {
	for _, p := range []*string{&m.ChannelID, &m.ProviderMessageID, &m.Sender.Email, &m.Sender.Name,
		&m.Sender.PSID, &m.Sender.PageID, &m.Sender.WhatsAppID, &m.Subject, &m.Text, &m.Quoted, &m.HTML,
		&m.QuotedHTML, &m.RawLocation, &m.Ticket.Pipeline, &m.Ticket.Status, &m.Ticket.Category} {
		*p = CleanText(*p)
	}
	for i := range m.Attachments {
		a := &m.Attachments[i]
		a.Name, a.ContentType, a.Note = CleanText(a.Name), CleanText(a.ContentType), CleanText(a.Note)
	}
	if e := m.Email; e != nil {
		e.MessageID, e.FullText, e.KindReason = CleanText(e.MessageID), CleanText(e.FullText), CleanText(e.KindReason)
		for _, list := range [][]string{e.InReplyTo, e.References, e.To, e.Cc, e.Recipients, e.BouncedMessageIDs} {
			for i := range list {
				list[i] = CleanText(list[i])
			}
		}
		if f := e.ForwardedBy; f != nil {
			f.Email, f.Name = CleanText(f.Email), CleanText(f.Name)
		}
	}
	if len(m.Submission) > 0 {
		clean := make(map[string]string, len(m.Submission))
		for k, v := range m.Submission {
			clean[CleanText(k)] = CleanText(v)
		}
		m.Submission = clean
	}
}
