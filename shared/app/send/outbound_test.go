package send_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/jhillyerd/enmime/v2"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/desk"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/app/send"
	"github.com/stackdesk/stackdesk/shared/app/settings"
	"github.com/stackdesk/stackdesk/shared/aws/s3files"
	"github.com/stackdesk/stackdesk/shared/aws/sesmail"
	"github.com/stackdesk/stackdesk/shared/channel/email/replytoken"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/lambdax"
	"github.com/stackdesk/stackdesk/shared/store"
	"github.com/stackdesk/stackdesk/shared/threading"
)

var (
	secret = []byte("0123456789abcdef0123456789abcdef")
	quiet  = slog.New(slog.NewTextHandler(io.Discard, nil))
	t0     = time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC)
)

// sentMail returns the raw messages moto's SES has recorded from the
// address from (other packages' tests send through the same moto at once).
func sentMail(t *testing.T, from string) []string {
	t.Helper()
	return testbed.SentMail(t, func(m testbed.SESMessage) bool { return strings.Contains(m.RawData, from) })
}

// storedMessage reads message id of a ticket back, failing if it is not there.
func storedMessage(t *testing.T, st interface {
	GetTicket(context.Context, string) (helpdesk.Conversation, error)
}, ticketID, id string) helpdesk.Message {
	t.Helper()
	c, err := st.GetTicket(context.Background(), ticketID)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range c.Messages {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("message %s not on ticket %s", id, ticketID)
	return helpdesk.Message{}
}

func TestAgentReplyThreadsBothWays(t *testing.T) {
	cfg := testbed.AWS(t, "DYNAMODB", "SESV2", "S3")
	db, table := testbed.Table(t)
	ctx := context.Background()
	now := func() time.Time { return t0 }
	st := store.New(db, table, store.WithClock(now))
	ses := sesv2.NewFromConfig(cfg)
	files := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	bucket := testbed.Name(t) + "-mail"
	if _, err := files.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		t.Fatal(err)
	}
	pdf := []byte("%PDF-1.4 invoice")
	attKey := "attachments/upload-1/00-invoice.pdf"
	if _, err := files.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &attKey, Body: bytes.NewReader(pdf)}); err != nil {
		t.Fatal(err)
	}
	team := testbed.Name(t) + "@acme.example"
	if _, err := ses.CreateEmailIdentity(ctx, &sesv2.CreateEmailIdentityInput{EmailIdentity: &team}); err != nil {
		t.Fatal(err)
	}
	chID := "email:" + team
	ch := helpdesk.Channel{ID: chID, Kind: helpdesk.ChannelEmail, Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"},
		Email: &helpdesk.EmailSettings{Address: team, CompanyName: "Acme Support", FromMode: "agent_and_company",
			Signature: "Best regards,\n{{full_name}} ({{first_name}})"}}
	if err := st.PutChannel(ctx, ch); err != nil {
		t.Fatal(err)
	}
	if err := st.PutAgent(ctx, helpdesk.Agent{ID: "alice", Name: "Alice Martin", Email: "alice@acme.example", Seat: true, Active: true}); err != nil {
		t.Fatal(err)
	}
	in := &ingest.Service{Store: st, Threader: threading.ByChannel(secret), Settings: settings.Fixed(helpdesk.DefaultSettings()), Now: now, Log: quiet}
	customer := func(id, subject string, h helpdesk.EmailHeaders) ingest.Result {
		t.Helper()
		h.MessageID = id
		r, err := in.Apply(ctx, &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: chID,
			ProviderMessageID: id, ReceivedAt: t0, Sender: helpdesk.Sender{Email: "ann@example.com", Name: "Ann Lee"},
			Subject: subject, Text: "body of " + id, Email: &h})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	first := customer("c1@example.com", "Printer on fire", helpdesk.EmailHeaders{})

	svc := &desk.Service{Store: st, Settings: settings.Fixed(helpdesk.DefaultSettings()), Now: now}
	msg, queued, err := svc.Reply(ctx, first.TicketID, "alice", "We are on it.", "",
		helpdesk.Attachment{Name: "invoice.pdf", ContentType: "application/pdf", Size: int64(len(pdf)), Key: attKey})
	if err != nil {
		t.Fatal(err)
	}
	sender := &send.Sender{Store: st, Mailer: &sesmail.Mailer{Client: ses}, Files: &s3files.Bucket{Client: files, Name: bucket},
		Tenant: "acme", TokenSecret: secret, Now: now, Log: quiet}
	handle := lambdax.OutboundHandler(sender, quiet)
	// The job delivered twice sends once. (Counted after each delivery: a
	// busy moto can drop a connection after recording a send, and the SDK's
	// own retry then records it twice; that is the transport, not the job.)
	counts := []int{len(sentMail(t, team))}
	for range 2 {
		ev := events.SQSEvent{Records: []events.SQSMessage{{MessageId: "job", Body: queued[msg.ID]}}}
		resp, err := handle(ctx, ev)
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("send: %+v %v", resp, err)
		}
		counts = append(counts, len(sentMail(t, team)))
	}
	if counts[1] == counts[0] || counts[2] != counts[1] {
		t.Fatalf("SES recorded %d messages, then %d, then %d: want the first delivery to send and the second to send nothing", counts[0], counts[1], counts[2])
	}
	sent := sentMail(t, team)
	env, err := enmime.ReadEnvelope(strings.NewReader(sent[len(sent)-1]))
	if err != nil {
		t.Fatal(err)
	}
	if from := env.GetHeader("From"); !strings.Contains(from, "Alice Martin") || !strings.Contains(from, team) {
		t.Errorf("From = %q", from)
	}
	replyTo := env.GetHeader("Reply-To")
	if id, _, ok := replytoken.Parse(secret, addrOf(replyTo)); !ok || id != first.TicketID {
		t.Errorf("Reply-To %q does not carry a valid token for ticket %s", replyTo, first.TicketID)
	}
	if got := env.GetHeader("In-Reply-To"); got != "<c1@example.com>" {
		t.Errorf("In-Reply-To = %q", got)
	}
	if got := env.GetHeader("References"); !strings.Contains(got, "<c1@example.com>") {
		t.Errorf("References = %q", got)
	}
	if !strings.Contains(env.Text, "We are on it.") || !strings.Contains(env.Text, "Alice Martin (Alice)") {
		t.Errorf("body = %q", env.Text)
	}
	if len(env.Attachments) != 1 || env.Attachments[0].FileName != "invoice.pdf" || !bytes.Equal(env.Attachments[0].Content, pdf) {
		t.Errorf("attachments = %d", len(env.Attachments))
	}
	if env.GetHeader("X-Stackdesk-Loop") != "acme" || !strings.Contains(env.GetHeader("Subject"), "[#"+first.TicketID+"]") {
		t.Errorf("loop header %q, subject %q", env.GetHeader("X-Stackdesk-Loop"), env.GetHeader("Subject"))
	}
	stored := storedMessage(t, st, first.TicketID, msg.ID)
	conv, _ := st.GetTicket(ctx, first.TicketID)
	if stored.Status != helpdesk.StatusSent || stored.ProviderMessageID == "" || conv.Ticket.OwnerID != "alice" {
		t.Fatalf("stored reply %+v, owner %q", stored, conv.Ticket.OwnerID)
	}

	// The customer's answer to our mail threads back by In-Reply-To, or by
	// the reply token alone when their client drops the headers.
	ourID := strings.Trim(env.GetHeader("Message-ID"), "<>")
	if r := customer("c2@example.com", "Re: Printer on fire", helpdesk.EmailHeaders{InReplyTo: []string{ourID}}); r.TicketID != first.TicketID || r.Reason != threading.ReasonInReplyTo {
		t.Fatalf("answer by In-Reply-To: %+v", r)
	}
	if r := customer("c3@example.com", "hello again", helpdesk.EmailHeaders{Recipients: []string{addrOf(replyTo)}}); r.TicketID != first.TicketID || r.Reason != threading.ReasonReplyToken {
		t.Fatalf("answer by reply token: %+v", r)
	}

	// A bounce of our reply marks it failed, with the reason, and makes no ticket.
	bounce := &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: chID,
		ProviderMessageID: "dsn1@mx.example", ReceivedAt: t0, Sender: helpdesk.Sender{Email: "mailer-daemon@mx.example"},
		Subject: "Undelivered Mail Returned to Sender",
		Email: &helpdesk.EmailHeaders{MessageID: "dsn1@mx.example", Kind: helpdesk.EmailBounce,
			KindReason: "multipart/report delivery-status", BouncedMessageIDs: []string{"<" + ourID + ">"}}}
	for range 2 {
		if r, err := in.Apply(ctx, bounce); err != nil || r.Created || r.TicketID != first.TicketID {
			t.Fatalf("bounce: %+v %v", r, err)
		}
	}
	if m := storedMessage(t, st, first.TicketID, msg.ID); m.Status != helpdesk.StatusFailed || !strings.HasPrefix(m.StatusReason, "bounced") {
		t.Fatalf("bounced reply recorded as %q (%s)", m.Status, m.StatusReason)
	}
	if open, _ := st.ListTickets(ctx, helpdesk.StateOpen, 10); len(open) != 1 {
		t.Fatalf("%d open tickets after the bounce, want 1", len(open))
	}
}

func TestRefusedSendIsRecordedOnTheMessage(t *testing.T) {
	cfg := testbed.AWS(t, "DYNAMODB", "SESV2")
	db, table := testbed.Table(t)
	ctx := context.Background()
	now := func() time.Time { return t0 }
	st := store.New(db, table, store.WithClock(now))
	team := testbed.Name(t) + "@unverified.example" // never verified: SES refuses to send from it
	chID := "email:" + team
	if err := st.PutChannel(ctx, helpdesk.Channel{ID: chID, Kind: helpdesk.ChannelEmail,
		Defaults: helpdesk.TicketDefaults{Pipeline: "support", Status: "new"}, Email: &helpdesk.EmailSettings{Address: team, CompanyName: "Acme"}}); err != nil {
		t.Fatal(err)
	}
	in := &ingest.Service{Store: st, Threader: threading.ByChannel(secret), Settings: settings.Fixed(helpdesk.DefaultSettings()), Now: now, Log: quiet}
	r, err := in.Apply(ctx, &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelEmail, ChannelID: chID,
		ProviderMessageID: "x1@example.com", ReceivedAt: t0, Sender: helpdesk.Sender{Email: "bob@example.com"}, Subject: "Hi",
		Text: "hi", Email: &helpdesk.EmailHeaders{MessageID: "x1@example.com"}})
	if err != nil {
		t.Fatal(err)
	}
	svc := &desk.Service{Store: st, Settings: settings.Fixed(helpdesk.DefaultSettings()), Now: now}
	msg, queued, err := svc.Reply(ctx, r.TicketID, "nobody", "Answer", "")
	if err != nil {
		t.Fatal(err)
	}
	sender := &send.Sender{Store: st, Mailer: &sesmail.Mailer{Client: sesv2.NewFromConfig(cfg)}, Tenant: "acme", TokenSecret: secret, Now: now, Log: quiet}
	handle := lambdax.OutboundHandler(sender, quiet)
	resp, err := handle(ctx, events.SQSEvent{Records: []events.SQSMessage{{MessageId: "job", Body: queued[msg.ID]}}})
	if err != nil || len(resp.BatchItemFailures) != 0 {
		t.Fatalf("a permanent refusal must not be retried: %+v %v", resp, err)
	}
	if m := storedMessage(t, st, r.TicketID, msg.ID); m.Status != helpdesk.StatusFailed || !strings.Contains(m.StatusReason, "refused by SES") {
		t.Fatalf("refused reply recorded as %q (%s)", m.Status, m.StatusReason)
	}
	// Bad jobs are reported for redelivery (and reach the DLQ), never dropped silently.
	resp, _ = handle(ctx, events.SQSEvent{Records: []events.SQSMessage{{MessageId: "bad", Body: `{"kind":"fax"}`}}})
	if len(resp.BatchItemFailures) != 1 || !bytes.Contains([]byte(resp.BatchItemFailures[0].ItemIdentifier), []byte("bad")) {
		t.Fatalf("unknown job kind: %+v", resp)
	}
}

func addrOf(header string) string {
	if i := strings.LastIndex(header, "<"); i >= 0 {
		return strings.Trim(header[i:], "<> ")
	}
	return strings.TrimSpace(header)
}

// retryOrGiveUp marks a message failed on the delivery SQS will not repeat:
// that is the template's maxReceiveCount, so the two must agree.
func TestMaxReceivesIsTheTemplates(t *testing.T) {
	qs, err := testbed.Template(t).Queues()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range qs {
		if q.LogicalID == "OutboundQueue" {
			if q.MaxReceiveCount != send.MaxReceives {
				t.Fatalf("OutboundQueue maxReceiveCount %d, outbound.MaxReceives %d", q.MaxReceiveCount, send.MaxReceives)
			}
			return
		}
	}
	t.Fatal("no OutboundQueue in template.yaml")
}
