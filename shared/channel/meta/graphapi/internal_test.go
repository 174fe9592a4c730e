package graphapi

import (
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

func TestCheckDownloadURL(t *testing.T) {
	c := New("http://127.0.0.1:9999", "", nil)
	tests := []struct {
		url    string
		reason string // "" means allowed
	}{
		{"https://lookaside.fbsbx.com/whatsapp_business/attachments/?mid=1&ext=2&hash=3", ""},
		{"https://scontent.xx.fbcdn.net/v/t1.15752-9/a.jpg?oh=1", ""},
		{"https://cdn.fbsbx.com/v/t59.2708-21/a.pdf", ""},
		{"https://mmg.whatsapp.net/x", ""},
		{"http://127.0.0.1:9999/whatsapp_business/attachments/?mid=1", ""}, // the BaseURL host (a fake)
		{"http://lookaside.fbsbx.com/x", "media_url_untrusted"},            // the token never goes in clear
		{"https://lookaside.fbsbx.com:8443/x", "media_url_untrusted"},
		{"https://fbsbx.com.attacker.example/x", "media_url_untrusted"},
		{"https://evilfbsbx.com/x", "media_url_untrusted"},
		{"http://127.0.0.1:9998/x", "media_url_untrusted"},
		{"https://user:pw@lookaside.fbsbx.com/x", "media_url_invalid"},
		{"/relative", "media_url_invalid"},
		{"::", "media_url_invalid"},
	}
	for _, tt := range tests {
		err := c.checkDownloadURL(tt.url)
		if got := helpdesk.ErrorReason(err); got != tt.reason {
			t.Errorf("checkDownloadURL(%q) = %v, want reason %q", tt.url, err, tt.reason)
		}
	}
}

func TestParseError(t *testing.T) {
	e := parseError(400, []byte(`{"error":{"message":"(#131009) Parameter value is not valid","type":"OAuthException","code":131009,
		"error_data":{"messaging_product":"whatsapp","details":"Param to is not valid"},"fbtrace_id":"Az"}}`))
	if e.Code != 131009 || e.Message != "Parameter value is not valid" || e.Details != "Param to is not valid" || e.TraceID != "Az" {
		t.Errorf("parsed = %+v", e)
	}
	if got := e.Error(); got != "graph api: (#131009) Parameter value is not valid: Param to is not valid [fbtrace Az]" {
		t.Errorf("Error() = %q", got)
	}
	// JSON that is not Meta's error shape is kept raw.
	e = parseError(500, []byte(`{"status":"down"}`))
	if e.Code != 0 || e.Message != `{"status":"down"}` {
		t.Errorf("parsed = %+v", e)
	}
}

func TestRawMessageTruncated(t *testing.T) {
	body := strings.Repeat("é", 150) // 300 bytes, not JSON
	got := parseError(502, []byte(body)).Message
	if !strings.HasSuffix(got, "…") || len(got) > maxRawMessage || !strings.HasPrefix(got, "éé") {
		t.Errorf("Message = %q", got)
	}
	if strings.ContainsRune(got, '\uFFFD') {
		t.Error("the cut split a rune in half")
	}
	if got := parseError(502, []byte("short")).Message; got != "short" {
		t.Errorf("short body: Message = %q, want it kept", got)
	}
}
