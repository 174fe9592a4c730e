package email

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestBoundFileName(t *testing.T) {
	long := strings.Repeat("ü", 150) + ".pdf" // 304 bytes
	got := boundFileName(long, 200)
	if len(got) > 200 || !utf8.ValidString(got) || !strings.HasSuffix(got, ".pdf") || !strings.HasPrefix(got, "üü") {
		t.Errorf("boundFileName = %q (%d bytes)", got, len(got))
	}
	if got := boundFileName("invoice.pdf", 200); got != "invoice.pdf" {
		t.Errorf("short name changed: %q", got)
	}
}

func TestQuoteDetailCutsOnARune(t *testing.T) {
	// 301 bytes of valid UTF-8; byte 200 is inside an "é".
	got := quoteDetail("a" + strings.Repeat("é", 150))
	if !strings.HasPrefix(got, `"aé`) || !strings.HasSuffix(got, `..."`) || strings.Contains(got, "\uFFFD") || strings.Contains(got, "Ã") {
		t.Errorf("quoteDetail = %s", got)
	}
}
