package helpdesk_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

func TestCleanTextReplacesInvalidUTF8AsJSONDoesAndDropsNUL(t *testing.T) {
	cases := []struct{ in, want string }{
		{"plain", "plain"},
		{"caf\xe9", "caf\uFFFD"},               // Latin-1 é
		{"\xff\xfe", "\uFFFD\uFFFD"},           // one U+FFFD per bad byte
		{"a\x00b\x00", "ab"},                   // NUL removed
		{"\xe2\x82", "\uFFFD\uFFFD"},           // truncated € sequence
		{"é ✓ 日本", "é ✓ 日本"},                   // valid text unchanged
		{"\xed\xa0\x80", "\uFFFD\uFFFD\uFFFD"}, // an encoded surrogate
	}
	for _, c := range cases {
		if got := helpdesk.CleanText(c.in); got != c.want {
			t.Errorf("CleanText(%q) = %q, want %q", c.in, got, c.want)
		}
		// The same bytes in a JSON string decode to the same text.
		var viaJSON string
		if err := json.Unmarshal([]byte(`"`+strings.ReplaceAll(c.in, "\x00", `\u0000`)+`"`), &viaJSON); err != nil {
			t.Fatal(err)
		}
		if got := helpdesk.CleanText(viaJSON); got != c.want {
			t.Errorf("JSON-decoded %q cleaned = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCleanReachesEveryTextOfAMessage(t *testing.T) {
	m := helpdesk.InboundMessage{Subject: "s\x00", Text: "t\xff", HTML: "<p>\x00</p>", Sender: helpdesk.Sender{Name: "A\x00nn"},
		Attachments: []helpdesk.Attachment{{Name: "f\x00.pdf"}}, Submission: map[string]string{"k\x00": "v\xff"},
		Email: &helpdesk.EmailHeaders{FullText: "x\x00", To: []string{"a\x00@b"}}}
	m.Clean()
	raw, _ := json.Marshal(m)
	for _, bad := range []string{`\u0000`, "\xff"} {
		if strings.Contains(string(raw), bad) {
			t.Fatalf("cleaned message still has %q: %s", bad, raw)
		}
	}
	if m.Subject != "s" || m.Text != "t\uFFFD" || m.Sender.Name != "Ann" || m.Submission["k"] != "v\uFFFD" {
		t.Fatalf("cleaned = %+v", m)
	}
}
