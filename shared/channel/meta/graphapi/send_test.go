package graphapi_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/infra/devstack/graphfake"
	"github.com/stackdesk/stackdesk/shared/channel/meta/graphapi"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

const (
	pageID    = "1001"
	pageToken = "EAAG-page-token"
	phoneID   = "2002"
	waToken   = "EAAG-wa-token"
)

func setup(t *testing.T) (*graphfake.Fake, *graphapi.Client) {
	t.Helper()
	f := graphfake.Start(t)
	f.Version = "v21.0"
	f.AddPage(pageID, pageToken)
	f.AddPhoneNumber(phoneID, waToken)
	return f, graphapi.New(f.URL, "", nil)
}

// sameJSON compares JSON documents ignoring key order and spacing.
func sameJSON(t *testing.T, got []byte, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("body is not JSON: %s", got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatal(err)
	}
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	if !bytes.Equal(gb, wb) {
		t.Errorf("body = %s\nwant   %s", gb, wb)
	}
}

func TestSendMessengerWireFormat(t *testing.T) {
	tests := []struct {
		name string
		m    graphapi.MessengerMessage
		want string
	}{
		{"text response", graphapi.MessengerMessage{PSID: "PSID1", MessagingType: "RESPONSE", Text: "Hello"},
			`{"recipient":{"id":"PSID1"},"messaging_type":"RESPONSE","message":{"text":"Hello"}}`},
		{"human agent tag", graphapi.MessengerMessage{PSID: "PSID1", MessagingType: "MESSAGE_TAG", Tag: "HUMAN_AGENT", Text: "Late reply"},
			`{"recipient":{"id":"PSID1"},"messaging_type":"MESSAGE_TAG","tag":"HUMAN_AGENT","message":{"text":"Late reply"}}`},
		{"quick replies", graphapi.MessengerMessage{PSID: "PSID1", MessagingType: "UPDATE", Text: "Solved?",
			QuickReplies: []graphapi.QuickReply{{Title: "Yes", Payload: "SOLVED"}, {Title: "No", Payload: "OPEN"}}},
			`{"recipient":{"id":"PSID1"},"messaging_type":"UPDATE","message":{"text":"Solved?","quick_replies":[` +
				`{"content_type":"text","title":"Yes","payload":"SOLVED"},{"content_type":"text","title":"No","payload":"OPEN"}]}}`},
		{"attachment", graphapi.MessengerMessage{PSID: "PSID1", MessagingType: "RESPONSE",
			Attachment: &graphapi.Attachment{Type: "file", URL: "https://files.example.com/invoice.pdf?sig=1"}},
			`{"recipient":{"id":"PSID1"},"messaging_type":"RESPONSE","message":{"attachment":{"type":"file","payload":{"url":"https://files.example.com/invoice.pdf?sig=1","is_reusable":false}}}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := setup(t)
			res, err := c.SendMessenger(context.Background(), pageToken, pageID, tt.m)
			if err != nil {
				t.Fatal(err)
			}
			if res.MessageID != "m_1" || res.RecipientID != tt.m.PSID {
				t.Errorf("result = %+v", res)
			}
			reqs := f.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests", len(reqs))
			}
			r := reqs[0]
			if r.Method != "POST" || r.Path != "/v21.0/"+pageID+"/messages" || r.Token != pageToken || len(r.Query) != 0 {
				t.Errorf("request = %s %s token=%q query=%v", r.Method, r.Path, r.Token, r.Query)
			}
			sameJSON(t, r.Body, tt.want)
			if s := f.Sent(); len(s) != 1 || s[0].MessageID != "m_1" {
				t.Errorf("Sent() = %+v", s)
			}
		})
	}
}

func TestSendWhatsAppWireFormat(t *testing.T) {
	tests := []struct {
		name string
		m    graphapi.WhatsAppMessage
		want string
	}{
		{"text", graphapi.WhatsAppMessage{WaID: "15551234567", Text: "Hello https://example.com"},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"15551234567","type":"text","text":{"preview_url":false,"body":"Hello https://example.com"}}`},
		{"image with caption", graphapi.WhatsAppMessage{WaID: "15551234567", Media: &graphapi.WhatsAppMedia{Type: "image", Link: "https://files.example.com/a.png", Caption: "Screenshot"}},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"15551234567","type":"image","image":{"link":"https://files.example.com/a.png","caption":"Screenshot"}}`},
		{"document", graphapi.WhatsAppMessage{WaID: "15551234567", Media: &graphapi.WhatsAppMedia{Type: "document", Link: "https://files.example.com/a.pdf", Caption: "Invoice", Filename: "invoice.pdf"}},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"15551234567","type":"document","document":{"link":"https://files.example.com/a.pdf","caption":"Invoice","filename":"invoice.pdf"}}`},
		{"audio", graphapi.WhatsAppMessage{WaID: "15551234567", Media: &graphapi.WhatsAppMedia{Type: "audio", Link: "https://files.example.com/a.ogg"}},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"15551234567","type":"audio","audio":{"link":"https://files.example.com/a.ogg"}}`},
		{"video", graphapi.WhatsAppMessage{WaID: "15551234567", Media: &graphapi.WhatsAppMedia{Type: "video", Link: "https://files.example.com/a.mp4"}},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"15551234567","type":"video","video":{"link":"https://files.example.com/a.mp4"}}`},
		// A customer known only by a business-scoped user id is sent to as
		// "recipient"; with a number too, the number ("to") alone.
		{"to a BSUID", graphapi.WhatsAppMessage{UserID: "US.13491208655302741918", Text: "Hello"},
			`{"messaging_product":"whatsapp","recipient_type":"individual","recipient":"US.13491208655302741918","type":"text","text":{"preview_url":false,"body":"Hello"}}`},
		{"number and BSUID", graphapi.WhatsAppMessage{WaID: "15551234567", UserID: "US.13491208655302741918", Text: "Hello"},
			`{"messaging_product":"whatsapp","recipient_type":"individual","to":"15551234567","type":"text","text":{"preview_url":false,"body":"Hello"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, c := setup(t)
			res, err := c.SendWhatsApp(context.Background(), waToken, phoneID, tt.m)
			if err != nil {
				t.Fatal(err)
			}
			if res.MessageID != "wamid.1" || res.RecipientID != cmp.Or(tt.m.WaID, tt.m.UserID) {
				t.Errorf("result = %+v", res)
			}
			r := f.Requests()[0]
			if r.Path != "/v21.0/"+phoneID+"/messages" || r.Token != waToken || len(r.Query) != 0 {
				t.Errorf("request = %s token=%q query=%v", r.Path, r.Token, r.Query)
			}
			sameJSON(t, r.Body, tt.want)
		})
	}
}

// TestValidation: messages Meta would refuse are refused before any request.
func TestValidation(t *testing.T) {
	long := func(n int) string { return strings.Repeat("é", n) }
	ok := graphapi.MessengerMessage{PSID: "P", MessagingType: "RESPONSE", Text: "x"}
	fb := func(edit func(*graphapi.MessengerMessage)) graphapi.MessengerMessage {
		m := ok
		edit(&m)
		return m
	}
	img := &graphapi.Attachment{Type: "image", URL: "https://e.example/a.png"}
	qr := func(n int) []graphapi.QuickReply {
		q := make([]graphapi.QuickReply, n)
		for i := range q {
			q[i] = graphapi.QuickReply{Title: "t", Payload: "p"}
		}
		return q
	}
	messenger := []struct {
		name   string
		m      graphapi.MessengerMessage
		reason string
	}{
		{"no recipient", fb(func(m *graphapi.MessengerMessage) { m.PSID = "" }), "recipient_required"},
		{"no messaging type", fb(func(m *graphapi.MessengerMessage) { m.MessagingType = "" }), "messaging_type_required"},
		{"bad messaging type", fb(func(m *graphapi.MessengerMessage) { m.MessagingType = "response" }), "messaging_type_invalid"},
		{"tag with RESPONSE", fb(func(m *graphapi.MessengerMessage) { m.Tag = "HUMAN_AGENT" }), "tag_without_message_tag"},
		{"MESSAGE_TAG without tag", fb(func(m *graphapi.MessengerMessage) { m.MessagingType = "MESSAGE_TAG" }), "tag_required"},
		{"unknown tag", fb(func(m *graphapi.MessengerMessage) { m.MessagingType, m.Tag = "MESSAGE_TAG", "PROMO" }), "tag_invalid"},
		{"empty", fb(func(m *graphapi.MessengerMessage) { m.Text = "" }), "content_required"},
		{"text and attachment", fb(func(m *graphapi.MessengerMessage) { m.Attachment = img }), "text_and_attachment"},
		{"text 2001 chars", fb(func(m *graphapi.MessengerMessage) { m.Text = long(2001) }), "text_too_long"},
		{"attachment type", fb(func(m *graphapi.MessengerMessage) {
			m.Text, m.Attachment = "", &graphapi.Attachment{Type: "template", URL: "https://e.example/a"}
		}), "attachment_type_invalid"},
		{"attachment url", fb(func(m *graphapi.MessengerMessage) {
			m.Text, m.Attachment = "", &graphapi.Attachment{Type: "image", URL: "/a.png"}
		}), "attachment_url_invalid"},
		{"14 quick replies", fb(func(m *graphapi.MessengerMessage) { m.QuickReplies = qr(14) }), "too_many_quick_replies"},
		{"quick reply title 21", fb(func(m *graphapi.MessengerMessage) {
			m.QuickReplies = []graphapi.QuickReply{{Title: long(21), Payload: "p"}}
		}), "quick_reply_title_too_long"},
		{"quick reply no payload", fb(func(m *graphapi.MessengerMessage) { m.QuickReplies = []graphapi.QuickReply{{Title: "t"}} }), "quick_reply_invalid"},
	}
	f, c := setup(t)
	ctx := context.Background()
	for _, tt := range messenger {
		_, err := c.SendMessenger(ctx, pageToken, pageID, tt.m)
		checkInvalid(t, tt.name, err, tt.reason)
	}
	// The limits themselves are fine (characters, not bytes).
	for _, m := range []graphapi.MessengerMessage{
		fb(func(m *graphapi.MessengerMessage) { m.Text = long(2000) }),
		fb(func(m *graphapi.MessengerMessage) { m.QuickReplies = qr(13) }),
		fb(func(m *graphapi.MessengerMessage) {
			m.QuickReplies = []graphapi.QuickReply{{Title: long(20), Payload: "p"}}
		}),
		fb(func(m *graphapi.MessengerMessage) { m.Text, m.Attachment, m.QuickReplies = "", img, qr(2) }),
	} {
		if _, err := c.SendMessenger(ctx, pageToken, pageID, m); err != nil {
			t.Errorf("valid message refused: %v", err)
		}
	}

	wa := []struct {
		name   string
		m      graphapi.WhatsAppMessage
		reason string
	}{
		{"no recipient", graphapi.WhatsAppMessage{Text: "x"}, "recipient_required"},
		{"recipient not a phone", graphapi.WhatsAppMessage{WaID: "bob", Text: "x"}, "recipient_invalid"},
		{"recipient not a BSUID", graphapi.WhatsAppMessage{UserID: "13491208655302741918", Text: "x"}, "recipient_invalid"},
		{"empty", graphapi.WhatsAppMessage{WaID: "15551234567"}, "content_required"},
		{"text 4097", graphapi.WhatsAppMessage{WaID: "15551234567", Text: long(4097)}, "text_too_long"},
		{"both", graphapi.WhatsAppMessage{WaID: "15551234567", Text: "x", Media: &graphapi.WhatsAppMedia{Type: "image", Link: "https://e.example/a"}}, "text_and_attachment"},
		{"sticker", graphapi.WhatsAppMessage{WaID: "15551234567", Media: &graphapi.WhatsAppMedia{Type: "sticker", Link: "https://e.example/a"}}, "attachment_type_invalid"},
		{"relative link", graphapi.WhatsAppMessage{WaID: "15551234567", Media: &graphapi.WhatsAppMedia{Type: "image", Link: "a.png"}}, "attachment_url_invalid"},
		{"audio caption", graphapi.WhatsAppMessage{WaID: "15551234567", Media: &graphapi.WhatsAppMedia{Type: "audio", Link: "https://e.example/a", Caption: "c"}}, "caption_not_allowed"},
		{"image filename", graphapi.WhatsAppMessage{WaID: "15551234567", Media: &graphapi.WhatsAppMedia{Type: "image", Link: "https://e.example/a", Filename: "a.png"}}, "filename_not_allowed"},
		{"caption 1025", graphapi.WhatsAppMessage{WaID: "15551234567", Media: &graphapi.WhatsAppMedia{Type: "image", Link: "https://e.example/a", Caption: long(1025)}}, "caption_too_long"},
	}
	for _, tt := range wa {
		_, err := c.SendWhatsApp(ctx, waToken, phoneID, tt.m)
		checkInvalid(t, "whatsapp "+tt.name, err, tt.reason)
	}
	if _, err := c.SendWhatsApp(ctx, waToken, phoneID, graphapi.WhatsAppMessage{WaID: "+15551234567", Text: long(4096)}); err != nil {
		t.Errorf("4096-character text refused: %v", err)
	}

	// Ids that could change the path, and missing tokens, never leave the process.
	_, err := c.SendMessenger(ctx, pageToken, "1001/../2002", ok)
	checkInvalid(t, "path in page id", err, "page_id_invalid")
	_, err = c.SendWhatsApp(ctx, waToken, "2002?x=1", graphapi.WhatsAppMessage{WaID: "15551234567", Text: "x"})
	checkInvalid(t, "query in phone id", err, "phone_number_id_invalid")
	if _, err := c.SendMessenger(ctx, "", pageID, ok); helpdesk.ErrorReason(err) != "access_token_missing" {
		t.Errorf("empty token: %v", err)
	}
	bad := graphapi.New(f.URL, "21.0", nil)
	if _, err := bad.SendMessenger(ctx, pageToken, pageID, ok); helpdesk.ErrorReason(err) != "graph_version_invalid" {
		t.Errorf("bad version: %v", err)
	}

	if n := len(f.Requests()); n != 5 {
		t.Errorf("%d requests reached the fake, want only the 5 valid ones", n)
	}
}

func checkInvalid(t *testing.T, name string, err error, reason string) {
	t.Helper()
	if helpdesk.ErrorCode(err) != helpdesk.EInvalid || helpdesk.ErrorReason(err) != reason {
		t.Errorf("%s: got %v, want invalid (%s)", name, err, reason)
	}
	if graphapi.Retryable(err) {
		t.Errorf("%s: validation error is retryable", name)
	}
}

func TestMetaErrors(t *testing.T) {
	ctx := context.Background()
	msg := graphapi.MessengerMessage{PSID: "P", MessagingType: "RESPONSE", Text: "x"}
	wmsg := graphapi.WhatsAppMessage{WaID: "15551234567", Text: "x"}

	t.Run("outside window", func(t *testing.T) {
		f, c := setup(t)
		f.FailNext(1, 400, 10, 2018278, "(#10) This message is sent outside of allowed window.")
		_, err := c.SendMessenger(ctx, pageToken, pageID, msg)
		var ge *graphapi.Error
		if !errors.As(err, &ge) {
			t.Fatalf("err = %v (%T), want *graphapi.Error", err, err)
		}
		want := graphapi.Error{HTTPStatus: 400, Code: 10, Subcode: 2018278, Type: "OAuthException",
			Message: "This message is sent outside of allowed window.", TraceID: "FakeTrace1"}
		if *ge != want {
			t.Errorf("error = %+v\nwant    %+v", *ge, want)
		}
		if got := err.Error(); got != "graph api: (#10/2018278) This message is sent outside of allowed window. [fbtrace FakeTrace1]" {
			t.Errorf("Error() = %q", got)
		}
		if graphapi.Retryable(err) {
			t.Error("outside-window refusal is retryable")
		}
	})
	t.Run("whatsapp re-engagement", func(t *testing.T) {
		f, c := setup(t)
		f.Script(func(graphfake.Request) *graphfake.Response { return graphfake.ReEngagement() })
		_, err := c.SendWhatsApp(ctx, waToken, phoneID, wmsg)
		var ge *graphapi.Error
		if !errors.As(err, &ge) || ge.Code != 131047 || ge.Message != "Re-engagement message" || !strings.Contains(ge.Details, "24 hours") {
			t.Fatalf("err = %#v", err)
		}
		if !strings.HasPrefix(err.Error(), "graph api: (#131047) Re-engagement message: Message failed to send because more than 24 hours") {
			t.Errorf("Error() = %q", err.Error())
		}
		if graphapi.Retryable(err) {
			t.Error("131047 is retryable")
		}
	})
	t.Run("rate limit then success", func(t *testing.T) {
		f, c := setup(t)
		f.FailNext(1, 429, 4, 0, "(#4) Application request limit reached")
		_, err := c.SendMessenger(ctx, pageToken, pageID, msg)
		if !graphapi.Retryable(err) {
			t.Fatalf("rate limit not retryable: %v", err)
		}
		if res, err := c.SendMessenger(ctx, pageToken, pageID, msg); err != nil || res.MessageID != "m_1" {
			t.Errorf("retry: %+v, %v", res, err)
		}
	})
	t.Run("server error", func(t *testing.T) {
		f, c := setup(t)
		f.FailNext(1, 500, 2, 0, "An unexpected error has occurred. Please retry your request later.")
		_, err := c.SendWhatsApp(ctx, waToken, phoneID, wmsg)
		if !graphapi.Retryable(err) {
			t.Errorf("500 not retryable: %v", err)
		}
	})
	t.Run("wrong token", func(t *testing.T) {
		_, c := setup(t)
		_, err := c.SendMessenger(ctx, "EAAG-stale", pageID, msg)
		var ge *graphapi.Error
		if !errors.As(err, &ge) || ge.HTTPStatus != 401 || ge.Code != 190 {
			t.Fatalf("err = %v", err)
		}
		if graphapi.Retryable(err) {
			t.Error("190 is retryable")
		}
		if strings.Contains(err.Error(), "EAAG") {
			t.Errorf("error string leaks the token: %q", err.Error())
		}
	})
	t.Run("unknown page", func(t *testing.T) {
		_, c := setup(t)
		_, err := c.SendMessenger(ctx, pageToken, "4242", msg)
		var ge *graphapi.Error
		if !errors.As(err, &ge) || ge.Code != 100 || ge.Subcode != 33 || ge.Type != "GraphMethodException" {
			t.Fatalf("err = %v", err)
		}
	})
}
