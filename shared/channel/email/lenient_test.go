package email

import (
	"bytes"
	"strings"
	"testing"
)

func TestLenientBase64(t *testing.T) {
	cases := []struct {
		in   string
		want string
		ok   bool
	}{
		{"SGVsbG8=", "Hello", true},
		{"SGVsbG8", "Hello", true},                             // padding missing
		{"SGVs\r\nbG8s IHdv\tcmxk", "Hello, world", true},      // whitespace inside
		{"SGVsbG8=\r\nIHdvcmxk\r\nIQ==", "Hello world!", true}, // padded pieces glued
		{"SGVs!bG8*", "Hello", true},                           // stray characters
		{"SGVsbG8sIHdvcmxkIQA", "Hello, world!\x00", true},
		{"SGVsbG8sIHdvcmxkIQ==X", "Hello, world!", true}, // a lone last character
		{"SGVsbG8_", "Hello?", true},                     // URL-safe alphabet
		{"", "", false},
		{"%PDF-1.4 ~~~ \x01\x02\x03 ;;;", "", false},
	}
	for _, tc := range cases {
		got, ok := lenientBase64([]byte(tc.in))
		if ok != tc.ok || (ok && string(got) != tc.want) {
			t.Errorf("lenientBase64(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestLenientQP(t *testing.T) {
	cases := map[string]string{
		"caf=C3=A9":         "café",
		"caf=c3=a9":         "café",
		"soft =  \r\nbreak": "soft break",
		"soft =\nbreak":     "soft break",
		"hard  \r\nbreak":   "hard\r\nbreak",
		"a = b =ZZ =3":      "a = b =ZZ =3",
		"end=":              "end",
	}
	for in, want := range cases {
		if got := string(lenientQP([]byte(in))); got != want {
			t.Errorf("lenientQP(%q) = %q, want %q", in, got, want)
		}
	}
	if !qpSoftBreakWithSpace([]byte("a =  \r\nb")) || qpSoftBreakWithSpace([]byte("a =\r\nb = c")) {
		t.Error("qpSoftBreakWithSpace")
	}
}

func TestExtractUU(t *testing.T) {
	text := "See below.\n\nbegin 644 hello.txt\n.2&5L;&\\L('=O<FQD(0H`\n`\nend\n\nBye."
	got, files := extractUU(text)
	if len(files) != 1 || files[0].name != "hello.txt" || string(files[0].data) != "Hello, world!\n" {
		t.Fatalf("files = %+v", files)
	}
	if got != "See below.\n\n\nBye." {
		t.Errorf("text = %q", got)
	}
	b64 := "x\nbegin-base64 600 a.bin\nSGVsbG8=\n====\ny"
	if got, files := extractUU(b64); len(files) != 1 || string(files[0].data) != "Hello" || got != "x\ny" {
		t.Errorf("begin-base64: %q %+v", got, files)
	}
	// Prose that starts like a block, and a block that never ends, stay text.
	for _, s := range []string{"begin 644 of them said\nhello there\nend", "begin 644 x.bin\n.2&5L;&\\L('=O<FQD(0H`\n"} {
		if got, files := extractUU(s); len(files) != 0 || got != s {
			t.Errorf("extractUU(%q) = %q, %d files", s, got, len(files))
		}
	}
}

// TestUndecodableTextKeepsRaw: a text part that is not base64 at all keeps
// its text.
func TestUndecodableTextKeepsRaw(t *testing.T) {
	raw := msg([]string{"From: a@b.example", "Subject: x", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"},
		"Hello, this is plain text; it was never base64-encoded... really!!! ~~~ ###")
	p, err := Parse(raw, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(p.Text, "never base64-encoded") || !bytes.Contains([]byte(strings.Join(p.Warnings, "\n")), []byte(noteBase64Raw)) {
		t.Errorf("text %q, warnings %q", p.Text, p.Warnings)
	}
}

// TestUUEncodedPart: a part sent with Content-Transfer-Encoding: x-uuencode
// (old Outlook Express, Eudora) is decoded.
func TestUUEncodedPart(t *testing.T) {
	raw := msg([]string{"From: a@b.example", "Subject: x", "Content-Type: multipart/mixed; boundary=b"},
		"--b\nContent-Type: text/plain\n\nsee file\n--b\nContent-Type: application/octet-stream; name=hello.txt\nContent-Transfer-Encoding: x-uuencode\n\nbegin 644 hello.txt\n.2&5L;&\\L('=O<FQD(0H`\n`\nend\n--b--\n")
	p, err := Parse(raw, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Attachments) != 1 || string(p.Attachments[0].Data) != "Hello, world!\n" || p.Attachments[0].Note != noteUUDecoded {
		t.Errorf("attachments = %+v", p.Attachments)
	}
}

// TestOnlyDamagedPartsGetANote: a glued part sets the repair off for the
// mail; a well-formed part beside it is left as it was, without a note.
func TestOnlyDamagedPartsGetANote(t *testing.T) {
	raw := msg([]string{"From: a@b.example", "Subject: x", "Content-Type: multipart/mixed; boundary=b"},
		"--b\nContent-Type: text/plain\n\nhi\n--b\nContent-Type: application/octet-stream; name=glued.bin\nContent-Transfer-Encoding: base64\n\nSGVsbG8=\nIHdvcmxk\nIQ==\n"+
			"--b\nContent-Type: application/octet-stream; name=good.bin\nContent-Transfer-Encoding: base64\n\nSGVsbG8sIHdvcmxkIQ==\n--b--\n")
	p, err := Parse(raw, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Attachments) != 2 {
		t.Fatalf("attachments = %+v", p.Attachments)
	}
	if a := p.Attachments[0]; string(a.Data) != "Hello world!" || a.Note != noteBase64Lenient {
		t.Errorf("glued: %q, note %q", a.Data, a.Note)
	}
	if a := p.Attachments[1]; string(a.Data) != "Hello, world!" || a.Note != "" {
		t.Errorf("good: %q, note %q", a.Data, a.Note)
	}
}
