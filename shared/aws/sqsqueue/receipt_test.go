package sqsqueue

import (
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// A watermark (no provider id) is grouped by conversation, so one
// customer's receipts apply in order, and deduplicated by status and
// watermark, so Meta's redelivery is one record and the next receipt another.
func TestWatermarkEntries(t *testing.T) {
	at := time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
	w := func(psid string, st helpdesk.MessageStatus, at time.Time) entry {
		e, err := statusEntry(&jobs.StatusUpdate{Channel: helpdesk.ChannelMessenger, ChannelID: "messenger:1", Recipient: psid, Status: st, At: at})
		if err != nil {
			t.Fatal(err)
		}
		return e
	}
	a, again, later, delivered, other := w("42", "read", at), w("42", "read", at), w("42", "read", at.Add(time.Second)),
		w("42", "delivered", at), w("43", "read", at)
	if a.group != later.group || a.group != delivered.group || a.group == other.group || a.group != "receipt#messenger:1#42" {
		t.Errorf("groups %q %q %q %q", a.group, later.group, delivered.group, other.group)
	}
	if a.dedup != again.dedup || a.dedup == later.dedup || a.dedup == delivered.dedup {
		t.Errorf("dedup ids %q %q %q %q", a.dedup, again.dedup, later.dedup, delivered.dedup)
	}
}
