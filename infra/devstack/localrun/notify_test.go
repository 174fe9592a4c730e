package localrun_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// startWithSender starts a local stack whose notification sender is its
// own, so its mail can be told apart in the moto shared by every test.
func startWithSender(t *testing.T, sender string) stack {
	t.Helper()
	return startStack(t, testbed.Name(t), sender)
}

// motoSentMail returns the raw mail moto's SES accepted from sender
// (GET /moto-api/data.json, "ses" → "RawMessage", as the README shows),
// one per Message-ID, as the recipient keeps them (testbed.DistinctMail).
func motoSentMail(t *testing.T, sender string) []string {
	t.Helper()
	return testbed.DistinctMail(testbed.SentMail(t, func(m testbed.SESMessage) bool {
		return strings.Contains(m.Source, sender) || strings.Contains(m.RawData, "<"+sender+">")
	}))
}

// Issue 11: agents were never emailed about WhatsApp tickets, and moto's SES
// refused every notification from an unverified sender. A WhatsApp message
// now becomes a ticket routed to an agent who asked for email, and the
// notification reaches moto's SES from the tenant's notification sender.
func TestWhatsAppTicketNotificationEmailReachesSES(t *testing.T) {
	sender := "notify-" + testbed.Name(t) + "@acme.example"
	s := startWithSender(t, sender)
	if code := s.deliver(t, "/whatsapp", fixture(t, "whatsapp_text.json")); code != http.StatusOK {
		t.Fatalf("webhook answered %d", code)
	}
	s.drain(t)
	c := s.conversationOf(t, helpdesk.ChannelWhatsApp)
	if c.Ticket.OwnerID == "" {
		t.Fatalf("the WhatsApp ticket was not assigned: %+v", c.Ticket)
	}
	owner, err := s.r.Store.GetAgent(context.Background(), c.Ticket.OwnerID)
	if err != nil {
		t.Fatal(err)
	}
	s.drainOutbound(t)
	mails := motoSentMail(t, sender)
	if len(mails) != 1 {
		t.Fatalf("moto's SES holds %d notifications from %s, want 1", len(mails), sender)
	}
	for _, want := range []string{"<" + owner.Email + ">", "Ticket #" + c.Ticket.ID} {
		if !strings.Contains(mails[0], want) {
			t.Errorf("the notification lacks %q:\n%s", want, mails[0])
		}
	}
}
