package lambdax

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/stackdesk/stackdesk/infra/devstack/testbed"
	"github.com/stackdesk/stackdesk/shared/app/ingest"
	"github.com/stackdesk/stackdesk/shared/channel/email/receive"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// fakeRouter records what the router handler hands it; a message whose
// subject is "fail" fails.
type fakeRouter struct {
	applied  []string // provider message ids
	statuses []string // provider message id + receive count
}

func (f *fakeRouter) Apply(_ context.Context, m *helpdesk.InboundMessage) (ingest.Result, error) {
	f.applied = append(f.applied, m.ProviderMessageID)
	if m.Subject == "fail" {
		return ingest.Result{}, errors.New("table unavailable")
	}
	return ingest.Result{TicketID: "1"}, nil
}

func (f *fakeRouter) ApplyStatus(_ context.Context, u *jobs.StatusUpdate, received int) error {
	f.statuses = append(f.statuses, fmt.Sprintf("%s@%d", u.ProviderMessageID, received))
	return nil
}

func inboundBody(t *testing.T, id, subject string) string {
	t.Helper()
	b, err := jobs.EncodeInbound(&helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelForm,
		ChannelID: "web", ProviderMessageID: id, ReceivedAt: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC),
		Sender: helpdesk.Sender{Email: "ann@example.com"}, Subject: subject})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func sqsRecord(id, group, receives, body string) events.SQSMessage {
	return events.SQSMessage{MessageId: id, Body: body,
		Attributes: map[string]string{"MessageGroupId": group, "ApproximateReceiveCount": receives}}
}

func failures(resp events.SQSEventResponse) []string {
	var out []string
	for _, f := range resp.BatchItemFailures {
		out = append(out, f.ItemIdentifier)
	}
	return out
}

// Inbound messages go to Apply, delivery reports to ApplyStatus with their
// receive count; records that cannot be read fail, and hold back their
// group only.
func TestRouterHandlerDispatchesByKind(t *testing.T) {
	status, err := jobs.Encode(jobs.KindStatus, jobs.StatusUpdate{Channel: helpdesk.ChannelWhatsApp, ChannelID: "whatsapp:1",
		ProviderMessageID: "wamid.1", Status: helpdesk.StatusDelivered})
	if err != nil {
		t.Fatal(err)
	}
	badVersion := strings.Replace(inboundBody(t, "m9", "hi"), `"v":1`, `"v":99`, 1)
	if badVersion == inboundBody(t, "m9", "hi") {
		t.Fatal("test body has no version to change")
	}
	ev := events.SQSEvent{Records: []events.SQSMessage{
		sqsRecord("r1", "web#ann", "1", inboundBody(t, "m1", "hello")),
		sqsRecord("r2", "status#wamid.1", "4", string(status)),
		sqsRecord("r3", "web#bob", "1", "not json"),
		sqsRecord("r4", "web#bob", "1", inboundBody(t, "m4", "after the poison")),
		sqsRecord("r5", "web#cy", "2", inboundBody(t, "m5", "fail")),
		sqsRecord("r6", "web#dee", "1", badVersion),
		sqsRecord("r7", "web#ann", "1", inboundBody(t, "m7", "again")),
	}}
	r := &fakeRouter{}
	resp, err := RouterHandler(r, quiet)(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"m1", "m5", "m7"}; !reflect.DeepEqual(r.applied, want) {
		t.Errorf("applied %v, want %v", r.applied, want)
	}
	if want := []string{"wamid.1@4"}; !reflect.DeepEqual(r.statuses, want) {
		t.Errorf("status reports %v, want %v", r.statuses, want)
	}
	if want := []string{"r3", "r4", "r5", "r6"}; !reflect.DeepEqual(failures(resp), want) {
		t.Errorf("failures %v, want %v", failures(resp), want)
	}
}

// fakeSender fails the jobs whose kind is "fail".
type fakeSender struct{ sent []string }

func (f *fakeSender) Send(_ context.Context, job jobs.Envelope, received int) error {
	f.sent = append(f.sent, fmt.Sprintf("%s@%d", job.Kind, received))
	if job.Kind == "fail" {
		return errors.New("SES throttled")
	}
	return nil
}

// Outbound jobs are independent: a failed one is reported and the next is
// still sent; the receive count reaches the sender.
func TestOutboundHandlerSendsEveryJob(t *testing.T) {
	ev := events.SQSEvent{Records: []events.SQSMessage{
		sqsRecord("j1", "", "1", `{"kind":"reply.email","payload":{}}`),
		sqsRecord("j2", "", "3", `{"kind":"fail","payload":{}}`),
		sqsRecord("j3", "", "", `{"kind":"reply.chat","payload":{}}`),
		sqsRecord("j4", "", "1", `{`),
		sqsRecord("j5", "", "5", `{"kind":"notification.email","payload":{}}`),
	}}
	s := &fakeSender{}
	resp, err := OutboundHandler(s, quiet)(context.Background(), ev)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"reply.email@1", "fail@3", "reply.chat@0", "notification.email@5"}; !reflect.DeepEqual(s.sent, want) {
		t.Errorf("sent %v, want %v", s.sent, want)
	}
	if want := []string{"j2", "j4"}; !reflect.DeepEqual(failures(resp), want) {
		t.Errorf("failures %v, want %v", failures(resp), want)
	}
}

// fakeReceiver records deliveries and fails those for "fail@…".
type fakeReceiver struct{ got []receive.Delivery }

func (f *fakeReceiver) Receive(_ context.Context, d receive.Delivery) error {
	f.got = append(f.got, d)
	if d.Recipients[0] == "fail@acme.example" {
		return errors.New("queue unavailable")
	}
	return nil
}

func TestEmailInboundHandlerHandsOverEveryRecord(t *testing.T) {
	at := time.Date(2026, 11, 21, 8, 59, 58, 0, time.UTC)
	rec := func(id, to string) events.SimpleEmailRecord {
		return events.SimpleEmailRecord{SES: events.SimpleEmailService{
			Mail: events.SimpleEmailMessage{MessageID: id, Timestamp: at},
			Receipt: events.SimpleEmailReceipt{Recipients: []string{to},
				SpamVerdict: events.SimpleEmailVerdict{Status: "FAIL"}, VirusVerdict: events.SimpleEmailVerdict{Status: "PASS"}}}}
	}
	r := &fakeReceiver{}
	err := EmailInboundHandler(r, quiet)(context.Background(), events.SimpleEmailEvent{Records: []events.SimpleEmailRecord{
		rec("s1", "fail@acme.example"), rec("s2", "support@acme.example"),
	}})
	if err == nil || !strings.Contains(err.Error(), "ses message s1") || strings.Contains(err.Error(), "s2") {
		t.Fatalf("err = %v, want the failed record named (so Lambda retries the event)", err)
	}
	want := receive.Delivery{ID: "s2", Recipients: []string{"support@acme.example"}, Timestamp: at,
		Verdicts: helpdesk.Verdicts{Spam: "FAIL", Virus: "PASS"}}
	if len(r.got) != 2 || !reflect.DeepEqual(r.got[1], want) {
		t.Fatalf("deliveries %+v, want the second %+v", r.got, want)
	}
}

// The sample SES event from events/ through this handler and the real
// receive.Handler (the bucket in memory) becomes one inbound message.
func TestSampleSESEventBecomesOneInboundMessage(t *testing.T) {
	raw, err := os.ReadFile("../../events/email-inbound/message.eml")
	if err != nil {
		t.Fatal(err)
	}
	evJSON, err := os.ReadFile("../../events/email-inbound/ses-receipt.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.SimpleEmailEvent
	if err := json.Unmarshal(evJSON, &ev); err != nil {
		t.Fatal(err)
	}
	q := &queue{}
	h := &receive.Handler{Files: testbed.MailBucket{"inbound/o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1": raw}, Queue: q, Tenant: "acme",
		Prefix: "inbound/", Log: quiet,
		Channels: channels{receive.ChannelID("support@acme.example"): {ID: receive.ChannelID("support@acme.example"),
			Kind: helpdesk.ChannelEmail, Email: &helpdesk.EmailSettings{Address: "support@acme.example"}}}}
	handle := EmailInboundHandler(h, quiet)
	for range 2 { // SES retries: the same message id again
		if err := handle(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
	if len(q.sent) != 2 {
		t.Fatalf("%d messages queued", len(q.sent))
	}
	m := q.sent[0]
	if m.ProviderMessageID != "m1@example.com" || m.ChannelID != "email:support@acme.example" || m.Sender.Email != "ann@example.com" ||
		m.Sender.Name != "Ann Lee" || m.Subject != "Where is my order?" || m.Text != "My order 1042 has not arrived." ||
		!m.ReceivedAt.Equal(time.Date(2026, 11, 21, 8, 59, 58, 0, time.UTC)) || m.RawLocation != "s3://mail/inbound/o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1" ||
		m.Verdicts != (helpdesk.Verdicts{Spam: "PASS", Virus: "PASS"}) {
		t.Fatalf("queued %+v", m)
	}
	if err := m.Validate(); err != nil {
		t.Fatal(err)
	}
	// Both deliveries carry the same provider id: the router dedupes them.
	if q.sent[1].ProviderMessageID != m.ProviderMessageID {
		t.Fatal("a redelivery changed the provider message id")
	}
}

type channels map[string]helpdesk.Channel

func (c channels) GetChannel(_ context.Context, id string) (helpdesk.Channel, error) {
	if ch, ok := c[id]; ok {
		return ch, nil
	}
	return helpdesk.Channel{}, helpdesk.Errorf(helpdesk.ENotFound, "not_found", "no channel %s", id)
}

type queue struct{ sent []*helpdesk.InboundMessage }

func (q *queue) EnqueueInbound(_ context.Context, m *helpdesk.InboundMessage) error {
	q.sent = append(q.sent, m)
	return nil
}
