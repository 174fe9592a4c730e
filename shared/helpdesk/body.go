package helpdesk

import (
	"crypto/sha256"
	"encoding/hex"
)

// A message's text and HTML go in its item, and DynamoDB caps an item at
// 400 KB; a webhook accepts up to 1 MiB (Meta) and a mail can be larger.
// Above BodyMax bytes of body (text, HTML and the quoted parts), the whole
// body is kept in the bucket under BodyKey and the message keeps a snippet
// of its text (BodySnippetMax bytes) with Message.BodyKey and Truncated set.
const (
	BodyMax        = 64 << 10
	BodySnippetMax = 16 << 10
)

// Body is a message's full text and HTML as kept in the bucket (JSON), for
// a message whose item holds only a snippet.
type Body struct {
	Text       string `json:"text,omitempty"`
	Quoted     string `json:"quoted,omitempty"`
	HTML       string `json:"html,omitempty"`
	QuotedHTML string `json:"quoted_html,omitempty"`
	// FullText is an email's whole text, quoted history included.
	FullText string `json:"full_text,omitempty"`
}

// BodyKey is where the body of a provider message is kept: derived from its
// dedupe scope and provider id, so a redelivery writes the same object.
func BodyKey(scope, providerMessageID string) string {
	sum := sha256.Sum256([]byte(scope + "\x00" + providerMessageID))
	return "bodies/" + hex.EncodeToString(sum[:]) + ".json"
}

// BodySize is how many bytes of body m carries.
func (m *InboundMessage) BodySize() int {
	n := len(m.Text) + len(m.Quoted) + len(m.HTML) + len(m.QuotedHTML)
	if m.Email != nil {
		n += len(m.Email.FullText)
	}
	return n
}

// SplitBody moves a body over BodyMax out of m: it returns the whole body
// to keep under m.BodyLocation (set here to BodyKey) and leaves m with a
// snippet of its text and no HTML or quoted parts. It returns false, and
// leaves m as it is, for a body within BodyMax or one already moved.
func (m *InboundMessage) SplitBody() (Body, bool) {
	if m.BodySize() <= BodyMax {
		return Body{}, false
	}
	return m.MoveBody()
}

// MoveBody moves m's body out whatever its size (a producer whose encoded
// message is too large to queue, however little text that is): as
// SplitBody, and false for a message with no body or one moved already.
func (m *InboundMessage) MoveBody() (Body, bool) {
	if m.BodyLocation != "" || m.BodySize() == 0 {
		return Body{}, false
	}
	b := Body{Text: m.Text, Quoted: m.Quoted, HTML: m.HTML, QuotedHTML: m.QuotedHTML}
	if m.Email != nil {
		b.FullText = m.Email.FullText
		e := *m.Email // the caller's headers stay as they were
		e.FullText = ""
		m.Email = &e
	}
	m.Text = TruncateBytes(m.Text, BodySnippetMax, Ellipsis)
	m.Quoted, m.HTML, m.QuotedHTML = "", "", ""
	m.BodyLocation = BodyKey(m.DedupeScope(), m.ProviderMessageID)
	return b, true
}
