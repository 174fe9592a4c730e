package sqsqueue

import (
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

func inbound() *helpdesk.InboundMessage {
	return &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelForm, ChannelID: "web",
		ProviderMessageID: "s1", ReceivedAt: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC),
		Sender: helpdesk.Sender{Email: "Ann@Example.com"}, Subject: "Hi", Submission: map[string]string{"plan": "pro"}}
}

func TestFIFOIdsStayWithinSQSRules(t *testing.T) {
	m := inbound()
	if got := GroupID(m); got != "web#email#ann@example.com" {
		t.Errorf("group id = %q", got)
	}
	if got := DeduplicationID(m); got != "web#s1" {
		t.Errorf("dedupe id = %q", got)
	}
	m.ProviderMessageID = strings.Repeat("x", 200)
	m.Sender.Email = "zoë@example.com"
	for _, id := range []string{GroupID(m), DeduplicationID(m)} {
		if len(id) > 128 || !printableASCII(id) {
			t.Errorf("id %q breaks SQS rules", id)
		}
	}
	other := inbound()
	other.ProviderMessageID = strings.Repeat("x", 199) + "y"
	if DeduplicationID(other) == DeduplicationID(m) {
		t.Error("distinct long ids hash to the same dedupe id")
	}
}
