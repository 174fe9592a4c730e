package helpdesk

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Ellipsis is the marker a truncated user-visible text ends with.
const Ellipsis = "…"

// TruncateRunes returns s cut to at most max runes (Unicode code points),
// ellipsis included. It and TruncateBytes are the only truncators of user
// text; pick by what the limit counts:
//
//   - TruncateRunes when the limit is in characters: text shown to people,
//     and provider limits stated in characters (Meta's quick-reply titles,
//     message and caption lengths).
//   - TruncateBytes when the limit is in bytes: log and error fields, header
//     values, file names, storage keys and attribute sizes (DynamoDB, S3,
//     SES).
//   - Snippet for a one-line preview: TruncateRunes with Ellipsis after
//     trimming white space.
//
// Both follow the same rules:
//
//   - s is returned unchanged when it is valid UTF-8 and within max.
//   - The result is always valid UTF-8: invalid byte sequences in s (and in
//     ellipsis) become U+FFFD before measuring.
//   - A cut never splits a UTF-8 sequence, and it keeps a base character
//     together with the combining marks, variation selectors, emoji
//     modifiers and zero-width-joined characters after it, and regional
//     indicators (flags) in pairs: it falls before such a character, not
//     inside it. Only when that would leave nothing (one character longer
//     than max, as in "Zalgo" text) does it fall between code points.
//   - ellipsis is appended only when s is cut, and it counts towards max, so
//     the result never exceeds max; when max cannot hold it, the text is cut
//     to max without it. Pass "" for no marker, Ellipsis for "…".
//   - max <= 0 yields "" for any non-empty s.
func TruncateRunes(s string, max int, ellipsis string) string {
	return truncate(s, max, ellipsis, false, false)
}

// TruncateBytes returns s cut to at most max bytes, ellipsis included, by
// the rules of TruncateRunes.
func TruncateBytes(s string, max int, ellipsis string) string {
	return truncate(s, max, ellipsis, true, false)
}

// truncate implements the truncators. inBytes selects the unit of max;
// trimCut drops white space left at the end of the kept text before the
// ellipsis is appended.
func truncate(s string, max int, ellipsis string, inBytes, trimCut bool) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if !utf8.ValidString(ellipsis) {
		ellipsis = strings.ToValidUTF8(ellipsis, "\uFFFD")
	}
	if max < 0 {
		max = 0
	}
	size := utf8.RuneCountInString
	if inBytes {
		size = func(s string) int { return len(s) }
	}
	keep := max - size(ellipsis) // room for the text when it is cut
	if keep < 0 {
		ellipsis, keep = "", max
	}

	var cut int // byte offset of the cut, on a rune boundary
	if inBytes {
		if len(s) <= max {
			return s
		}
		cut = keep
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
	} else {
		n, over := 0, false
		for i := range s {
			if n == keep {
				cut = i
			}
			if n == max { // s has a rune past max
				over = true
				break
			}
			n++
		}
		if !over {
			return s
		}
	}
	head := s[:clusterStart(s, cut)]
	if trimCut {
		head = strings.TrimRightFunc(head, unicode.IsSpace)
	}
	return head + ellipsis
}

// clusterStart moves the cut at byte offset i (a rune boundary inside s) back
// to the start of the character it falls in, or leaves it when that would
// leave nothing.
func clusterStart(s string, i int) int {
	j := i
	for j > 0 && j < len(s) && joined(s, j) {
		_, n := utf8.DecodeLastRuneInString(s[:j])
		j -= n
	}
	if j == 0 {
		return i
	}
	return j
}

const zwj = '\u200d'

// joined reports whether the runes either side of offset i belong to one
// user-perceived character.
func joined(s string, i int) bool {
	prev, _ := utf8.DecodeLastRuneInString(s[:i])
	next, _ := utf8.DecodeRuneInString(s[i:])
	switch {
	case prev == '\r' && next == '\n', prev == zwj, extends(next):
		return true
	case regional(prev) && regional(next):
		// Flags are pairs of regional indicators: the cut is inside one
		// when an odd number of them precede it.
		odd := false
		for k := i; k > 0; {
			r, n := utf8.DecodeLastRuneInString(s[:k])
			if !regional(r) {
				break
			}
			odd = !odd
			k -= n
		}
		return odd
	}
	return false
}

// extends reports whether r continues the character before it: combining
// marks (including variation selectors), the zero width joiner, emoji skin
// tone modifiers and emoji tag characters.
func extends(r rune) bool {
	return unicode.Is(unicode.M, r) || r == zwj ||
		r >= 0x1F3FB && r <= 0x1F3FF || r >= 0xE0020 && r <= 0xE007F
}

func regional(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }
