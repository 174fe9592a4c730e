package localrun_test

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/stackdesk/stackdesk/infra/devstack/localrun"
)

// /local/tickets says who wrote in and leaves out zero times: an open
// ticket has no "closed_at": "0001-01-01…".
func TestLocalTicketsShowWhoWroteInWithoutZeroTimes(t *testing.T) {
	s := start(t)
	if code, _ := s.post(t, "/forms/"+s.demo.FormChannelID, `{"email":"ann@example.com","name":"Ann Lee","subject":"Late order","description":"1042"}`, nil); code != 202 {
		t.Fatalf("POST answered %d", code)
	}
	if code := s.deliver(t, "/whatsapp", fixture(t, "whatsapp_text.json")); code != http.StatusOK {
		t.Fatalf("webhook answered %d", code)
	}
	s.drain(t)
	resp, err := http.Get(s.srv.URL + "/local/tickets")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if strings.Contains(string(raw), "0001-01-01") {
		t.Errorf("/local/tickets shows zero times: %s", raw)
	}
	var out map[string][]struct {
		Subject string         `json:"subject"`
		From    localrun.From  `json:"from"`
		Rest    map[string]any `json:"-"`
	}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatal(err)
	}
	froms := map[string]localrun.From{}
	for _, tk := range out["open"] {
		froms[tk.Subject] = tk.From
	}
	if f := froms["Late order"]; f.Name != "Ann Lee" || f.Email != "ann@example.com" {
		t.Errorf("form ticket from %+v, want Ann Lee <ann@example.com>", f)
	}
	var wa localrun.From
	for _, f := range froms {
		if f.Phone != "" {
			wa = f
		}
	}
	if wa.Name != "Sheena Nelson" || wa.Phone != "+16505551234" {
		t.Errorf("WhatsApp ticket from %+v, want Sheena Nelson, +16505551234 (all: %s)", wa, raw)
	}
}

// `make mail` needs only Go: the command's mail, sent to the stack's SMTP
// listener, becomes a ticket with its (non-ASCII) subject and sender.
func TestMakeMailDeliversIntoTheLocalStack(t *testing.T) {
	s := start(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := s.r.ServeSMTP(ln)
	defer srv.Close()
	raw := localrun.TestMail("Zoë <zoe@example.com>", s.demo.EmailAddress, "Drucker brennt – Hilfe", "Es raucht.\nSchnell!", time.Now())
	if err := localrun.SendMail(ln.Addr().String(), "zoe@example.com", []string{s.demo.EmailAddress}, raw); err != nil {
		t.Fatal(err)
	}
	s.drain(t)
	ts := s.tickets(t)
	if len(ts) != 1 || ts[0].Subject != "Drucker brennt – Hilfe" {
		t.Fatalf("tickets %+v, want one with the mail's subject", ts)
	}
	conv, err := s.r.Store.GetTicket(context.Background(), ts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if m := conv.Messages[0]; m.Text != "Es raucht.\nSchnell!" {
		t.Errorf("text %q", m.Text)
	}
	if c, err := s.r.Store.GetContact(context.Background(), ts[0].ContactID); err != nil || c.Email != "zoe@example.com" || c.Name != "Zoë" {
		t.Errorf("contact %+v %v", c, err)
	}
}

// `make dlq` lists each dead-letter queue of template.yaml with its count
// and a line per message, and leaves the messages where they are.
func TestMakeDLQListsEachDeadLetterQueue(t *testing.T) {
	s := start(t)
	ctx := context.Background()
	ingest, outbound := s.r.Stack.QueueURLs["IngestDLQ"], s.r.Stack.QueueURLs["OutboundDLQ"]
	poison := `{"kind":"inbound.message","payload":{"v":1,"channel":"form","channel_id":"contact-form","provider_message_id":"p-1",` +
		`"received_at":"2026-11-21T09:00:00Z","sender":{"email":"ann@example.com"},"subject":"Where is my order?","text":"Order 1042"}}`
	if _, err := s.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &ingest, MessageBody: &poison,
		MessageGroupId: aws.String("g"), MessageDeduplicationId: aws.String("d1")}); err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{`{"kind":"notification.email","payload":{"notification_id":"n1"}}`, "not json at all"} {
		if _, err := s.sqs.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &outbound, MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	for pass := range 2 { // twice: listing takes nothing away
		qs, err := localrun.DeadLetters(ctx, s.sqs, s.r.Stack.Prefix, 20)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]localrun.DeadLetterQueue{}
		for _, q := range qs {
			byID[q.LogicalID] = q
		}
		for _, id := range []string{"IngestDLQ", "OutboundDLQ", "EmailInboundDLQ", "SearchIndexerDLQ"} {
			if _, ok := byID[id]; !ok || byID[id].Missing {
				t.Errorf("%s not listed (or missing): %+v", id, qs)
			}
		}
		in := byID["IngestDLQ"]
		if in.Count != 1 || len(in.Messages) != 1 || !strings.Contains(in.Messages[0], "from=email#ann@example.com") ||
			!strings.Contains(in.Messages[0], `subject="Where is my order?"`) {
			t.Errorf("pass %d: IngestDLQ: %+v", pass, in)
		}
		out := byID["OutboundDLQ"]
		if out.Count != 2 || len(out.Messages) != 2 || !strings.Contains(strings.Join(out.Messages, "\n"), "notification.email") ||
			!strings.Contains(strings.Join(out.Messages, "\n"), "not json at all") {
			t.Errorf("OutboundDLQ: %+v", out)
		}
	}
}
