package send_test

import (
	"bytes"
	"context"
	"io"
	"mime/quotedprintable"
	"net/mail"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/app/send"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/store/memstore"
	"github.com/stackdesk/stackdesk/shared/ticket"
	"github.com/stackdesk/stackdesk/shared/unsubscribe"
)

// formTicket commits form ticket 12 of contact c1 in state (closed at t0
// when closed; spam puts it in the Spam view) and the email channel
// customers are written from.
func formTicket(t *testing.T, st *memstore.Store, state helpdesk.State) {
	t.Helper()
	ctx := context.Background()
	form := helpdesk.Channel{ID: "web", Kind: helpdesk.ChannelForm, Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}}
	mail := helpdesk.Channel{ID: "email:s@acme.example", Kind: helpdesk.ChannelEmail, Email: &helpdesk.EmailSettings{Address: "s@acme.example", CompanyName: "Acme"}}
	for _, ch := range []helpdesk.Channel{form, mail} {
		if err := st.PutChannel(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	in := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelForm, ChannelID: "web", ProviderMessageID: "s1",
		ReceivedAt: t0, Sender: helpdesk.Sender{Email: "cus@example.com"}, Subject: "Broken", Text: "It broke"}
	c, _ := ticket.Open(ticket.Arrival{ID: "12", Inbound: in, Message: helpdesk.Message{ID: "m1", Direction: helpdesk.Inbound, ChannelID: "web",
		ChannelKind: helpdesk.ChannelForm, Text: in.Text, CreatedAt: t0}, Channel: form, ContactID: "c1", SenderKey: in.Sender.Key(helpdesk.ChannelForm)}, helpdesk.DefaultSettings(), t0)
	c.Ticket().State = state
	if state == helpdesk.StateClosed {
		c.Ticket().ClosedAt = t0
	}
	if err := st.Commit(ctx, c); err != nil {
		t.Fatal(err)
	}
}

// customerEnv is the customer.email job of ticket 12's closing notice.
func customerEnv(t *testing.T) jobs.Envelope {
	return emailEnv(t, helpdesk.CustomerClosed, "[#12] Your request was closed: Broken", "Your request #12 (Broken) is now closed.")
}

// emailEnv is a customer.email job of ticket 12 to its customer.
func emailEnv(t *testing.T, kind helpdesk.CustomerNotifyKind, subject, text string) jobs.Envelope {
	t.Helper()
	body, err := jobs.Encode(jobs.KindCustomerEmail, jobs.CustomerEmail{NotificationID: "n1", TicketID: "12", Kind: kind,
		ContactID: "c1", ToEmail: "cus@example.com", FromChannelID: "email:s@acme.example", Subject: subject, Text: text, At: t0})
	if err != nil {
		t.Fatal(err)
	}
	env, err := jobs.DecodeEnvelope(string(body))
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// decodedBody is the text of a single-part mail.
func decodedBody(t *testing.T, raw []byte) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var unsubLink = regexp.MustCompile(`List-Unsubscribe: <([^>]+)>`)

func TestCustomerEmailsCarryASignedUnsubscribeLink(t *testing.T) {
	st := memstore.New()
	formTicket(t, st, helpdesk.StateOpen)
	mailer := &recordingMailer{}
	s := &send.Sender{Store: st, Mailer: mailer, Tenant: "acme", TokenSecret: secret, Now: func() time.Time { return t0 }, Log: quiet,
		CustomerLinks: send.CustomerLinks{Unsubscribe: "https://desk.acme.example/unsubscribe", Portal: "https://desk.acme.example/portal/tickets/{id}"}}
	if err := s.Send(context.Background(), customerEnv(t), 1); err != nil {
		t.Fatal(err)
	}
	if len(mailer.sent) != 1 {
		t.Fatalf("%d mails, want 1", len(mailer.sent))
	}
	raw := string(mailer.sent[0])
	for _, want := range []string{"From: \"Acme\" <s@acme.example>", "To: <cus@example.com>", "Subject: [#12] Your request was closed: Broken",
		"List-Unsubscribe-Post: List-Unsubscribe=One-Click", "Auto-Submitted: auto-generated"} {
		if !strings.Contains(raw, want) {
			t.Errorf("mail lacks %q:\n%s", want, raw)
		}
	}
	if body := decodedBody(t, mailer.sent[0]); !strings.Contains(body, "See your request: https://desk.acme.example/portal/tickets/12") || !strings.Contains(body, "/unsubscribe?token=") {
		t.Errorf("the text lacks the portal or the unsubscribe link:\n%s", body)
	}
	m := unsubLink.FindStringSubmatch(raw)
	if m == nil || !strings.Contains(raw, m[1]) {
		t.Fatalf("no List-Unsubscribe link:\n%s", raw)
	}
	u, err := url.Parse(m[1])
	if err != nil {
		t.Fatal(err)
	}
	contact, kind, err := unsubscribe.Verify(unsubscribe.Key(secret), u.Query().Get("token"))
	if err != nil || contact != "c1" || kind != helpdesk.CustomerClosed {
		t.Fatalf("the link's token names %q %q (%v), want c1's closed", contact, kind, err)
	}
}

func TestCustomerEmailsAreDroppedWhenTheyMustNotGo(t *testing.T) {
	for name, tc := range map[string]struct {
		state helpdesk.State
		links send.CustomerLinks
	}{
		"the ticket went to spam since": {state: helpdesk.StateSpam, links: send.CustomerLinks{Unsubscribe: "https://desk.acme.example/unsubscribe"}},
		"no unsubscribe link to give":   {state: helpdesk.StateOpen},
	} {
		t.Run(name, func(t *testing.T) {
			st := memstore.New()
			formTicket(t, st, tc.state)
			mailer := &recordingMailer{}
			s := &send.Sender{Store: st, Mailer: mailer, Tenant: "acme", TokenSecret: secret, Now: func() time.Time { return t0 }, Log: quiet, CustomerLinks: tc.links}
			if err := s.Send(context.Background(), customerEnv(t), 1); err != nil || len(mailer.sent) != 0 {
				t.Fatalf("send: %v, %d mails; want dropped (nil, none)", err, len(mailer.sent))
			}
		})
	}
}
