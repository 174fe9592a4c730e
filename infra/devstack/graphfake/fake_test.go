package graphfake

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
)

const (
	pageID    = "1001"
	pageToken = "page-token"
	phoneID   = "2002"
	waToken   = "wa-token"
)

func start(t *testing.T) *Fake {
	t.Helper()
	f := Start(t)
	f.AddPage(pageID, pageToken)
	f.AddPhoneNumber(phoneID, waToken)
	return f
}

type answer struct {
	status int
	body   []byte
}

func (a answer) graphErr(t *testing.T) wireErrBody {
	t.Helper()
	var we struct {
		Error *wireErrBody `json:"error"`
	}
	if err := json.Unmarshal(a.body, &we); err != nil || we.Error == nil {
		t.Fatalf("answer is not Meta's error JSON: %s", a.body)
	}
	return *we.Error
}

func do(t *testing.T, method, url, token, contentType, body string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{resp.StatusCode, b}
}

const (
	fbText = `{"recipient":{"id":"PSID1"},"messaging_type":"RESPONSE","message":{"text":"hello"}}`
	waText = `{"messaging_product":"whatsapp","recipient_type":"individual","to":"15551234567","type":"text","text":{"preview_url":false,"body":"hello"}}`
)

// TestRejects proves the fake refuses malformed requests, each with Meta's
// documented status and code: a fake that accepts anything proves nothing.
func TestRejects(t *testing.T) {
	f := start(t)
	fb := f.URL + "/v21.0/" + pageID + "/messages"
	wa := f.URL + "/v21.0/" + phoneID + "/messages"
	long := strings.Repeat("é", 2001)
	type tc struct {
		name                   string
		method, url, token, ct string
		body                   string
		status, code, subcode  int
		msg                    string
	}
	tests := []tc{
		// Transport-level checks.
		{"no token", "POST", fb, "", "application/json", fbText, 401, 190, 0, "Invalid OAuth access token"},
		{"wrong token", "POST", fb, "nope", "application/json", fbText, 401, 190, 0, "Invalid OAuth access token"},
		{"token of another account", "POST", fb, waToken, "application/json", fbText, 401, 190, 0, "Invalid OAuth access token"},
		{"token in the URL", "POST", fb + "?access_token=" + pageToken, pageToken, "application/json", fbText, 400, 100, 0, "Authorization header"},
		{"unknown page", "POST", f.URL + "/v21.0/999/messages", pageToken, "application/json", fbText, 400, 100, 33, "Object with ID '999' does not exist"},
		{"no version", "POST", f.URL + "/" + pageID + "/messages", pageToken, "application/json", fbText, 400, 2500, 0, "Unknown path components"},
		{"bad version", "POST", f.URL + "/21.0/" + pageID + "/messages", pageToken, "application/json", fbText, 400, 2500, 0, "Unknown path"},
		{"unknown edge", "POST", f.URL + "/v21.0/" + pageID + "/feed", pageToken, "application/json", fbText, 400, 2500, 0, "Unknown path"},
		{"GET a send", "GET", fb, pageToken, "", "", 400, 100, 0, "Unsupported get request"},
		{"form body", "POST", fb, pageToken, "application/x-www-form-urlencoded", "recipient=x", 400, 100, 0, "Content-Type must be application/json"},
		{"no content type", "POST", fb, pageToken, "", fbText, 400, 100, 0, "Content-Type"},
		{"query params", "POST", fb + "?messaging_type=RESPONSE", pageToken, "application/json", fbText, 400, 100, 0, "JSON body"},

		// Messenger body.
		{"not JSON", "POST", fb, pageToken, "application/json", `recipient=1`, 400, 100, 0, "Invalid JSON"},
		{"trailing data", "POST", fb, pageToken, "application/json", fbText + `{}`, 400, 100, 0, "after the JSON object"},
		{"JSON array", "POST", fb, pageToken, "application/json", `[]`, 400, 100, 0, "Invalid JSON"},
		{"unknown field", "POST", fb, pageToken, "application/json",
			`{"recipient":{"id":"P"},"messaging_type":"RESPONSE","message":{"text":"x"},"access_token":"t"}`, 400, 100, 0, "unknown field"},
		{"unknown nested field", "POST", fb, pageToken, "application/json",
			`{"recipient":{"id":"P","phone_number":"1"},"messaging_type":"RESPONSE","message":{"text":"x"}}`, 400, 100, 0, "unknown field"},
		{"no recipient", "POST", fb, pageToken, "application/json", `{"messaging_type":"RESPONSE","message":{"text":"x"}}`, 400, 100, 0, "recipient[id] is required"},
		{"empty recipient id", "POST", fb, pageToken, "application/json", `{"recipient":{"id":""},"messaging_type":"RESPONSE","message":{"text":"x"}}`, 400, 100, 0, "recipient[id]"},
		{"no messaging_type", "POST", fb, pageToken, "application/json", `{"recipient":{"id":"P"},"message":{"text":"x"}}`, 400, 100, 0, "messaging_type is required"},
		{"bad messaging_type", "POST", fb, pageToken, "application/json", `{"recipient":{"id":"P"},"messaging_type":"response","message":{"text":"x"}}`, 400, 100, 0, "must be one of"},
		{"tag without MESSAGE_TAG", "POST", fb, pageToken, "application/json",
			`{"recipient":{"id":"P"},"messaging_type":"RESPONSE","tag":"HUMAN_AGENT","message":{"text":"x"}}`, 400, 100, 0, "only allowed with messaging_type MESSAGE_TAG"},
		{"empty tag without MESSAGE_TAG", "POST", fb, pageToken, "application/json",
			`{"recipient":{"id":"P"},"messaging_type":"UPDATE","tag":"","message":{"text":"x"}}`, 400, 100, 0, "only allowed"},
		{"MESSAGE_TAG without tag", "POST", fb, pageToken, "application/json",
			`{"recipient":{"id":"P"},"messaging_type":"MESSAGE_TAG","message":{"text":"x"}}`, 400, 100, 0, "tag is required"},
		{"unknown tag", "POST", fb, pageToken, "application/json",
			`{"recipient":{"id":"P"},"messaging_type":"MESSAGE_TAG","tag":"PROMO","message":{"text":"x"}}`, 400, 100, 0, "Param tag must be one of"},
		{"no message", "POST", fb, pageToken, "application/json", `{"recipient":{"id":"P"},"messaging_type":"RESPONSE"}`, 400, 100, 0, "message is required"},
		{"empty message", "POST", fb, pageToken, "application/json", `{"recipient":{"id":"P"},"messaging_type":"RESPONSE","message":{}}`, 400, 100, 0, "text or attachment"},
		{"empty text", "POST", fb, pageToken, "application/json", `{"recipient":{"id":"P"},"messaging_type":"RESPONSE","message":{"text":""}}`, 400, 100, 0, "message[text] must be a non-empty"},
		{"text too long", "POST", fb, pageToken, "application/json",
			`{"recipient":{"id":"P"},"messaging_type":"RESPONSE","message":{"text":"` + long + `"}}`, 400, 100, 0, "less than or equal to 2000"},
		{"text and attachment", "POST", fb, pageToken, "application/json",
			`{"recipient":{"id":"P"},"messaging_type":"RESPONSE","message":{"text":"x","attachment":{"type":"image","payload":{"url":"https://e.x/a.png"}}}}`, 400, 100, 0, "not both"},
		{"attachment type", "POST", fb, pageToken, "application/json",
			`{"recipient":{"id":"P"},"messaging_type":"RESPONSE","message":{"attachment":{"type":"template","payload":{"url":"https://e.x/a"}}}}`, 400, 100, 0, "attachment][type]"},
		{"attachment relative url", "POST", fb, pageToken, "application/json",
			`{"recipient":{"id":"P"},"messaging_type":"RESPONSE","message":{"attachment":{"type":"file","payload":{"url":"/a.pdf"}}}}`, 400, 100, 0, "valid URL"},
		{"attachment without payload", "POST", fb, pageToken, "application/json",
			`{"recipient":{"id":"P"},"messaging_type":"RESPONSE","message":{"attachment":{"type":"file"}}}`, 400, 100, 0, "valid URL"},
		{"quick reply title too long", "POST", fb, pageToken, "application/json",
			`{"recipient":{"id":"P"},"messaging_type":"RESPONSE","message":{"text":"x","quick_replies":[{"content_type":"text","title":"123456789012345678901","payload":"p"}]}}`, 400, 100, 0, "less than or equal to 20"},
		{"quick reply without payload", "POST", fb, pageToken, "application/json",
			`{"recipient":{"id":"P"},"messaging_type":"RESPONSE","message":{"text":"x","quick_replies":[{"content_type":"text","title":"t"}]}}`, 400, 100, 0, "[payload] must be a non-empty"},
		{"quick reply without content_type", "POST", fb, pageToken, "application/json",
			`{"recipient":{"id":"P"},"messaging_type":"RESPONSE","message":{"text":"x","quick_replies":[{"title":"t","payload":"p"}]}}`, 400, 100, 0, "content_type"},
		{"too many quick replies", "POST", fb, pageToken, "application/json",
			`{"recipient":{"id":"P"},"messaging_type":"RESPONSE","message":{"text":"x","quick_replies":[` + strings.TrimSuffix(strings.Repeat(`{"content_type":"text","title":"t","payload":"p"},`, 14), ",") + `]}}`, 400, 100, 0, "at most 13"},

		// WhatsApp body: errors carry error_data.
		{"wa no messaging_product", "POST", wa, waToken, "application/json", `{"to":"15551234567","type":"text","text":{"body":"x"}}`, 400, 100, 0, "Invalid parameter"},
		{"wa wrong messaging_product", "POST", wa, waToken, "application/json", `{"messaging_product":"messenger","to":"15551234567","text":{"body":"x"}}`, 400, 100, 0, "Invalid parameter"},
		{"wa recipient_type group", "POST", wa, waToken, "application/json", `{"messaging_product":"whatsapp","recipient_type":"group","to":"15551234567","text":{"body":"x"}}`, 400, 100, 0, "Invalid parameter"},
		{"wa no to", "POST", wa, waToken, "application/json", `{"messaging_product":"whatsapp","type":"text","text":{"body":"x"}}`, 400, 100, 0, "Invalid parameter"},
		{"wa to not a phone", "POST", wa, waToken, "application/json", `{"messaging_product":"whatsapp","to":"bob","type":"text","text":{"body":"x"}}`, 400, 100, 0, "Invalid parameter"},
		{"wa type mismatch", "POST", wa, waToken, "application/json", `{"messaging_product":"whatsapp","to":"15551234567","type":"image","text":{"body":"x"}}`, 400, 100, 0, "Invalid parameter"},
		{"wa two objects", "POST", wa, waToken, "application/json",
			`{"messaging_product":"whatsapp","to":"15551234567","type":"text","text":{"body":"x"},"image":{"link":"https://e.x/a.png"}}`, 400, 100, 0, "Invalid parameter"},
		{"wa template unmodelled", "POST", wa, waToken, "application/json", `{"messaging_product":"whatsapp","to":"15551234567","type":"template"}`, 400, 100, 0, "Invalid parameter"},
		{"wa unknown field", "POST", wa, waToken, "application/json", `{"messaging_product":"whatsapp","to":"15551234567","text":{"body":"x","preview":true}}`, 400, 100, 0, "Invalid parameter"},
		{"wa empty body", "POST", wa, waToken, "application/json", `{"messaging_product":"whatsapp","to":"15551234567","type":"text","text":{"body":""}}`, 400, 100, 0, "Invalid parameter"},
		{"wa body too long", "POST", wa, waToken, "application/json",
			`{"messaging_product":"whatsapp","to":"15551234567","type":"text","text":{"body":"` + strings.Repeat("a", 4097) + `"}}`, 400, 100, 0, "Invalid parameter"},
		{"wa audio caption", "POST", wa, waToken, "application/json",
			`{"messaging_product":"whatsapp","to":"15551234567","type":"audio","audio":{"link":"https://e.x/a.ogg","caption":"c"}}`, 400, 100, 0, "Invalid parameter"},
		{"wa image filename", "POST", wa, waToken, "application/json",
			`{"messaging_product":"whatsapp","to":"15551234567","type":"image","image":{"link":"https://e.x/a.png","filename":"a.png"}}`, 400, 100, 0, "Invalid parameter"},
		{"wa media without link", "POST", wa, waToken, "application/json",
			`{"messaging_product":"whatsapp","to":"15551234567","type":"video","video":{"caption":"c"}}`, 400, 100, 0, "Invalid parameter"},
		{"wa unknown media id", "POST", wa, waToken, "application/json",
			`{"messaging_product":"whatsapp","to":"15551234567","type":"image","image":{"id":"404"}}`, 400, 100, 0, "Invalid parameter"},
		{"wa recipient not a BSUID", "POST", wa, waToken, "application/json",
			`{"messaging_product":"whatsapp","recipient":"13491208655302741918","type":"text","text":{"body":"x"}}`, 400, 100, 0, "Invalid parameter"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := do(t, tt.method, tt.url, tt.token, tt.ct, tt.body)
			if a.status != tt.status {
				t.Fatalf("status = %d, want %d (%s)", a.status, tt.status, a.body)
			}
			e := a.graphErr(t)
			if e.Code != tt.code || e.Subcode != tt.subcode {
				t.Errorf("code = %d/%d, want %d/%d (%s)", e.Code, e.Subcode, tt.code, tt.subcode, a.body)
			}
			if e.TraceID == "" || e.Type == "" {
				t.Errorf("error lacks type or fbtrace_id: %s", a.body)
			}
			if !strings.Contains(e.Message, tt.msg) {
				t.Errorf("message = %q, want it to contain %q", e.Message, tt.msg)
			}
			if strings.Contains(tt.name, "wa ") {
				if e.ErrorData == nil || e.ErrorData.MessagingProduct != "whatsapp" || e.ErrorData.Details == "" {
					t.Errorf("WhatsApp error lacks error_data: %s", a.body)
				}
			}
		})
	}
	if n := len(f.Sent()); n != 0 {
		t.Errorf("%d messages recorded as sent by rejected requests", n)
	}
	if got, want := len(f.Requests()), len(tests); got != want {
		t.Errorf("recorded %d requests, want %d", got, want)
	}
}

func TestVersionPinned(t *testing.T) {
	f := start(t)
	f.Version = "v21.0"
	if a := do(t, "POST", f.URL+"/v19.0/"+pageID+"/messages", pageToken, "application/json", fbText); a.status != 400 {
		t.Errorf("v19.0 accepted while v21.0 is pinned: %d %s", a.status, a.body)
	}
	if a := do(t, "POST", f.URL+"/v21.0/"+pageID+"/messages", pageToken, "application/json", fbText); a.status != 200 {
		t.Errorf("v21.0 refused: %d %s", a.status, a.body)
	}
}

func TestAcceptsAndRecords(t *testing.T) {
	f := start(t)
	f.AddMedia("777", "image/png", []byte("png"), waToken)
	fb := f.URL + "/v21.0/" + pageID + "/messages"
	wa := f.URL + "/v21.0/" + phoneID + "/messages"
	ct := "application/json; charset=utf-8"

	a := do(t, "POST", fb, pageToken, ct, fbText)
	assertJSON(t, a, `{"recipient_id":"PSID1","message_id":"m_1"}`)
	a = do(t, "POST", fb, pageToken, ct, `{"recipient":{"id":"PSID2"},"messaging_type":"MESSAGE_TAG","tag":"HUMAN_AGENT",`+
		`"message":{"attachment":{"type":"file","payload":{"url":"https://files.example.com/a.pdf","is_reusable":false}},`+
		`"quick_replies":[{"content_type":"text","title":"Yes","payload":"Y"},{"content_type":"user_email"}]}}`)
	assertJSON(t, a, `{"recipient_id":"PSID2","message_id":"m_2"}`)
	a = do(t, "POST", wa, waToken, ct, waText)
	assertJSON(t, a, `{"messaging_product":"whatsapp","contacts":[{"input":"15551234567","wa_id":"15551234567"}],"messages":[{"id":"wamid.1"}]}`)
	a = do(t, "POST", wa, waToken, ct, `{"messaging_product":"whatsapp","to":"+15551234567","type":"document","document":{"link":"https://files.example.com/a.pdf","caption":"Invoice","filename":"a.pdf"}}`)
	assertJSON(t, a, `{"messaging_product":"whatsapp","contacts":[{"input":"+15551234567","wa_id":"15551234567"}],"messages":[{"id":"wamid.2"}]}`)
	a = do(t, "POST", wa, waToken, ct, `{"messaging_product":"whatsapp","to":"15551234567","type":"image","image":{"id":"777"}}`)
	assertJSON(t, a, `{"messaging_product":"whatsapp","contacts":[{"input":"15551234567","wa_id":"15551234567"}],"messages":[{"id":"wamid.3"}]}`)

	sent := f.Sent()
	if len(sent) != 5 {
		t.Fatalf("Sent() has %d messages, want 5", len(sent))
	}
	want0 := Sent{Kind: KindMessenger, AccountID: pageID, Token: pageToken, Recipient: "PSID1", MessagingType: "RESPONSE", Text: "hello", MessageID: "m_1"}
	if got := fmt.Sprintf("%+v", sent[0]); got != fmt.Sprintf("%+v", want0) {
		t.Errorf("sent[0] = %s\nwant      %s", got, fmt.Sprintf("%+v", want0))
	}
	s1 := sent[1]
	if s1.Tag != "HUMAN_AGENT" || s1.MessagingType != "MESSAGE_TAG" || s1.Attachment == nil ||
		s1.Attachment.Type != "file" || s1.Attachment.URL != "https://files.example.com/a.pdf" ||
		len(s1.QuickReplies) != 2 || s1.QuickReplies[0] != (QuickReply{"text", "Yes", "Y"}) || s1.QuickReplies[1].ContentType != "user_email" {
		t.Errorf("sent[1] = %+v", s1)
	}
	if s := sent[2]; s.Kind != KindWhatsApp || s.AccountID != phoneID || s.Recipient != "15551234567" || s.Text != "hello" || s.PreviewURL || s.MessageID != "wamid.1" {
		t.Errorf("sent[2] = %+v", s)
	}
	if s := sent[3]; s.Attachment == nil || *s.Attachment != (Attachment{Type: "document", URL: "https://files.example.com/a.pdf", Caption: "Invoice", Filename: "a.pdf"}) {
		t.Errorf("sent[3] = %+v", s)
	}
	if s := sent[4]; s.Attachment == nil || s.Attachment.MediaID != "777" {
		t.Errorf("sent[4] = %+v", s)
	}

	reqs := f.Requests()
	if len(reqs) != 5 {
		t.Fatalf("Requests() has %d, want 5", len(reqs))
	}
	r := reqs[0]
	if r.Kind != KindMessenger || r.Method != "POST" || r.Path != "/v21.0/"+pageID+"/messages" || r.Token != pageToken ||
		r.AccountID != pageID || r.Status != 200 || string(r.Body) != fbText {
		t.Errorf("request[0] = %+v", r)
	}
	if got := r.JSON()["messaging_type"]; got != "RESPONSE" {
		t.Errorf("JSON()[messaging_type] = %v", got)
	}
	// The snapshot is a copy.
	reqs[0].Body[0] = 'X'
	sent[1].QuickReplies[0].Title = "changed"
	if f.Requests()[0].Body[0] != '{' || f.Sent()[1].QuickReplies[0].Title != "Yes" {
		t.Error("Requests/Sent return the fake's own memory")
	}
}

func TestMedia(t *testing.T) {
	f := start(t)
	data := []byte("%PDF-1.7 fake")
	f.AddMedia("555", "application/pdf", data, waToken)

	if a := do(t, "GET", f.URL+"/v21.0/555", "", "", ""); a.status != 401 {
		t.Errorf("media without token: %d", a.status)
	}
	if a := do(t, "GET", f.URL+"/v21.0/555", pageToken, "", ""); a.status != 401 {
		t.Errorf("media with another token: %d", a.status)
	}
	if a := do(t, "GET", f.URL+"/v21.0/556", waToken, "", ""); a.status != 400 || a.graphErr(t).Subcode != 33 {
		t.Errorf("unknown media: %d %s", a.status, a.body)
	}
	if a := do(t, "GET", f.URL+"/v21.0/555?fields=url", waToken, "", ""); a.status != 400 {
		t.Errorf("unknown query parameter accepted: %d", a.status)
	}
	a := do(t, "GET", f.URL+"/v21.0/555?phone_number_id="+phoneID, waToken, "", "")
	if a.status != 200 {
		t.Fatalf("media: %d %s", a.status, a.body)
	}
	var info struct {
		MessagingProduct string `json:"messaging_product"`
		URL              string `json:"url"`
		MimeType         string `json:"mime_type"`
		SHA256           string `json:"sha256"`
		FileSize         int    `json:"file_size"`
		ID               string `json:"id"`
	}
	if err := json.Unmarshal(a.body, &info); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if info.MessagingProduct != "whatsapp" || info.MimeType != "application/pdf" || info.SHA256 != hex.EncodeToString(sum[:]) ||
		info.FileSize != len(data) || info.ID != "555" || !strings.HasPrefix(info.URL, f.URL+"/whatsapp_business/attachments/?") {
		t.Fatalf("media info = %+v", info)
	}
	if a := do(t, "GET", info.URL, "", "", ""); a.status != 401 {
		t.Errorf("download without token: %d", a.status)
	}
	if a := do(t, "GET", info.URL, pageToken, "", ""); a.status != 401 {
		t.Errorf("download with another token: %d", a.status)
	}
	if a := do(t, "GET", f.URL+"/whatsapp_business/attachments/?mid=1", waToken, "", ""); a.status != 404 {
		t.Errorf("download of unknown media: %d", a.status)
	}
	if a := do(t, "GET", info.URL, waToken, "", ""); a.status != 200 || !bytes.Equal(a.body, data) {
		t.Errorf("download: %d %q", a.status, a.body)
	}
}

func TestFailNext(t *testing.T) {
	f := start(t)
	fb := f.URL + "/v21.0/" + pageID + "/messages"
	wa := f.URL + "/v21.0/" + phoneID + "/messages"
	f.FailNext(2, 400, 10, 2018278, "(#10) This message is sent outside of allowed window.")

	// A malformed request is still refused for what it is, and does not use up a failure.
	if a := do(t, "POST", fb, pageToken, "application/json", `{}`); a.graphErr(t).Code != 100 {
		t.Errorf("malformed request got %s", a.body)
	}
	a := do(t, "POST", fb, pageToken, "application/json", fbText)
	if e := a.graphErr(t); a.status != 400 || e.Code != 10 || e.Subcode != 2018278 || e.ErrorData != nil ||
		e.Message != "(#10) This message is sent outside of allowed window." {
		t.Errorf("first failure: %d %s", a.status, a.body)
	}
	a = do(t, "POST", wa, waToken, "application/json", waText)
	if e := a.graphErr(t); e.Code != 10 || e.ErrorData == nil || e.ErrorData.Details != e.Message {
		t.Errorf("second failure (WhatsApp form): %s", a.body)
	}
	if a := do(t, "POST", fb, pageToken, "application/json", fbText); a.status != 200 {
		t.Errorf("third send: %d %s", a.status, a.body)
	}
	if sent := f.Sent(); len(sent) != 1 || sent[0].MessageID != "m_1" {
		t.Errorf("Sent() = %+v; failed sends must not be recorded or use ids", sent)
	}
	// Media requests are not sends.
	f.AddMedia("9", "image/png", []byte("x"), waToken)
	f.FailNext(1, 500, 2, 0, "boom")
	if a := do(t, "GET", f.URL+"/v21.0/9", waToken, "", ""); a.status != 200 {
		t.Errorf("media lookup used a send failure: %d", a.status)
	}
}

func TestScript(t *testing.T) {
	f := start(t)
	fb := f.URL + "/v21.0/" + pageID + "/messages"
	wa := f.URL + "/v21.0/" + phoneID + "/messages"
	var seen []Request
	f.Script(func(r Request) *Response {
		seen = append(seen, r)
		switch {
		case r.Kind == KindWhatsApp:
			return ReEngagement()
		case strings.Contains(string(r.Body), "rate"):
			return RateLimited()
		case strings.Contains(string(r.Body), "html"):
			return &Response{Status: 502, Header: http.Header{"Content-Type": {"text/html"}}, Body: []byte("<html>Bad Gateway</html>")}
		}
		return nil
	})
	a := do(t, "POST", wa, waToken, "application/json", waText)
	if e := a.graphErr(t); a.status != 400 || e.Code != 131047 || e.ErrorData == nil || !strings.Contains(e.ErrorData.Details, "24 hours") {
		t.Errorf("re-engagement: %d %s", a.status, a.body)
	}
	a = do(t, "POST", fb, pageToken, "application/json", `{"recipient":{"id":"P"},"messaging_type":"RESPONSE","message":{"text":"rate"}}`)
	if e := a.graphErr(t); a.status != 429 || e.Code != 4 {
		t.Errorf("rate limit: %d %s", a.status, a.body)
	}
	a = do(t, "POST", fb, pageToken, "application/json", `{"recipient":{"id":"P"},"messaging_type":"RESPONSE","message":{"text":"html"}}`)
	if a.status != 502 || string(a.body) != "<html>Bad Gateway</html>" {
		t.Errorf("raw answer: %d %s", a.status, a.body)
	}
	if a := do(t, "POST", fb, pageToken, "application/json", fbText); a.status != 200 {
		t.Errorf("unscripted send: %d", a.status)
	}
	// The script only sees requests that passed the checks.
	do(t, "POST", fb, "bad", "application/json", fbText)
	if len(seen) != 4 || seen[0].Kind != KindWhatsApp || seen[0].Status != 0 {
		t.Errorf("script saw %d requests: %+v", len(seen), seen)
	}
	if reqs := f.Requests(); len(reqs) != 5 || reqs[0].Status != 400 || reqs[1].Status != 429 || reqs[2].Status != 502 || reqs[4].Status != 401 {
		t.Errorf("recorded statuses wrong: %+v", reqs)
	}
	f.Script(nil)
	if a := do(t, "POST", wa, waToken, "application/json", waText); a.status != 200 {
		t.Errorf("script not removed: %d", a.status)
	}
}

func TestConcurrentSends(t *testing.T) {
	f := start(t)
	fb := f.URL + "/v21.0/" + pageID + "/messages"
	f.FailNext(5, 500, 2, 0, "An unexpected error has occurred. Please retry your request later.")
	const n = 40
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			body := fmt.Sprintf(`{"recipient":{"id":"P%d"},"messaging_type":"RESPONSE","message":{"text":"m%d"}}`, i, i)
			req, _ := http.NewRequest("POST", fb, strings.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+pageToken)
			req.Header.Set("Content-Type", "application/json")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			mu.Lock()
			statuses[resp.StatusCode]++
			mu.Unlock()
			_ = f.Sent() // readers race with writers under -race
		}(i)
	}
	wg.Wait()
	if statuses[500] != 5 || statuses[200] != n-5 {
		t.Errorf("statuses = %v, want 5×500 and %d×200", statuses, n-5)
	}
	ids := map[string]bool{}
	for _, s := range f.Sent() {
		if ids[s.MessageID] {
			t.Errorf("duplicate message id %s", s.MessageID)
		}
		ids[s.MessageID] = true
	}
	if len(ids) != n-5 || len(f.Requests()) != n {
		t.Errorf("%d ids, %d requests", len(ids), len(f.Requests()))
	}
}

func TestListen(t *testing.T) {
	f := New()
	if _, _, err := f.Listen("0.0.0.0:0"); err == nil {
		t.Error("Listen on 0.0.0.0 succeeded; only loopback is allowed")
	}
	if _, _, err := f.Listen("192.0.2.1:0"); err == nil {
		t.Error("Listen on a non-loopback address succeeded")
	}
	url, stop, err := f.Listen(":0")
	if err != nil {
		t.Fatal(err)
	}
	defer stop()
	if !strings.HasPrefix(url, "http://127.0.0.1:") || f.URL != url {
		t.Errorf("url = %q, f.URL = %q", url, f.URL)
	}
	f.AddPage(pageID, pageToken)
	if a := do(t, "POST", url+"/v21.0/"+pageID+"/messages", pageToken, "application/json", fbText); a.status != 200 {
		t.Errorf("send via Listen: %d %s", a.status, a.body)
	}
}

func TestReset(t *testing.T) {
	f := start(t)
	do(t, "POST", f.URL+"/v21.0/"+pageID+"/messages", pageToken, "application/json", fbText)
	f.FailNext(1, 500, 2, 0, "x")
	f.Reset()
	if len(f.Requests()) != 0 || len(f.Sent()) != 0 {
		t.Error("Reset kept records")
	}
	if a := do(t, "POST", f.URL+"/v21.0/"+pageID+"/messages", pageToken, "application/json", fbText); a.status != 200 {
		t.Errorf("after Reset: %d (page forgotten or failure kept)", a.status)
	}
}

func assertJSON(t *testing.T, a answer, want string) {
	t.Helper()
	if a.status != 200 {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	var got, exp any
	if err := json.Unmarshal(a.body, &got); err != nil {
		t.Fatalf("answer is not JSON: %s", a.body)
	}
	if err := json.Unmarshal([]byte(want), &exp); err != nil {
		t.Fatal(err)
	}
	g, _ := json.Marshal(got)
	e, _ := json.Marshal(exp)
	if !bytes.Equal(g, e) {
		t.Errorf("answer = %s\nwant     %s", g, e)
	}
}
