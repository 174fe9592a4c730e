package queue

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func rec(id, group string) events.SQSMessage {
	return events.SQSMessage{MessageId: id, Body: id, Attributes: map[string]string{"MessageGroupId": group}}
}

func TestProcessFIFOStopsAFailedGroupOnly(t *testing.T) {
	ev := events.SQSEvent{Records: []events.SQSMessage{
		rec("a1", "A"), rec("b1", "B"), rec("a2", "A"), rec("b2", "B"), rec("c1", "C"), rec("a3", "A"),
	}}
	var handled []string
	resp := ProcessFIFO(context.Background(), quiet, ev, func(_ context.Context, m events.SQSMessage) error {
		handled = append(handled, m.MessageId)
		if m.MessageId == "a2" {
			return errors.New("boom")
		}
		return nil
	})
	if want := []string{"a1", "b1", "a2", "b2", "c1"}; !reflect.DeepEqual(handled, want) {
		t.Fatalf("handled %v, want %v (a3 must not run after a2 failed)", handled, want)
	}
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	if want := []string{"a2", "a3"}; !reflect.DeepEqual(failed, want) {
		t.Fatalf("failures %v, want %v", failed, want)
	}
}

func TestProcessFIFOHandsBackEverythingWhenOutOfTime(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	resp := ProcessFIFO(ctx, quiet, events.SQSEvent{Records: []events.SQSMessage{rec("a", "A"), rec("b", "B")}},
		func(context.Context, events.SQSMessage) error { t.Fatal("handled after the deadline"); return nil })
	if len(resp.BatchItemFailures) != 2 {
		t.Fatalf("failures = %v", resp.BatchItemFailures)
	}
}

func inbound() *helpdesk.InboundMessage {
	return &helpdesk.InboundMessage{Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelForm, ChannelID: "web",
		ProviderMessageID: "s1", ReceivedAt: time.Date(2026, 11, 21, 9, 0, 0, 0, time.UTC),
		Sender: helpdesk.Sender{Email: "Ann@Example.com"}, Subject: "Hi", Submission: map[string]string{"plan": "pro"}}
}

func TestEnvelopeRoundTrip(t *testing.T) {
	m := inbound()
	body, err := EncodeInbound(m)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeInbound(string(body))
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, m) {
		t.Fatalf("round trip:\n got %+v\nwant %+v", got, m)
	}
}

func TestDecodeInboundRejectsPoison(t *testing.T) {
	for name, body := range map[string]string{
		"not json":        "hello",
		"unknown kind":    `{"kind":"outbound.reply","payload":{}}`,
		"bad payload":     `{"kind":"inbound.message","payload":"x"}`,
		"future version":  `{"kind":"inbound.message","payload":{"v":2,"channel":"form","channel_id":"web","provider_message_id":"1","received_at":"2026-11-21T09:00:00Z","sender":{"email":"a@b.c"}}}`,
		"missing sender":  `{"kind":"inbound.message","payload":{"v":1,"channel":"form","channel_id":"web","provider_message_id":"1","received_at":"2026-11-21T09:00:00Z"}}`,
		"unknown channel": `{"kind":"inbound.message","payload":{"v":1,"channel":"fax","channel_id":"web","provider_message_id":"1","received_at":"2026-11-21T09:00:00Z","sender":{"email":"a@b.c"}}}`,
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := DecodeInbound(body); !helpdesk.IsCode(err, helpdesk.EInvalid) {
				t.Fatalf("err = %v, want invalid", err)
			}
		})
	}
}

func TestFIFOIdsStayWithinSQSRules(t *testing.T) {
	m := inbound()
	if got := GroupID(m); got != "web#email#ann@example.com" {
		t.Errorf("group id = %q", got)
	}
	if got := DeduplicationID(m); got != "web#s1" {
		t.Errorf("dedupe id = %q", got)
	}
	m.ProviderMessageID = strings.Repeat("x", 200)
	m.Sender.Email = "zoë@example.com"
	for _, id := range []string{GroupID(m), DeduplicationID(m)} {
		if len(id) > 128 || !printableASCII(id) {
			t.Errorf("id %q breaks SQS rules", id)
		}
	}
	other := inbound()
	other.ProviderMessageID = strings.Repeat("x", 199) + "y"
	if DeduplicationID(other) == DeduplicationID(m) {
		t.Error("distinct long ids hash to the same dedupe id")
	}
}
