package send_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/stackdesk/stackdesk/infra/devstack/graphfake"
	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/app/send"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/channel/meta/graphapi"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/threading"
)

const (
	pageID    = "106907411778215"
	psid      = "3163874143641178"
	phoneID   = "106540352242922"
	waID      = "16505551234"
	pageToken = "EAAG-page-token"
	waToken   = "EAAG-system-user-token"
)

type staticTokens map[string]string

func (s staticTokens) AccessToken(_ context.Context, channelID string) (string, error) {
	if t, ok := s[channelID]; ok {
		return t, nil
	}
	return "", helpdesk.Errorf(helpdesk.EInvalid, "access_token_missing", "no access token for channel %s", channelID)
}

type chatDesk struct {
	st      testbed.Store
	ingest  *ingest.Service
	tickets *desk.Service
	sender  *send.Sender
	graph   *graphfake.Fake
	outbox  []string
	clk     *time.Time
}

func (d *chatDesk) Publish(_ context.Context, body string) error {
	d.outbox = append(d.outbox, body)
	return nil
}

func newChatDesk(t *testing.T, b testbed.Backend, page helpdesk.MessengerSettings) *chatDesk {
	clk := t0
	d := &chatDesk{clk: &clk, graph: graphfake.Start(t)}
	now := func() time.Time { return *d.clk }
	d.st = b.Open(t, now)
	page.PageID = pageID
	for _, ch := range []helpdesk.Channel{
		{ID: "messenger:" + pageID, Kind: helpdesk.ChannelMessenger, Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}, Messenger: &page},
		{ID: "whatsapp:" + phoneID, Kind: helpdesk.ChannelWhatsApp, Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"},
			WhatsApp: &helpdesk.WhatsAppSettings{PhoneNumberID: phoneID}},
	} {
		if err := d.st.PutChannel(context.Background(), ch); err != nil {
			t.Fatal(err)
		}
	}
	d.graph.AddPage(pageID, pageToken)
	d.graph.AddPhoneNumber(phoneID, waToken)
	d.ingest = &ingest.Service{Store: d.st, Threader: threading.ByChannel(secret), Settings: settings.Fixed(helpdesk.DefaultSettings()),
		Now: now, Log: quiet, Outbound: d}
	d.tickets = &desk.Service{Store: d.st, Settings: settings.Fixed(helpdesk.DefaultSettings()), Now: now}
	d.sender = &send.Sender{Store: d.st, Now: now, Log: quiet, GraphBackoff: time.Millisecond,
		Graph:  graphapi.New(d.graph.URL, "v21.0", nil),
		Tokens: staticTokens{"messenger:" + pageID: pageToken, "whatsapp:" + phoneID: waToken}}
	return d
}

// customerWrites applies a customer message at the desk's current time.
func (d *chatDesk) customerWrites(t *testing.T, kind helpdesk.ChannelKind, id string) string {
	t.Helper()
	m := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: kind, ProviderMessageID: id,
		ReceivedAt: *d.clk, Text: "help with " + id}
	if kind == helpdesk.ChannelMessenger {
		m.ChannelID, m.Sender = "messenger:"+pageID, helpdesk.Sender{PageID: pageID, PSID: psid}
	} else {
		m.ChannelID, m.Sender = "whatsapp:"+phoneID, helpdesk.Sender{WhatsAppID: waID, Name: "Sheena Nelson"}
	}
	r, err := d.ingest.Apply(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	return r.TicketID
}

// deliver hands job bodies to the outbound function's handler as SQS
// records received n times.
func (d *chatDesk) deliver(t *testing.T, received string, bodies ...string) events.SQSEventResponse {
	t.Helper()
	var ev events.SQSEvent
	for i, b := range bodies {
		ev.Records = append(ev.Records, events.SQSMessage{MessageId: string(rune('a' + i)), Body: b,
			Attributes: map[string]string{"ApproximateReceiveCount": received}})
	}
	resp, err := lambdax.OutboundHandler(d.sender, quiet)(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

func (d *chatDesk) message(t *testing.T, ticketID, id string) helpdesk.Message {
	t.Helper()
	return storedMessage(t, d.st, ticketID, id)
}

func jobBody(t *testing.T, jobs map[string]string) string {
	t.Helper()
	if len(jobs) != 1 {
		t.Fatalf("%d jobs, want 1", len(jobs))
	}
	for _, b := range jobs {
		return b
	}
	return ""
}

// The reply windows, with an injected clock: the agent replies (accepted
// or refused at once) and the sender checks again when it sends.
func TestChatReplyWindows(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		const minute = time.Minute
		cases := []struct {
			name      string
			kind      helpdesk.ChannelKind
			replyAt   time.Duration // after the customer's message
			sendAt    time.Duration
			wantType  string // Messenger messaging_type sent; "" = nothing sent
			wantTag   string
			wantFail  string // substring of the failure reason
			refuseNow bool   // the reply itself is refused
		}{
			{name: "messenger 23h59", kind: helpdesk.ChannelMessenger, replyAt: 23*time.Hour + 59*minute, sendAt: 23*time.Hour + 59*minute, wantType: "RESPONSE"},
			{name: "messenger 24h01 human agent tag", kind: helpdesk.ChannelMessenger, replyAt: 24*time.Hour + minute, sendAt: 24*time.Hour + minute, wantType: "MESSAGE_TAG", wantTag: "HUMAN_AGENT"},
			{name: "messenger queued at 23h59, sent at 24h01", kind: helpdesk.ChannelMessenger, replyAt: 23*time.Hour + 59*minute, sendAt: 24*time.Hour + minute, wantType: "MESSAGE_TAG", wantTag: "HUMAN_AGENT"},
			{name: "messenger 6d23h59", kind: helpdesk.ChannelMessenger, replyAt: 7*24*time.Hour - minute, sendAt: 7*24*time.Hour - minute, wantType: "MESSAGE_TAG", wantTag: "HUMAN_AGENT"},
			{name: "messenger 7d+1m refused", kind: helpdesk.ChannelMessenger, replyAt: 7*24*time.Hour + minute, refuseNow: true},
			{name: "messenger queued in time, sent at 7d+1m", kind: helpdesk.ChannelMessenger, replyAt: 7*24*time.Hour - minute, sendAt: 7*24*time.Hour + minute, wantFail: "7 days"},
			{name: "whatsapp 23h59", kind: helpdesk.ChannelWhatsApp, replyAt: 23*time.Hour + 59*minute, sendAt: 23*time.Hour + 59*minute, wantType: "text"},
			{name: "whatsapp 24h01 refused", kind: helpdesk.ChannelWhatsApp, replyAt: 24*time.Hour + minute, refuseNow: true},
			{name: "whatsapp queued at 23h59, sent at 24h01", kind: helpdesk.ChannelWhatsApp, replyAt: 23*time.Hour + 59*minute, sendAt: 24*time.Hour + minute, wantFail: "24 h"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				d := newChatDesk(t, b, helpdesk.MessengerSettings{})
				ticketID := d.customerWrites(t, tc.kind, "c1")
				*d.clk = t0.Add(tc.replyAt)
				msg, queued, err := d.tickets.Reply(context.Background(), ticketID, "alice", "Here is your answer.", "")
				if tc.refuseNow {
					if !helpdesk.IsCode(err, helpdesk.EConflict) || helpdesk.ErrorReason(err) != "messaging_window_closed" {
						t.Fatalf("reply at %v: %v, want EConflict messaging_window_closed", tc.replyAt, err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				*d.clk = t0.Add(tc.sendAt)
				if resp := d.deliver(t, "1", jobBody(t, queued)); len(resp.BatchItemFailures) != 0 {
					t.Fatalf("job failed: %v", resp.BatchItemFailures)
				}
				got := d.message(t, ticketID, msg.ID)
				sent := d.graph.Sent()
				if tc.wantFail != "" {
					if got.Status != helpdesk.StatusFailed || !strings.Contains(got.StatusReason, tc.wantFail) {
						t.Fatalf("status %s %q, want failed with %q", got.Status, got.StatusReason, tc.wantFail)
					}
					if len(d.graph.Requests()) != 0 {
						t.Fatalf("a message outside the window reached the Graph API: %+v", d.graph.Requests())
					}
					return
				}
				if len(sent) != 1 {
					t.Fatalf("%d messages sent, want 1", len(sent))
				}
				s := sent[0]
				if got.Status != helpdesk.StatusSent || got.ProviderMessageID != s.MessageID {
					t.Fatalf("message %s provider id %q, want sent with %q", got.Status, got.ProviderMessageID, s.MessageID)
				}
				if tc.kind == helpdesk.ChannelMessenger {
					if s.Kind != graphfake.KindMessenger || s.AccountID != pageID || s.Token != pageToken || s.Recipient != psid ||
						s.MessagingType != tc.wantType || s.Tag != tc.wantTag || s.Text != "Here is your answer." {
						t.Fatalf("sent %+v", s)
					}
				} else if s.Kind != graphfake.KindWhatsApp || s.AccountID != phoneID || s.Token != waToken || s.Recipient != waID ||
					s.RecipientType != "individual" || s.Text != "Here is your answer." {
					t.Fatalf("sent %+v", s)
				}
				// A redelivered job sends nothing more.
				d.deliver(t, "2", jobBody(t, queued))
				if n := len(d.graph.Sent()); n != 1 {
					t.Fatalf("redelivery sent again: %d messages", n)
				}
			})
		}
	})
}

// Graph API errors: refusals are recorded on the message and not retried;
// rate limits and 5xx are retried with backoff, then handed back to SQS,
// and on the last delivery before the DLQ the message is marked failed.
func TestChatGraphErrors(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		reply := func(t *testing.T, d *chatDesk, kind helpdesk.ChannelKind) (string, helpdesk.Message, string) {
			ticketID := d.customerWrites(t, kind, "c1")
			msg, queued, err := d.tickets.Reply(context.Background(), ticketID, "alice", "Answer", "")
			if err != nil {
				t.Fatal(err)
			}
			return ticketID, msg, jobBody(t, queued)
		}
		t.Run("messenger outside window is recorded", func(t *testing.T) {
			d := newChatDesk(t, b, helpdesk.MessengerSettings{})
			ticketID, msg, job := reply(t, d, helpdesk.ChannelMessenger)
			d.graph.Script(func(graphfake.Request) *graphfake.Response { return graphfake.OutsideWindow() })
			if resp := d.deliver(t, "1", job); len(resp.BatchItemFailures) != 0 {
				t.Fatal("a refusal must not be retried")
			}
			got := d.message(t, ticketID, msg.ID)
			if got.Status != helpdesk.StatusFailed || !strings.Contains(got.StatusReason, "2018278") || !strings.Contains(got.StatusReason, "outside of allowed window") {
				t.Fatalf("status %s %q", got.Status, got.StatusReason)
			}
			if n := len(d.graph.Requests()); n != 1 {
				t.Fatalf("%d requests, want 1 (no retry of a refusal)", n)
			}
		})
		t.Run("whatsapp re-engagement is recorded", func(t *testing.T) {
			d := newChatDesk(t, b, helpdesk.MessengerSettings{})
			ticketID, msg, job := reply(t, d, helpdesk.ChannelWhatsApp)
			d.graph.Script(func(graphfake.Request) *graphfake.Response { return graphfake.ReEngagement() })
			d.deliver(t, "1", job)
			got := d.message(t, ticketID, msg.ID)
			if got.Status != helpdesk.StatusFailed || !strings.Contains(got.StatusReason, "131047") {
				t.Fatalf("status %s %q", got.Status, got.StatusReason)
			}
		})
		t.Run("rate limit then success", func(t *testing.T) {
			d := newChatDesk(t, b, helpdesk.MessengerSettings{})
			ticketID, msg, job := reply(t, d, helpdesk.ChannelMessenger)
			d.graph.FailNext(2, 429, 4, 0, "(#4) Application request limit reached")
			if resp := d.deliver(t, "1", job); len(resp.BatchItemFailures) != 0 {
				t.Fatalf("failures %v", resp.BatchItemFailures)
			}
			if got := d.message(t, ticketID, msg.ID); got.Status != helpdesk.StatusSent {
				t.Fatalf("status %s %q, want sent on the third try", got.Status, got.StatusReason)
			}
			if n := len(d.graph.Requests()); n != 3 {
				t.Fatalf("%d requests, want 3", n)
			}
		})
		t.Run("5xx retried then DLQ with the failure on the message", func(t *testing.T) {
			d := newChatDesk(t, b, helpdesk.MessengerSettings{})
			ticketID, msg, job := reply(t, d, helpdesk.ChannelMessenger)
			d.graph.Script(func(graphfake.Request) *graphfake.Response { return graphfake.Unavailable() })
			if resp := d.deliver(t, "1", job); len(resp.BatchItemFailures) != 1 {
				t.Fatal("a transient failure must hand the job back to SQS")
			}
			if got := d.message(t, ticketID, msg.ID); got.Status != helpdesk.StatusQueued {
				t.Fatalf("after a transient failure: %s, want still queued", got.Status)
			}
			if resp := d.deliver(t, "5", job); len(resp.BatchItemFailures) != 1 {
				t.Fatal("the last delivery must still fail the job (it goes to the DLQ)")
			}
			got := d.message(t, ticketID, msg.ID)
			if got.Status != helpdesk.StatusFailed || !strings.Contains(got.StatusReason, "not sent after 5 deliveries") {
				t.Fatalf("after the last delivery: %s %q", got.Status, got.StatusReason)
			}
			if n := len(d.graph.Requests()); n != 6 {
				t.Fatalf("%d requests, want 3 tries per delivery", n)
			}
		})
		t.Run("no access token configured", func(t *testing.T) {
			d := newChatDesk(t, b, helpdesk.MessengerSettings{})
			ticketID, msg, job := reply(t, d, helpdesk.ChannelMessenger)
			d.sender.Tokens = staticTokens{}
			d.deliver(t, "1", job)
			if got := d.message(t, ticketID, msg.ID); got.Status != helpdesk.StatusFailed || !strings.Contains(got.StatusReason, "no access token") {
				t.Fatalf("status %s %q", got.Status, got.StatusReason)
			}
		})
	})
}

// A new visitor's greeting and the instant reply go out in that order, and
// WhatsApp's statuses for our message find it by the wamid we were given.
func TestAutomaticRepliesAndStatusesEndToEnd(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		d := newChatDesk(t, b, helpdesk.MessengerSettings{Greeting: "Welcome to Acme!", InstantReply: "An agent will answer shortly."})
		d.customerWrites(t, helpdesk.ChannelMessenger, "m_1")
		if len(d.outbox) != 2 { // the replies, and the new contact's name (profile_test.go)
			t.Fatalf("%d jobs published, want 2", len(d.outbox))
		}
		d.deliver(t, "1", d.outbox...)
		sent := d.graph.Sent()
		if len(sent) != 2 || sent[0].Text != "Welcome to Acme!" || sent[1].Text != "An agent will answer shortly." ||
			sent[0].MessagingType != "RESPONSE" || sent[1].MessagingType != "RESPONSE" {
			t.Fatalf("sent %+v", sent)
		}

		ticketID := d.customerWrites(t, helpdesk.ChannelWhatsApp, "wamid.IN1")
		msg, queued, err := d.tickets.Reply(context.Background(), ticketID, "alice", "On its way.", "")
		if err != nil {
			t.Fatal(err)
		}
		d.deliver(t, "1", jobBody(t, queued))
		wamid := d.message(t, ticketID, msg.ID).ProviderMessageID
		for _, st := range []helpdesk.MessageStatus{helpdesk.StatusDelivered, helpdesk.StatusRead} {
			u := &jobs.StatusUpdate{Channel: helpdesk.ChannelWhatsApp, ChannelID: "whatsapp:" + phoneID, ProviderMessageID: wamid,
				Status: st, At: t0.Add(time.Minute)}
			if err := d.ingest.ApplyStatus(context.Background(), u, 1); err != nil {
				t.Fatal(err)
			}
		}
		if got := d.message(t, ticketID, msg.ID); got.Status != helpdesk.StatusRead {
			t.Fatalf("status %s, want read", got.Status)
		}
	})
}

// Explicit consent: the visitor gets the greeting, then the consent text
// with the "I agree" quick reply carrying our payload.
func TestConsentPromptIsSentWithTheAgreeChoice(t *testing.T) {
	testbed.EachStore(t, func(t *testing.T, b testbed.Backend) {
		d := newChatDesk(t, b, helpdesk.MessengerSettings{Greeting: "Hello!", Consent: helpdesk.ConsentExplicit,
			ConsentText: "We keep your messages to answer you. OK?", AgreeLabel: "Yes, I agree to this, thanks"})
		d.customerWrites(t, helpdesk.ChannelMessenger, "m_1")
		d.deliver(t, "1", d.outbox...)
		sent := d.graph.Sent()
		if len(sent) != 2 || sent[0].Text != "Hello!" || sent[1].Text != "We keep your messages to answer you. OK?" {
			t.Fatalf("sent %+v", sent)
		}
		qr := sent[1].QuickReplies
		if len(qr) != 1 || qr[0].ContentType != "text" || qr[0].Payload != helpdesk.ConsentAcceptPayload || qr[0].Title != "Yes, I agree to this" {
			t.Fatalf("quick replies %+v (titles are cut to 20 characters)", qr)
		}
	})
}
