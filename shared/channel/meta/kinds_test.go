package meta

import (
	"encoding/json"
	"testing"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Message kinds that used to be dropped or mangled, each from a payload
// shaped like Meta's documentation, through the real decoders.

// takeRaw checks that each message in withRaw kept its provider payload
// (the message object, naming its own id) and clears Raw on every message,
// so the rest compares exactly.
func takeRaw(t *testing.T, b *Batch, withRaw map[string]bool) {
	t.Helper()
	for i := range b.Messages {
		m := &b.Messages[i]
		if !withRaw[m.ProviderMessageID] {
			if m.Raw != nil {
				t.Errorf("%s: unexpected raw %s", m.ProviderMessageID, m.Raw)
			}
			continue
		}
		var obj struct {
			ID  string `json:"id"`
			MID string `json:"mid"`
		}
		if err := json.Unmarshal(m.Raw, &obj); err != nil || (obj.ID != m.ProviderMessageID && obj.MID != m.ProviderMessageID) {
			t.Errorf("%s: raw = %s (%v); want the message object", m.ProviderMessageID, m.Raw, err)
		}
		m.Raw = nil
	}
}

func decodeWA(t *testing.T, file string) Batch {
	t.Helper()
	b, err := DecodeWhatsApp(readFixture(t, file))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func decodeFB(t *testing.T, file string) Batch {
	t.Helper()
	b, err := DecodeMessenger(readFixture(t, file))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

const sheena, sheenaName = "16505551234", "Sheena Nelson"

func TestWhatsAppStickerIsAnImage(t *testing.T) {
	got := decodeWA(t, "whatsapp_sticker.json")
	want := waMsg(sheena, sheenaName, "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=", 1744344496, "")
	want.Attachments = []helpdesk.Attachment{{Name: "sticker.webp", ContentType: "image/webp", Key: "wa-media:1003383421387260"}}
	takeRaw(t, &got, nil)
	assertBatch(t, got, Batch{Messages: []helpdesk.InboundMessage{want}})
}

func TestWhatsAppFlowReplyKeepsTheAnswers(t *testing.T) {
	got := decodeWA(t, "whatsapp_flow_reply.json")
	flow := waMsg(sheena, sheenaName, "wamid.FLOW1", 1749416600, "📝 Form reply\n"+
		"full_name: Sheena Nelson\norder_number: 48213\nissue: Zip is broken\nnewsletter: yes\n"+
		"contact_times: morning, evening\naddress.city: Palo Alto\naddress.zip: 94301")
	flow.Submission = map[string]string{"flow_token": "ticket-1042"}
	addr := waMsg(sheena, sheenaName, "wamid.FLOW2", 1749416601, "📝 Form reply (address_message)\n"+
		"values.name: Sheena Nelson\nvalues.phone_number: +16505551234\nvalues.address: 1 Hacker Way\nvalues.city: Menlo Park")
	takeRaw(t, &got, map[string]bool{"wamid.FLOW1": true, "wamid.FLOW2": true})
	assertBatch(t, got, Batch{Messages: []helpdesk.InboundMessage{flow, addr}})
}

func TestWhatsAppOrderKeepsItemsAndNote(t *testing.T) {
	got := decodeWA(t, "whatsapp_order.json")
	want := waMsg(sheena, sheenaName, "wamid.ORDER1", 1749416700, "🛒 Order (catalog 194836987003835)\n"+
		"2 × di9ozbzfi4 at 29.99 USD\n1 × nqryix03ez at 5 USD\nNote: Please gift-wrap the jacket")
	takeRaw(t, &got, map[string]bool{"wamid.ORDER1": true})
	assertBatch(t, got, Batch{Messages: []helpdesk.InboundMessage{want}})
}

func TestWhatsAppSystemMessagesAreEvents(t *testing.T) {
	got := decodeWA(t, "whatsapp_system.json")
	sys := func(from, mid string, at int64, ev helpdesk.SystemEvent) helpdesk.InboundMessage {
		m := waMsg(from, "", mid, at, ev.Text)
		m.System = &ev
		return m
	}
	bsuid := sys("", "wamid.SYS4", 1739321027, helpdesk.SystemEvent{Kind: "user_changed_user_id",
		Text: "User's business-scoped user ID changed", NewWhatsAppUserID: "US.99991208655302741000"})
	bsuid.Sender.WhatsAppUserID = "US.13491208655302741918"
	takeRaw(t, &got, map[string]bool{"wamid.SYS1": true, "wamid.SYS2": true, "wamid.SYS3": true, "wamid.SYS4": true})
	assertBatch(t, got, Batch{Messages: []helpdesk.InboundMessage{
		sys(sheena, "wamid.SYS1", 1739321024, helpdesk.SystemEvent{Kind: "user_changed_number",
			Text: "User Sheena Nelson changed from 16505551234 to 12195555358", NewWhatsAppID: "12195555358"}),
		sys("447700900123", "wamid.SYS2", 1739321025, helpdesk.SystemEvent{Kind: "customer_changed_number",
			Text: "Kai changed from 447700900123 to 447700900999", NewWhatsAppID: "447700900999"}),
		sys("5215512345678", "wamid.SYS3", 1739321026, helpdesk.SystemEvent{Kind: "customer_identity_changed",
			Text: "Luis's security code changed"}),
		bsuid,
	}})
}

func TestWhatsAppUnsupportedKindsAreKept(t *testing.T) {
	got := decodeWA(t, "whatsapp_unsupported.json")
	react := waMsg(sheena, sheenaName, "wamid.REACT1", 1749416804, "Reacted 👍")
	react.Submission = map[string]string{"reaction_to": "wamid.OUT1"}
	takeRaw(t, &got, map[string]bool{"wamid.UNS1": true, "wamid.UNS2": true, "wamid.UNS3": true, "wamid.UNS4": true, "wamid.REACT1": true})
	assertBatch(t, got, Batch{Messages: []helpdesk.InboundMessage{
		waMsg(sheena, sheenaName, "wamid.UNS1", 1749416800, "unsupported message (unsupported)"),
		waMsg(sheena, sheenaName, "wamid.UNS2", 1749416801, "unsupported message (edit)"),
		waMsg(sheena, sheenaName, "wamid.UNS3", 1749416802, "unsupported message (poll)"),
		waMsg(sheena, sheenaName, "wamid.UNS4", 1749416803, "unsupported message (interactive:payment_reply)"),
		react,
	}})
}

func TestWhatsAppSenderKnownByBSUIDOnly(t *testing.T) {
	got := decodeWA(t, "whatsapp_bsuid.json")
	bob := waMsg("", "Bob", "wamid.BSUID1", 1749416900, "Hi, it's Bob (username only)")
	bob.Sender.WhatsAppUserID = "US.13491208655302741918"
	both := waMsg(sheena, sheenaName, "wamid.BSUID2", 1749416901, "And me, with my number")
	both.Sender.WhatsAppUserID = "US.20001208655302741918"
	takeRaw(t, &got, nil)
	assertBatch(t, got, Batch{Messages: []helpdesk.InboundMessage{bob, both}})
	if k := got.Messages[0].Sender.Key(helpdesk.ChannelWhatsApp); k != "whatsapp#user:US.13491208655302741918" {
		t.Errorf("BSUID-only key = %q", k)
	}
	if k := got.Messages[1].Sender.Key(helpdesk.ChannelWhatsApp); k != "whatsapp#"+sheena {
		t.Errorf("key with a number = %q; the number stays the identity", k)
	}
}

func TestMessengerSharesStickersAndUnknownAttachments(t *testing.T) {
	got := decodeFB(t, "messenger_shares.json")
	msg := func(mid string, at int64, text string) helpdesk.InboundMessage {
		return fbMsg(page, psid, mid, at, text)
	}
	sticker := msg("m_sticker", 1583173700006, "")
	sticker.Attachments = []helpdesk.Attachment{{Name: "851557_369239266556155_759568595_n.png", ContentType: "image/*",
		URL: "https://scontent.xx.fbcdn.net/v/t39.1997-6/851557_369239266556155_759568595_n.png?_nc_cat=1"}}
	takeRaw(t, &got, map[string]bool{"m_share_null": true, "m_fallback_null": true, "m_reel": true, "m_empty": true})
	assertBatch(t, got, Batch{Messages: []helpdesk.InboundMessage{
		msg("m_share_null", 1583173700001, "📎 Shared a post (no preview available)"),
		msg("m_fallback_null", 1583173700002, "📎 Shared a link (no preview available)"),
		msg("m_link", 1583173700003, "look at this https://www.example.com/article/42\n"+
			"🔗 Why zippers break — https://l.facebook.com/l.php?u=https%3A%2F%2Fwww.example.com%2Farticle%2F42"),
		msg("m_link_payload", 1583173700004, "🔗 article — https://www.example.com/article"),
		msg("m_product", 1583173700005, "🔗 Black jacket – $29.99"),
		sticker,
		msg("m_reel", 1583173700007, "unsupported message (attachment:ig_reel)\n🔗 Unboxing — https://lookaside.fbsbx.com/ig_messaging_cdn/?asset_id=18012345"),
		msg("m_empty", 1583173700008, "unsupported message (message)"),
	}})
}

func TestRawIsCapped(t *testing.T) {
	big := json.RawMessage(`{"id":"x","pad":"` + string(make([]byte, 0)) + string(bytesOf('a', MaxRaw)) + `"}`)
	if got := string(rawCopy(big)); got != `{"omitted_bytes":`+itoa(len(big))+`}` {
		t.Fatalf("rawCopy = %.80s", got)
	}
}

func bytesOf(c byte, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = c
	}
	return b
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }
