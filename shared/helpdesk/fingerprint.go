package helpdesk

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
)

// UnknownSenderName names the contact of a mail that gave no address.
const UnknownSenderName = "Unknown sender"

// ContentFingerprint is the SHA-256 (hex) of what makes a mail this mail:
// the sender's address, the subject, the text and HTML (new and quoted),
// and each attachment's name and size. Not the recipients, the channel or
// the time: the same mail delivered twice, or to two of the tenant's
// addresses, has the same fingerprint; a different mail reusing its
// Message-ID has another.
func (m *InboundMessage) ContentFingerprint() string {
	h := sha256.New()
	field(h, strings.ToLower(strings.TrimSpace(m.Sender.Email)))
	for _, s := range []string{m.Subject, m.Text, m.Quoted, m.HTML, m.QuotedHTML} {
		field(h, s)
	}
	for _, a := range m.Attachments {
		field(h, a.Name)
		field(h, fmt.Sprint(a.Size))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// field writes s length-prefixed, so no two field lists hash alike.
func field(h hash.Hash, s string) { fmt.Fprintf(h, "%d:%s;", len(s), s) }
