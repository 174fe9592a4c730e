package meta

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

func TestVerifySubscription(t *testing.T) {
	q := func(mode, token, challenge string) url.Values {
		v := url.Values{}
		if mode != "" {
			v.Set("hub.mode", mode)
		}
		if token != "" {
			v.Set("hub.verify_token", token)
		}
		if challenge != "" {
			v.Set("hub.challenge", challenge)
		}
		return v
	}
	tests := []struct {
		name   string
		query  url.Values
		token  string
		want   string
		wantOK bool
	}{
		{"ok", q("subscribe", "s3cret", "1158201444"), "s3cret", "1158201444", true},
		{"wrong token", q("subscribe", "nope", "1158201444"), "s3cret", "", false},
		{"token prefix", q("subscribe", "s3cre", "1158201444"), "s3cret", "", false},
		{"wrong mode", q("unsubscribe", "s3cret", "1158201444"), "s3cret", "", false},
		{"no mode", q("", "s3cret", "1158201444"), "s3cret", "", false},
		{"no token sent", q("subscribe", "", "1158201444"), "s3cret", "", false},
		{"empty configured token", q("subscribe", "", "1158201444"), "", "", false},
		{"no challenge", q("subscribe", "s3cret", ""), "s3cret", "", false},
		{"nil query", nil, "s3cret", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := VerifySubscription(tt.query, tt.token)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("VerifySubscription = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestVerifySignature(t *testing.T) {
	body := readFixture(t, "messenger_text.json")
	const secret = "app-secret-1"
	altered := append([]byte(nil), body...)
	altered[len(altered)/2] ^= 1
	sha1mac := hmac.New(sha1.New, []byte(secret))
	sha1mac.Write(body)
	sha1Header := "sha1=" + hex.EncodeToString(sha1mac.Sum(nil))
	valid := sign(secret, body)
	tests := []struct {
		name       string
		secret     string
		header     string
		body       []byte
		wantCode   string
		wantReason string
	}{
		{"valid", secret, valid, body, "", ""},
		{"valid upper-case hex", secret, "sha256=" + strings.ToUpper(valid[7:]), body, "", ""},
		{"valid with spaces", secret, " " + valid + " ", body, "", ""},
		{"missing", secret, "", body, helpdesk.EUnauthorised, "signature_missing"},
		{"sha1 only", secret, sha1Header, body, helpdesk.EUnauthorised, "signature_missing"},
		{"wrong secret", "other-secret", valid, body, helpdesk.EUnauthorised, "signature_invalid"},
		{"body altered by one byte", secret, valid, altered, helpdesk.EUnauthorised, "signature_invalid"},
		{"truncated hex", secret, valid[:len(valid)-2], body, helpdesk.EUnauthorised, "signature_invalid"},
		{"not hex", secret, "sha256=" + strings.Repeat("zz", 32), body, helpdesk.EUnauthorised, "signature_invalid"},
		{"no prefix", secret, valid[7:], body, helpdesk.EUnauthorised, "signature_invalid"},
		{"no secret configured", "", valid, body, helpdesk.EInternal, "secret_missing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifySignature(tt.secret, tt.header, tt.body)
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("VerifySignature: %v", err)
				}
				return
			}
			if helpdesk.ErrorCode(err) != tt.wantCode || helpdesk.ErrorReason(err) != tt.wantReason {
				t.Fatalf("VerifySignature = %v; want %s/%s", err, tt.wantCode, tt.wantReason)
			}
		})
	}
}

func ms(v int64) time.Time  { return time.UnixMilli(v).UTC() }
func sec(v int64) time.Time { return time.Unix(v, 0).UTC() }

const (
	page  = "106907411778215"
	psid  = "3163874143641178"
	phone = "106540352242922"
)

func fbMsg(pageID, psid, mid string, at int64, text string) helpdesk.InboundMessage {
	return helpdesk.InboundMessage{
		Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelMessenger,
		ChannelID: "messenger:" + pageID, ProviderMessageID: mid, ReceivedAt: ms(at),
		Sender: helpdesk.Sender{PageID: pageID, PSID: psid}, Text: text,
	}
}

func waMsg(from, name, mid string, at int64, text string) helpdesk.InboundMessage {
	return helpdesk.InboundMessage{
		Version: helpdesk.InboundVersion, Channel: helpdesk.ChannelWhatsApp,
		ChannelID: "whatsapp:" + phone, ProviderMessageID: mid, ReceivedAt: sec(at),
		Sender: helpdesk.Sender{WhatsAppID: from, Name: name}, Text: text,
	}
}

func TestDecodeMessenger(t *testing.T) {
	// The template shared without content says so (it used to vanish).
	withAtt := fbMsg(page, psid, "m_attach1", 1583173667999, "📎 Shared a message template (no preview available)")
	withAtt.Attachments = []helpdesk.Attachment{
		{Name: "87342_n.jpg", ContentType: "image/*", URL: "https://scontent.xx.fbcdn.net/v/t1.15752-9/87342_n.jpg?_nc_cat=1&oh=abc"},
		{Name: "invoice may.pdf", ContentType: "application/octet-stream", URL: "https://cdn.fbsbx.com/v/t59.2708-21/invoice%20may.pdf?_nc_cat=2"},
	}
	qr := fbMsg(page, psid, "m_qr1", 1583173668500, "Red")
	qr.Submission = map[string]string{"quick_reply": "DEVELOPER_DEFINED_PAYLOAD_FOR_PICKING_RED"}
	pb := fbMsg(page, psid, "m_pb1", 1583173673000, "Talk to a human")
	pb.Submission = map[string]string{"postback": "HUMAN"}
	tests := []struct {
		file string
		want Batch
		raw  map[string]bool // messages that keep their payload
	}{
		{"messenger_text.json", Batch{Messages: []helpdesk.InboundMessage{
			fbMsg(page, psid, "m_toDnmD9h3mKcFMZ6hyMXyVtXh_XHQHZLwWOFgVuFMDdk9VjmaTJq_2M4M_7xqWL1zdOPTz8dz6Bc6jFQbmS5lg", 1583173666767, "hello, world!"),
		}}, nil},
		{"messenger_attachments.json", Batch{Messages: []helpdesk.InboundMessage{withAtt}}, map[string]bool{"m_attach1": true}},
		{"messenger_quick_reply.json", Batch{Messages: []helpdesk.InboundMessage{qr}}, nil},
		{"messenger_echo.json", Batch{Echoes: 1}, nil},
		{"messenger_batched.json", Batch{
			Messages: []helpdesk.InboundMessage{
				fbMsg(page, psid, "m_b1", 1583173671000, "first"),
				fbMsg(page, psid, "m_b2", 1583173672000, "second"),
				pb,
				fbReaction(page, psid, "m_out1", helpdesk.UpdateReact, 1583173676000, "love", "❤"),
				fbMsg("204907411778216", "5550001112223334", "m_b3", 1583173689000, "hello second page"),
			},
			Statuses: []Status{ // watermarks: the delivery's covers its mids
				{ChannelID: "messenger:" + page, Recipient: psid, Status: "delivered", At: ms(1583173673500)},
				{ChannelID: "messenger:" + page, Recipient: psid, Status: "read", At: ms(1583173674500)},
			},
			Echoes: 1,
			Skipped: []Skipped{
				{Kind: "message", Reason: ReasonMalformed},
			},
		}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := DecodeMessenger(readFixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			takeRaw(t, &got, tt.raw)
			assertBatch(t, got, tt.want)
		})
	}
}

func TestDecodeWhatsApp(t *testing.T) {
	const sheena, sheenaName = "16505551234", "Sheena Nelson"
	img := waMsg(sheena, sheenaName, "wamid.IMG1", 1744344496, "Black jacket")
	img.Attachments = []helpdesk.Attachment{{Name: "image", ContentType: "image/jpeg", Key: "wa-media:1003383421387256"}}
	doc := waMsg(sheena, sheenaName, "wamid.DOC1", 1744344497, "")
	doc.Attachments = []helpdesk.Attachment{{Name: "receipt.pdf", ContentType: "application/pdf", Key: "wa-media:1003383421387257"}}
	aud := waMsg(sheena, sheenaName, "wamid.AUD1", 1744344498, "")
	aud.Attachments = []helpdesk.Attachment{{Name: "audio", ContentType: "audio/ogg; codecs=opus", Key: "wa-media:1003383421387258"}}
	vid := waMsg(sheena, sheenaName, "wamid.VID1", 1744344499, "")
	vid.Attachments = []helpdesk.Attachment{{Name: "video", ContentType: "video/mp4", Key: "wa-media:1003383421387259"}}
	btn := waMsg(sheena, sheenaName, "wamid.BTN1", 1744344502, "Yes please")
	btn.Submission = map[string]string{"quick_reply": "yes-please"}
	stop := waMsg("5215512345678", "Luis", "wamid.B1", 1749416500, "Stop promotions")
	stop.ChannelID = "whatsapp:206540352242923"
	stop.Submission = map[string]string{"quick_reply": "STOP"}
	react := waMsg(sheena, sheenaName, "wamid.A3", 1749416402, "Reacted 👍")
	react.Submission = map[string]string{"reaction_to": "wamid.OUT1"}
	tests := []struct {
		file string
		want Batch
		raw  map[string]bool // messages that keep their payload
	}{
		{"whatsapp_text.json", Batch{Messages: []helpdesk.InboundMessage{
			waMsg(sheena, sheenaName, "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", 1749416383, "Does it come in another color?"),
		}}, nil},
		{"whatsapp_media.json", Batch{Messages: []helpdesk.InboundMessage{img, doc, aud, vid}}, nil},
		{"whatsapp_location_contacts.json", Batch{Messages: []helpdesk.InboundMessage{
			waMsg(sheena, sheenaName, "wamid.LOC1", 1744344500, "📍 Philz Coffee, 101 Forest Ave, Palo Alto, CA 94301 (37.44216251868683, -122.16153582049394) https://www.philzcoffee.com"),
			waMsg(sheena, sheenaName, "wamid.CON1", 1744344501, "👤 Barbara J. Johnson: +1 (940) 555-1234, +1 (650) 555-1234, bjohnson@example.com\n👤 Ana Diaz: +34600111222"),
			btn,
		}}, nil},
		{"whatsapp_statuses.json", Batch{Statuses: []Status{
			{ChannelID: "whatsapp:" + phone, ProviderMessageID: "wamid.OUT1", Status: "sent", At: sec(1750263773)},
			{ChannelID: "whatsapp:" + phone, ProviderMessageID: "wamid.OUT1", Status: "delivered", At: sec(1750263774)},
			{ChannelID: "whatsapp:" + phone, ProviderMessageID: "wamid.OUT1", Status: "read", At: sec(1750263780)},
			{ChannelID: "whatsapp:" + phone, ProviderMessageID: "wamid.OUT2", Status: "failed", At: sec(1750263790), ErrorCode: 131047, ErrorTitle: "Re-engagement message",
				ErrorDetail: "Message failed to send because more than 24 hours have passed since the customer last replied to this number."},
		}}, nil},
		{"whatsapp_batched.json", Batch{
			Messages: []helpdesk.InboundMessage{
				waMsg(sheena, sheenaName, "wamid.A1", 1749416400, "one"),
				waMsg("447700900123", "Kai", "wamid.A2", 1749416401, "two"),
				// A reaction and an unsupported kind are kept, never dropped.
				react,
				waMsg(sheena, sheenaName, "wamid.A4", 1749416403, "unsupported message (unsupported)"),
				stop,
			},
			Statuses: []Status{{ChannelID: "whatsapp:206540352242923", ProviderMessageID: "wamid.OUT9", Status: "delivered", At: sec(1749416501)}},
			Skipped: []Skipped{
				{Kind: "change:account_update", Reason: ReasonUnsupportedField},
			},
		}, map[string]bool{"wamid.A3": true, "wamid.A4": true}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := DecodeWhatsApp(readFixture(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			takeRaw(t, &got, tt.raw)
			assertBatch(t, got, tt.want)
		})
	}
}

func assertBatch(t *testing.T, got, want Batch) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		g, _ := json.MarshalIndent(got, "", "  ")
		w, _ := json.MarshalIndent(want, "", "  ")
		t.Fatalf("batch mismatch\ngot:  %s\nwant: %s", g, w)
	}
	for i := range got.Messages {
		if err := got.Messages[i].Validate(); err != nil {
			t.Errorf("message %d invalid: %v", i, err)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	big := []byte(`{"object":"page","entry":[],"pad":"` + strings.Repeat("x", MaxBodySize) + `"}`)
	tests := []struct {
		name   string
		body   string
		reason string
	}{
		{"empty", "", "bad_payload"},
		{"invalid json", `{"object":`, "bad_payload"},
		{"array root", `[]`, "bad_payload"},
		{"null root", `null`, "bad_payload"},
		{"string root", `"page"`, "bad_payload"},
		{"number root", `1`, "bad_payload"},
		{"object not a string", `{"object":1}`, "bad_payload"},
		{"entry not an array", `{"object":"%s","entry":{}}`, "bad_payload"},
		{"wrong object", `{"object":"instagram","entry":[]}`, "bad_payload"},
		{"no object", `{"entry":[]}`, "bad_payload"},
		{"too large", string(big), "too_large"},
	}
	decoders := map[string]struct {
		object string
		decode func([]byte) (Batch, error)
	}{
		"messenger": {"page", DecodeMessenger},
		"whatsapp":  {"whatsapp_business_account", DecodeWhatsApp},
	}
	for dn, d := range decoders {
		for _, tt := range tests {
			t.Run(dn+"/"+tt.name, func(t *testing.T) {
				body := strings.ReplaceAll(tt.body, "%s", d.object)
				_, err := d.decode([]byte(body))
				want := helpdesk.EInvalid
				if tt.reason == "too_large" {
					want = helpdesk.ETooLarge // 413, not 400
				}
				if helpdesk.ErrorCode(err) != want || helpdesk.ErrorReason(err) != tt.reason {
					t.Fatalf("err = %v; want %s/%s", err, want, tt.reason)
				}
			})
		}
		t.Run(dn+"/cross object", func(t *testing.T) {
			other := "whatsapp_text.json"
			if dn == "whatsapp" {
				other = "messenger_text.json"
			}
			if _, err := d.decode(readFixture(t, other)); helpdesk.ErrorReason(err) != "bad_payload" {
				t.Fatalf("err = %v; want bad_payload", err)
			}
		})
		t.Run(dn+"/empty entries", func(t *testing.T) {
			b, err := d.decode([]byte(`{"object":"` + d.object + `"}`))
			if err != nil || !reflect.DeepEqual(b, Batch{}) {
				t.Fatalf("got %+v, %v", b, err)
			}
		})
	}
}

func TestDecodeTolerant(t *testing.T) {
	// Malformed or incomplete events are skipped, never fail the batch.
	b, err := DecodeWhatsApp([]byte(`{"object":"whatsapp_business_account","entry":[1,{"id":"x","changes":[2,{"field":"messages","value":{"metadata":{"phone_number_id":"p"},
	 "messages":[3,{"from":"1","id":"","timestamp":"1","type":"text","text":{"body":"a"}},{"from":"1","id":"w","timestamp":"0","type":"text","text":{"body":"a"}},
	  {"from":"","id":"w2","timestamp":"5","type":"text","text":{"body":"a"}},{"from":"1","id":"w3","timestamp":"5","type":"image","image":{}}],
	 "statuses":[{"id":"s","status":"read","timestamp":"99999999999999"}]}}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Skipped{
		{"entry", ReasonMalformed}, {"change", ReasonMalformed}, {"message", ReasonMalformed},
		{"message:text", ReasonMissingID}, {"message:text", ReasonMissingTime},
		{"message:text", "sender_required"}, {"message:image", ReasonEmpty},
		{"status", ReasonMissingTime},
	}
	if len(b.Messages) != 0 || len(b.Statuses) != 0 || !reflect.DeepEqual(b.Skipped, want) {
		t.Fatalf("got %+v", b)
	}
}

var fixtures = map[string][]string{
	"messenger": {"messenger_text.json", "messenger_attachments.json", "messenger_quick_reply.json", "messenger_echo.json", "messenger_batched.json",
		"messenger_shares.json"},
	"whatsapp": {"whatsapp_text.json", "whatsapp_media.json", "whatsapp_location_contacts.json", "whatsapp_statuses.json", "whatsapp_batched.json",
		"whatsapp_sticker.json", "whatsapp_flow_reply.json", "whatsapp_order.json", "whatsapp_system.json", "whatsapp_unsupported.json", "whatsapp_bsuid.json"},
}

func fuzzDecode(f *testing.F, kind string, decode func([]byte) (Batch, error)) {
	for _, name := range fixtures[kind] {
		f.Add(readFixture(f, name))
	}
	f.Add([]byte(`null`))
	f.Add([]byte(`{"object":"page","entry":[{"messaging":[{"timestamp":1e300}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		b, err := decode(body)
		if err != nil {
			if c := helpdesk.ErrorCode(err); c != helpdesk.EInvalid && c != helpdesk.ETooLarge {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		for i := range b.Messages {
			if err := b.Messages[i].Validate(); err != nil {
				t.Fatalf("message %d invalid: %v", i, err)
			}
		}
		if _, err := json.Marshal(b); err != nil {
			t.Fatalf("batch does not marshal: %v", err)
		}
	})
}

func FuzzDecodeMessenger(f *testing.F) { fuzzDecode(f, "messenger", DecodeMessenger) }
func FuzzDecodeWhatsApp(f *testing.F)  { fuzzDecode(f, "whatsapp", DecodeWhatsApp) }
