package email

import (
	"regexp"
	"strings"
)

// forwardPrefix matches the forward markers mail clients put before a
// subject, in the languages our customers write: Fwd/Fw (and "Fwd :" with
// French spacing), TR (French), WG and W (German), RV (Spanish), I and Rif
// (Italian), Enc (Portuguese), VS (Norwegian, Danish), VB (Swedish), VL
// (Finnish), PD (Polish), TOV (Hungarian), İLT (Turkish), ΠΡΘ (Greek),
// Doorst (Dutch), Пересл (Russian), 转发/轉寄/転送 (Chinese, Japanese, with
// a full-width colon or none); Thunderbird's old "[Fwd: ...]"; an
// "[EXT]"-style tag may precede.
var forwardPrefix = regexp.MustCompile(`(?i)^\s*(\[[^\]]{1,30}\]\s*)?(` +
	`(fwd?|tr|wg|w\.?|rv|rif|i|enc|vs|vb|vl|pd|tov|i̇lt|ilt|πρθ|doorst|пересл\.?|переслано|fwd?\[\d+\])[\s\x{00a0}]?[:：]` +
	`|\[(fwd?|fw)[:：]` +
	`|(转发|轉發|轉寄|转寄|転送)[:：]?` +
	`)\s*`)

// forwardSuffix is Pine and Alpine's "Subject (fwd)".
var forwardSuffix = regexp.MustCompile(`(?i)\s*\(fwd\)\s*$`)

// isForwardSubject reports whether a subject marks a forward.
func isForwardSubject(s string) bool {
	return forwardPrefix.MatchString(s) || forwardSuffix.MatchString(s)
}

// trimForwardPrefix is the subject without its forward marker.
func trimForwardPrefix(s string) string {
	if m := forwardPrefix.FindStringSubmatchIndex(s); m != nil {
		bracket := strings.HasPrefix(strings.TrimSpace(strings.ToLower(s[m[4]:m[5]])), "[")
		s = s[m[1]:]
		if bracket {
			s = strings.TrimSuffix(strings.TrimSpace(s), "]")
		}
		return strings.TrimSpace(s)
	}
	return forwardSuffix.ReplaceAllString(s, "")
}
