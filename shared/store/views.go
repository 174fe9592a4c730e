package store

import (
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// ErrInvalidCursor: a page position the store did not hand out.
var ErrInvalidCursor = &helpdesk.Error{Code: helpdesk.EInvalid, Reason: "invalid_cursor", Message: "the cursor is not one this list gave"}

// ParseViewCursor checks that a position has the shape of a view's sort key
// ("<time>#<ticket id>", with "A#" or "U#" first on a team view) and
// returns its ticket id.
func ParseViewCursor(pos string, team bool) (string, bool) {
	if team {
		var ok bool
		if pos, ok = strings.CutPrefix(pos, "A#"); !ok {
			if pos, ok = strings.CutPrefix(pos, "U#"); !ok {
				return "", false
			}
		}
	}
	at, id, ok := strings.Cut(pos, "#")
	if !ok || id == "" || strings.Contains(id, "#") || len(at) != len(sortTime(timeZero)) {
		return "", false
	}
	if _, err := time.Parse(helpdesk.SortTimeLayout, at); err != nil {
		return "", false
	}
	return id, true
}

// ValidPosition reports whether pos has the shape of a time-ordered list's
// sort key ("<time>#<id>": a notification feed, the audit trail).
func ValidPosition(pos string) bool {
	_, ok := ParseViewCursor(pos, false)
	return ok
}
