package receive

import (
	"context"
	"strings"
	"testing"
)

// A part that could not be decoded is stored as received, and the message's
// attachment carries the parser's note, so an agent knows why it looks odd.
func TestUndecodableAttachmentIsKeptWithANote(t *testing.T) {
	body := "GIF89a\x10\x00\x10\x00\xf0\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x10\x00\x10\x00\x00\x02\x02\x84\x01\x00;"
	raw := "From: Scanner <scan@example.com>\r\nTo: support@acme.example\r\nSubject: scan\r\nMessage-ID: <s1@example.com>\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n" +
		"--b\r\nContent-Type: text/plain\r\n\r\nScan attached.\r\n" +
		"--b\r\nContent-Type: image/gif; name=scan.gif\r\nContent-Disposition: attachment; filename=scan.gif\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
		body + "\r\n--b--\r\n"
	files := newFiles(map[string][]byte{"inbound/s1": []byte(raw)})
	q := &fakeQueue{}
	h := &Handler{Files: files, Queue: q, Tenant: "acme", Prefix: "inbound/", Log: quiet, Channels: supportChannel()}
	if err := h.Receive(context.Background(), Delivery{ID: "s1", Recipients: []string{"support@acme.example"}}); err != nil {
		t.Fatal(err)
	}
	if len(q.sent) != 1 || len(q.sent[0].Attachments) != 1 {
		t.Fatalf("queued %+v", q.sent)
	}
	a := q.sent[0].Attachments[0]
	if !strings.Contains(a.Note, "kept as received") || a.Key == "" || a.Size != int64(len(body)) {
		t.Fatalf("attachment %+v", a)
	}
	if got := string(files.objects[a.Key]); got != body {
		t.Errorf("stored %q, want the raw bytes", got)
	}
}
