package send_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/jhillyerd/enmime/v2"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/app/send"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/aws/sesmail"
	"github.com/stackdesk/stackdesk/shared/channel/email/receive"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/threading"
)

// applyNow is the ingest queue and the router in one: it applies at once.
type applyNow struct {
	svc *ingest.Service
	res ingest.Result
}

func (a *applyNow) EnqueueInbound(ctx context.Context, m *helpdesk.InboundMessage) (err error) {
	a.res, err = a.svc.Apply(ctx, m)
	return err
}

// A mail whose Reply-To differs from From, received as SES delivers it: the
// agent's reply leaves SES addressed To the Reply-To address, not From.
func TestReplyIsSentToTheReplyToAddress(t *testing.T) {
	cfg := testbed.AWS(t, "DYNAMODB", "SESV2")
	db, table := testbed.Table(t)
	ctx := context.Background()
	now := func() time.Time { return t0 }
	st := store.New(db, table, store.WithClock(now))
	ses := sesv2.NewFromConfig(cfg)
	team := testbed.Name(t) + "@acme.example"
	if _, err := ses.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: &team}); err != nil {
		t.Fatal(err)
	}
	ch := helpdesk.Channel{ID: receive.ChannelID(team), Kind: helpdesk.ChannelEmail, Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"},
		Email: &helpdesk.EmailSettings{Address: team, CompanyName: "Acme Support"}}
	if err := st.PutChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile("../../channel/email/receive/testdata/reply_to.eml")
	if err != nil {
		t.Fatal(err)
	}
	q := &applyNow{svc: &ingest.Service{Store: st, Threader: threading.ByChannel(secret), Settings: settings.Fixed(helpdesk.DefaultSettings()), Now: now, Log: quiet}}
	h := &receive.Handler{Files: testbed.MailBucket{"inbound/ses-r1": raw}, Channels: st, Queue: q, Tenant: "acme", Prefix: "inbound/", Log: quiet}
	if err := h.Receive(ctx, receive.Delivery{ID: "ses-r1", Recipients: []string{team}, Timestamp: t0}); err != nil || !q.res.Created {
		t.Fatalf("receive: %v, %+v", err, q.res)
	}

	svc := &desk.Service{Store: st, Settings: settings.Fixed(helpdesk.DefaultSettings()), Now: now}
	msg, queued, err := svc.Reply(ctx, q.res.TicketID, "alice", "Sorry to hear that, a new kettle is on its way.", "")
	if err != nil {
		t.Fatal(err)
	}
	sender := &send.Sender{Store: st, Mailer: &sesmail.Mailer{Client: ses}, Tenant: "acme", TokenSecret: secret, Now: now, Log: quiet}
	handle := lambdax.OutboundHandler(sender, quiet)
	resp, err := handle(ctx, events.SQSEvent{Records: []events.SQSMessage{{MessageId: "job", Body: queued[msg.ID]}}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("send: %+v %v", resp, err)
	}
	sent := sentMail(t, team)
	if len(sent) != 1 {
		t.Fatalf("SES recorded %d messages from %s, want 1", len(sent), team)
	}
	env, err := enmime.ReadEnvelope(strings.NewReader(sent[0]))
	if err != nil {
		t.Fatal(err)
	}
	if to := env.GetHeader("To"); addrOf(to) != "alice.martin.home@mail.example" {
		t.Fatalf("reply sent To %q, want the Reply-To address", to)
	}
	if stored := storedMessage(t, st, q.res.TicketID, msg.ID); stored.Status != helpdesk.StatusSent {
		t.Fatalf("reply recorded as %q (%s)", stored.Status, stored.StatusReason)
	}
}
