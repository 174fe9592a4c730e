package jobs

import (
	"reflect"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

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
