package receive

import (
	"context"
	"strings"
	"testing"
)

// An inline image keeps its Content-ID, so the agent API can point the
// HTML's cid: reference at it; the quoted history rides apart from the
// new text.
func TestInlineImagesAndQuotedHistoryAreKept(t *testing.T) {
	raw := "From: Ann <ann@example.com>\r\nTo: support@acme.example\r\nSubject: logo\r\nMessage-ID: <i1@example.com>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/related; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/html\r\n\r\n<p>Our logo <img src=\"cid:logo@ann\"></p><p>On Monday, Acme wrote:</p><blockquote>old</blockquote>\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nOur logo\r\n\r\nOn Monday, Acme <support@acme.example> wrote:\r\n> old\r\n" +
		"--b\r\nContent-Type: image/png\r\nContent-ID: <logo@ann>\r\nContent-Disposition: inline; filename=logo.png\r\n\r\nPNG\r\n--b--\r\n"
	files := newFiles(map[string][]byte{"inbound/i1": []byte(raw)})
	q := &fakeQueue{}
	h := &Handler{Files: files, Queue: q, Tenant: "acme", Prefix: "inbound/", Log: quiet, Channels: supportChannel()}
	if err := h.Receive(context.Background(), Delivery{ID: "i1", Recipients: []string{"support@acme.example"}}); err != nil {
		t.Fatal(err)
	}
	if len(q.sent) != 1 || len(q.sent[0].Attachments) != 1 {
		t.Fatalf("queued %+v", q.sent)
	}
	m := q.sent[0]
	if a := m.Attachments[0]; a.ContentID != "logo@ann" || !a.Inline || a.Key == "" {
		t.Fatalf("inline attachment %+v", a)
	}
	if !strings.Contains(m.HTML, "cid:logo@ann") || m.Text != "Our logo" || !strings.Contains(m.Quoted, "> old") {
		t.Fatalf("html %q, text %q, quoted %q", m.HTML, m.Text, m.Quoted)
	}
	if strings.Contains(m.HTML, "old") || m.QuotedHTML != "<blockquote>old</blockquote>" {
		t.Fatalf("html %q, quoted html %q: the HTML's history is not apart", m.HTML, m.QuotedHTML)
	}
}
