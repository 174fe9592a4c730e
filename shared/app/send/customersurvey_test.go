package send_test

import (
	"context"
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/app/send"
	"github.com/stackdesk/stackdesk/shared/csat"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/store/memstore"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// stateTicket commits form ticket 12 of contact c1 in state (closed at t0
// when closed) and the email channel customers are written from.
func stateTicket(t *testing.T, st *memstore.Store, state helpdesk.State) {
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

func noticeEnv(t *testing.T, kind helpdesk.CustomerNotifyKind) jobs.Envelope {
	t.Helper()
	body, err := jobs.Encode(jobs.KindCustomerEmail, jobs.CustomerEmail{NotificationID: "n1", TicketID: "12", Kind: kind,
		ContactID: "c1", ToEmail: "cus@example.com", FromChannelID: "email:s@acme.example", Subject: "[#12] Broken",
		Text: "Your request #12 (Broken) changed.", At: t0})
	if err != nil {
		t.Fatal(err)
	}
	env, err := jobs.DecodeEnvelope(string(body))
	if err != nil {
		t.Fatal(err)
	}
	return env
}

var surveyLink = regexp.MustCompile(`https://desk\.acme\.example/csat\?token=\S+`)

// A closing notice carries the survey link, signed as csat-page verifies
// it (the ticket and contact, 28 days from the close); other notices, a
// ticket reopened since, or no survey URL configured carry none.
func TestClosingNoticeCarriesTheSurveyLink(t *testing.T) {
	links := send.CustomerLinks{Unsubscribe: "https://desk.acme.example/unsubscribe", Survey: "https://desk.acme.example/csat"}
	sendOne := func(t *testing.T, state helpdesk.State, kind helpdesk.CustomerNotifyKind, links send.CustomerLinks) string {
		st := memstore.New()
		stateTicket(t, st, state)
		mailer := &recordingMailer{}
		s := &send.Sender{Store: st, Mailer: mailer, Tenant: "acme", TokenSecret: secret, Now: func() time.Time { return t0 }, Log: quiet, CustomerLinks: links}
		if err := s.Send(context.Background(), noticeEnv(t, kind), 1); err != nil {
			t.Fatal(err)
		}
		if len(mailer.sent) != 1 {
			t.Fatalf("%d mails, want 1", len(mailer.sent))
		}
		return decodedBody(t, mailer.sent[0])
	}

	body := sendOne(t, helpdesk.StateClosed, helpdesk.CustomerClosed, links)
	link := surveyLink.FindString(body)
	if link == "" {
		t.Fatalf("no survey link in the closing notice:\n%s", body)
	}
	u, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := csat.Verify(csat.LinkKey(secret), "acme", u.Query().Get("token"))
	if err != nil || tok.TicketID != "12" || tok.ContactID != "c1" || !tok.Expires.Equal(t0.Add(28*24*time.Hour)) {
		t.Fatalf("the link's token = %+v (%v), want ticket 12 of c1 until 28 days after the close", tok, err)
	}

	for name, tc := range map[string]struct {
		state helpdesk.State
		kind  helpdesk.CustomerNotifyKind
		links send.CustomerLinks
	}{
		"a reopened notice":         {helpdesk.StateOpen, helpdesk.CustomerReopened, links},
		"a waiting notice":          {helpdesk.StateClosed, helpdesk.CustomerWaiting, links},
		"the ticket reopened since": {helpdesk.StateOpen, helpdesk.CustomerClosed, links},
		"no survey URL configured":  {helpdesk.StateClosed, helpdesk.CustomerClosed, send.CustomerLinks{Unsubscribe: links.Unsubscribe}},
	} {
		t.Run(name, func(t *testing.T) {
			if body := sendOne(t, tc.state, tc.kind, tc.links); surveyLink.MatchString(body) || regexp.MustCompile(`csat`).MatchString(body) {
				t.Errorf("a survey link:\n%s", body)
			}
		})
	}
}
