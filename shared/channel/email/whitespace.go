package email

import "strings"

// cleanText makes a decoded header value storable: folding and any CR, LF,
// tab or other ASCII white space become one space, other control
// characters (C0, DEL, C1) and byte-order marks are dropped, and the ends
// are trimmed. Encoded words can carry any of them (a subject whose first
// word decodes to "\r\nHello"). Non-ASCII spaces (no-break, ideographic)
// are text and stay.
func cleanText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '\r' || r == '\n' || r == '\v' || r == '\f' || r == 0x85 || r == 0x2028 || r == 0x2029:
			space = b.Len() > 0
		case r < 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0) || r == 0xFEFF:
			// dropped
		default:
			if space {
				b.WriteByte(' ')
				space = false
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}

// cleanToken strips every white space and control character from a value
// that has none (an address, a message id).
func cleanToken(s string) string {
	return strings.Map(func(r rune) rune {
		if r <= 0x20 || r == 0x7F || (r >= 0x80 && r < 0xA0) || r == 0xFEFF || r == 0x2028 || r == 0x2029 {
			return -1
		}
		return r
	}, s)
}
