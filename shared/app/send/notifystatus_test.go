package send_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/send"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
	"github.com/stackdesk/stackdesk/shared/ticket"
)

// flakyChannels is the store with channel reads failing as a throttled or
// stalled table fails them.
type flakyChannels struct {
	testbed.Store
	fail bool
}

var errThrottled = errors.New("ProvisionedThroughputExceededException: the table is busy")

func (s *flakyChannels) GetChannel(ctx context.Context, id string) (helpdesk.Channel, error) {
	if s.fail {
		return helpdesk.Channel{}, errThrottled
	}
	return s.Store.GetChannel(ctx, id)
}

// notifyDesk is a form ticket "1" with Ann's notification about it, and the
// job that emails her; there is no email channel to send from.
func notifyDesk(t *testing.T) (*flakyChannels, jobs.Envelope, helpdesk.Notification) {
	t.Helper()
	ctx := context.Background()
	st := &flakyChannels{Store: testbed.Mem.Open(t, nil)}
	web := helpdesk.Channel{ID: "web", Kind: helpdesk.ChannelForm, Name: "Contact",
		Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}, Form: &helpdesk.FormSettings{Auth: helpdesk.FormAuthNone}}
	if err := st.PutChannel(ctx, web); err != nil {
		t.Fatal(err)
	}
	in := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelForm, ChannelID: "web",
		ProviderMessageID: "sub-1", ReceivedAt: t0, Sender: helpdesk.Sender{Email: "carl@example.com"}, Subject: "Refund", Text: "Order 7"}
	c, _ := ticket.Open(ticket.Arrival{ID: "1", Inbound: in, Message: helpdesk.Message{ID: "m1", Direction: helpdesk.Inbound,
		ChannelID: "web", ChannelKind: helpdesk.ChannelForm, Text: in.Text, CreatedAt: t0}, Channel: web, ContactID: "c1",
		SenderKey: in.Sender.Key(in.Channel)}, helpdesk.DefaultSettings(), t0)
	n := helpdesk.Notification{ID: "n1", Recipient: helpdesk.AgentRecipient("ann"), Kind: helpdesk.NotifyAssigned, TicketID: "1", Subject: "Refund", At: t0}
	c.Notifications = append(c.Notifications, n)
	if err := st.Commit(ctx, c); err != nil {
		t.Fatal(err)
	}
	body, err := jobs.Encode(jobs.KindNotificationEmail, jobs.NotificationEmail{NotificationID: n.ID, TicketID: "1", Kind: n.Kind,
		ToAgentID: "ann", ToEmail: "ann@acme.test", Subject: "[#1] assigned to you: Refund", Recipient: n.Recipient, At: n.At})
	if err != nil {
		t.Fatal(err)
	}
	env, err := jobs.DecodeEnvelope(string(body))
	if err != nil {
		t.Fatal(err)
	}
	return st, env, n
}

// A notification whose channel cannot be read is handed back to the queue
// (retried, then kept in the DLQ), not dropped.
func TestNotificationIsRetriedWhenItsChannelReadFails(t *testing.T) {
	st, env, n := notifyDesk(t)
	st.fail = true
	s := &send.Sender{Store: st, Mailer: &refusingMailer{}, Now: func() time.Time { return t0 }, Log: quiet}
	if err := s.Send(context.Background(), env, 1); !errors.Is(err, errThrottled) {
		t.Fatalf("send: %v, want the channel read's error, so SQS delivers the job again", err)
	}
	if got := feed(t, st, n.Recipient); got[0].EmailStatus != "" {
		t.Fatalf("notification %+v: recorded as dropped, want it untouched while retried", got[0])
	}
}

// A notification dropped for a permanent reason (no sender to send it
// from) is logged and recorded on the notification, and not retried.
func TestNotificationDroppedForAPermanentReasonIsRecorded(t *testing.T) {
	st, env, n := notifyDesk(t)
	s := &send.Sender{Store: st, Mailer: &refusingMailer{}, Now: func() time.Time { return t0 }, Log: quiet}
	if err := s.Send(context.Background(), env, 1); err != nil {
		t.Fatalf("send: %v, want it settled (nothing retrying would change)", err)
	}
	got := feed(t, st, n.Recipient)
	if got[0].EmailStatus != send.NotificationEmailFailed || !strings.HasPrefix(got[0].EmailReason, "no_sender") {
		t.Fatalf("notification %+v, want its email recorded failed: no_sender", got[0])
	}
}

type refusingMailer struct{}

func (refusingMailer) SendRaw(context.Context, []byte) (string, error) {
	return "", errors.New("no mail expected")
}

func feed(t *testing.T, st testbed.Store, recipient string) []helpdesk.Notification {
	t.Helper()
	got, err := st.Notifications(context.Background(), recipient, 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("feed %+v, %v; want the one notification", got, err)
	}
	return got
}
