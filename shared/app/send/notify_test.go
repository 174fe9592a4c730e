package send_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/app/send"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/store/memstore"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

type recordingMailer struct{ sent [][]byte }

func (m *recordingMailer) SendRaw(_ context.Context, raw []byte) (string, error) {
	m.sent = append(m.sent, raw)
	return "ses-1", nil
}

// Issue 11: agents were never emailed about WhatsApp, Messenger or form
// tickets ("no email channel to send the notification from"). They are
// now emailed from the stack's notification sender, whatever the channel
// (a channel read that fails is retried: notifystatus_test.go).
func TestNotificationEmailsGoFromTheTenantSenderWhateverTheChannel(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	wa := helpdesk.Channel{ID: "whatsapp:106", Kind: helpdesk.ChannelWhatsApp, Name: "Acme on WhatsApp",
		Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}, WhatsApp: &helpdesk.WhatsAppSettings{PhoneNumberID: "106"}}
	if err := st.PutChannel(ctx, wa); err != nil {
		t.Fatal(err)
	}
	in := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelWhatsApp, ChannelID: wa.ID, ProviderMessageID: "wamid.1",
		ReceivedAt: t0, Sender: helpdesk.Sender{WhatsAppID: "165", Name: "Sheena"}, Text: "Does it come in blue?"}
	c, _ := ticket.Open(ticket.Arrival{ID: "12", Inbound: in, Message: helpdesk.Message{ID: "m1", Direction: helpdesk.Inbound, ChannelID: wa.ID,
		ChannelKind: wa.Kind, Text: in.Text, CreatedAt: t0}, Channel: wa, ContactID: "c1", SenderKey: in.Sender.Key(wa.Kind)}, helpdesk.DefaultSettings(), t0)
	if err := st.Commit(ctx, c); err != nil {
		t.Fatal(err)
	}
	body, err := jobs.Encode(jobs.KindNotificationEmail, jobs.NotificationEmail{NotificationID: "n1", TicketID: "12", Kind: helpdesk.NotifyAssigned,
		ToAgentID: "alice", ToEmail: "alice@acme.example", ToName: "Alice", Subject: "Ticket #12 was assigned to you"})
	if err != nil {
		t.Fatal(err)
	}
	env, err := jobs.DecodeEnvelope(string(body))
	if err != nil {
		t.Fatal(err)
	}
	mailer := &recordingMailer{}
	s := &send.Sender{Store: st, Mailer: mailer, Tenant: "acme", Now: func() time.Time { return t0 }, Log: quiet,
		NotificationSender: "notifications@acme.example"}
	if err := s.Send(ctx, env, 1); err != nil {
		t.Fatal(err)
	}
	if len(mailer.sent) != 1 {
		t.Fatalf("%d notification emails sent for a WhatsApp ticket, want 1", len(mailer.sent))
	}
	raw := string(mailer.sent[0])
	for _, want := range []string{"From: \"Acme on WhatsApp\" <notifications@acme.example>", "To: \"Alice\" <alice@acme.example>", "Ticket #12"} {
		if !strings.Contains(raw, want) {
			t.Errorf("notification lacks %q:\n%s", want, raw)
		}
	}
}
