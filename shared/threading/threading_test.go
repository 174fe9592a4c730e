package threading

import (
	"reflect"
	"testing"

	"github.com/stackdesk/stackdesk/shared/channel/email/replytoken"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

var secret = []byte("test-secret-of-32-bytes-long....")

func mail(subject string, h helpdesk.EmailHeaders) *helpdesk.InboundMessage {
	return &helpdesk.InboundMessage{Channel: helpdesk.ChannelEmail, ChannelID: "email:support@acme.example", Subject: subject, Email: &h}
}

func TestEmailLookupOrder(t *testing.T) {
	token, err := replytoken.Address(secret, "support@acme.example", "77")
	if err != nil {
		t.Fatal(err)
	}
	forged := "support+t78.aaaaaaaaaaaaaaaa@acme.example"
	cases := []struct {
		name string
		m    *helpdesk.InboundMessage
		want []Key
		own  []string
	}{
		{"new mail", mail("Hello", helpdesk.EmailHeaders{MessageID: "<a@x>"}), nil, []string{"msgid#a@x"}},
		{"gmail reply", mail("Re: Hello", helpdesk.EmailHeaders{MessageID: "b@x", InReplyTo: []string{"<a@x>"}, References: []string{"<a@x>"}}),
			[]Key{{Key: "msgid#a@x", Reason: ReasonInReplyTo}}, []string{"msgid#b@x"}},
		{"outlook: references only, newest first", mail("RE: Hello", helpdesk.EmailHeaders{MessageID: "c@x", References: []string{"a@x", "b@x"}}),
			[]Key{{Key: "msgid#b@x", Reason: ReasonReferences}, {Key: "msgid#a@x", Reason: ReasonReferences}}, []string{"msgid#c@x"}},
		{"reply token first", mail("Re: [#12] Hello", helpdesk.EmailHeaders{MessageID: "d@x", Recipients: []string{token}, InReplyTo: []string{"a@x"}}),
			[]Key{{Key: "ticket#77", Reason: ReasonReplyToken}, {Key: "msgid#a@x", Reason: ReasonInReplyTo},
				{Key: "ticket#12", Reason: ReasonSubjectReference, RequireParticipant: true}}, []string{"msgid#d@x"}},
		{"forged token ignored", mail("Hi", helpdesk.EmailHeaders{MessageID: "e@x", To: []string{forged}}), nil, []string{"msgid#e@x"}},
		{"retyped reference", mail("About ticket #1042 again", helpdesk.EmailHeaders{}),
			[]Key{{Key: "ticket#1042", Reason: ReasonSubjectReference, RequireParticipant: true}}, nil},
		{"no headers at all", &helpdesk.InboundMessage{Channel: helpdesk.ChannelEmail, Subject: "[#5]"},
			[]Key{{Key: "ticket#5", Reason: ReasonSubjectReference, RequireParticipant: true}}, nil},
		{"numbers that are not references", mail("Order 1042 and #7 items", helpdesk.EmailHeaders{}), nil, nil},
	}
	e := Email{TokenSecret: secret}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			th := e.Thread(tc.m)
			if !reflect.DeepEqual(th.Lookup, tc.want) {
				t.Errorf("lookup = %+v\nwant     %+v", th.Lookup, tc.want)
			}
			if !reflect.DeepEqual(th.Own, tc.own) {
				t.Errorf("own = %v, want %v", th.Own, tc.own)
			}
			if !th.TicketKey {
				t.Error("email tickets must own their ticket key")
			}
		})
	}
}

func TestSubmissionOwnsItsID(t *testing.T) {
	th := Submission.Thread(&helpdesk.InboundMessage{Channel: helpdesk.ChannelForm, ChannelID: "web", ProviderMessageID: "s1"})
	if len(th.Lookup) != 0 || !reflect.DeepEqual(th.Own, []string{"form#web#s1"}) || th.TicketKey {
		t.Fatalf("thread = %+v", th)
	}
}
