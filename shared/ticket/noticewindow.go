package ticket

import "time"

// NoticeWindowOpen reports whether an automated customer notice may still
// go in a Messenger or WhatsApp conversation whose customer last wrote at
// last: only inside the 24 h standard window (an automated message may not
// use Messenger's HUMAN_AGENT tag, and WhatsApp's free-form window is 24 h;
// templates are not supported yet). Half-open like the reply windows: at
// exactly 24 h it is closed; a customer who never wrote (zero last) has no
// window; a now before last (clock skew) counts as no time elapsed.
func NoticeWindowOpen(last, now time.Time) bool {
	return !last.IsZero() && elapsed(last, now) < MessengerStandardWindow
}
