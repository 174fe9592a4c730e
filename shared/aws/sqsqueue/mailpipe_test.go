package sqsqueue

import (
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Two different mails with one Message-ID from one sender share a FIFO
// group; their deduplication ids differ (by fingerprint), so SQS does not
// drop the second as a copy within its five minutes. The same mail again
// keeps its id.
func TestMailsReusingAMessageIDAreNotSQSDuplicates(t *testing.T) {
	mail := func(subject string) *helpdesk.InboundMessage {
		m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: "email:support@acme.example",
			ProviderMessageID: "1@localhost.localdomain", ReceivedAt: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC),
			Sender: helpdesk.Sender{Email: "shop@example.com"}, Subject: subject, Email: &helpdesk.EmailHeaders{MessageID: "1@localhost.localdomain"}}
		m.Email.Fingerprint = m.ContentFingerprint()
		return m
	}
	a, b := mail("Order 1"), mail("Order 2")
	if GroupID(a) != GroupID(b) {
		t.Fatal("one sender's mails must share a group")
	}
	if DeduplicationID(a) == DeduplicationID(b) {
		t.Fatalf("different mails share the deduplication id %q", DeduplicationID(a))
	}
	if DeduplicationID(a) != DeduplicationID(mail("Order 1")) {
		t.Fatal("the same mail got another deduplication id")
	}
}
