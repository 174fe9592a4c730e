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
	"github.com/stackdesk/stackdesk/shared/store/memstore"
)

var surveyLink = regexp.MustCompile(`https://desk\.acme\.example/csat\?token=\S+`)

// A closing notice carries the survey link, signed as csat-page verifies
// it (the ticket and contact, 28 days from the close); other notices, a
// ticket reopened since, or no survey URL configured carry none.
func TestClosingNoticeCarriesTheSurveyLink(t *testing.T) {
	links := send.CustomerLinks{Unsubscribe: "https://desk.acme.example/unsubscribe", Survey: "https://desk.acme.example/csat"}
	sendOne := func(t *testing.T, state helpdesk.State, kind helpdesk.CustomerNotifyKind, links send.CustomerLinks) string {
		st := memstore.New()
		formTicket(t, st, state)
		mailer := &recordingMailer{}
		s := &send.Sender{Store: st, Mailer: mailer, Tenant: "acme", TokenSecret: secret, Now: func() time.Time { return t0 }, Log: quiet, CustomerLinks: links}
		if err := s.Send(context.Background(), emailEnv(t, kind, "[#12] Broken", "Your request #12 (Broken) changed."), 1); err != nil {
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
