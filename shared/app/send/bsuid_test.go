package send_test

import (
	"context"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/graphfake"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// A WhatsApp customer who shares no number (a username user, known by a
// business-scoped user id only) is answered at that id: the reply goes to
// the Cloud API as "recipient" and is sent.
func TestWhatsAppReplyToACustomerKnownOnlyByBSUID(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		const bsuid = "US.13491208655302741918"
		d := newChatDesk(t, b, helpdesk.MessengerSettings{})
		r, err := d.ingest.Apply(context.Background(), &helpdesk.InboundMessage{Version: helpdesk.InboundVersion,
			Channel: helpdesk.ChannelWhatsApp, ChannelID: "whatsapp:" + phoneID, ProviderMessageID: "wamid.U1",
			ReceivedAt: *d.clk, Text: "hello", Sender: helpdesk.Sender{WhatsAppUserID: bsuid, Name: "Ana"}})
		if err != nil {
			t.Fatal(err)
		}
		msg, queued, err := d.tickets.Reply(context.Background(), r.TicketID, "alice", "Hi Ana.", "")
		if err != nil {
			t.Fatal(err)
		}
		if resp := d.deliver(t, "1", jobBody(t, queued)); len(resp.BatchItemFailures) != 0 {
			t.Fatalf("job failed: %v", resp.BatchItemFailures)
		}
		sent := d.graph.Sent()
		if len(sent) != 1 || sent[0].Kind != graphfake.KindWhatsApp || sent[0].Recipient != bsuid || sent[0].Text != "Hi Ana." {
			t.Fatalf("sent %+v, want one WhatsApp text to %s", sent, bsuid)
		}
		if got := d.message(t, r.TicketID, msg.ID); got.Status != helpdesk.StatusSent || got.ProviderMessageID != sent[0].MessageID {
			t.Fatalf("reply %s %q (%s), want sent", got.Status, got.ProviderMessageID, got.StatusReason)
		}
	})
}
