package email

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
)

// BenchmarkParse measures a typical reply (20 KB, multipart/alternative with
// quoted history) and a large mail (5 MB, a base64 attachment).
func BenchmarkParse(b *testing.B) {
	for _, bc := range []struct {
		name string
		raw  []byte
	}{
		{"20KB", replyMail(20 << 10)},
		{"5MB", attachmentMail(5 << 20)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			opts := Options{Tenant: "acme", UseOriginalSender: true}
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.raw)))
			for b.Loop() {
				if _, err := Parse(bc.raw, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// replyMail is a Gmail-style reply of about size bytes: new text, an
// attribution and a long quoted history, in text and HTML.
func replyMail(size int) []byte {
	var text, html strings.Builder
	text.WriteString("Thanks, that fixed the export. One more question about the VAT field below.\n\nJane\n\n")
	text.WriteString("On Mon, 4 Mar 2024 at 16:20, Acme Support <support@acme.example> wrote:\n\n")
	html.WriteString(`<div dir="ltr">Thanks, that fixed the export. One more question about the VAT field below.<br><br>Jane</div>`)
	html.WriteString(`<div class="gmail_quote"><div class="gmail_attr">On Mon, 4 Mar 2024 at 16:20, Acme Support &lt;support@acme.example&gt; wrote:</div><blockquote class="gmail_quote">`)
	for i := 0; text.Len()+html.Len() < size-1200; i++ {
		line := fmt.Sprintf("Line %d of the earlier conversation about invoices, exports and the VAT number.", i)
		text.WriteString("> " + line + "\n")
		html.WriteString("<div>" + line + "</div>")
	}
	html.WriteString("</blockquote></div>")
	var b bytes.Buffer
	b.WriteString("Return-Path: <jane@example.com>\r\nFrom: Jane Doe <jane@example.com>\r\nTo: support@acme.example\r\n")
	b.WriteString("Subject: Re: [#1042] Export\r\nDate: Tue, 5 Mar 2024 08:41:07 +0100\r\nMessage-ID: <bench-reply@example.com>\r\n")
	b.WriteString("In-Reply-To: <a@acme.example>\r\nReferences: <a@acme.example>\r\nMIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: multipart/alternative; boundary=\"alt\"\r\n\r\n--alt\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n")
	b.WriteString(strings.ReplaceAll(text.String(), "\n", "\r\n"))
	b.WriteString("\r\n--alt\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n")
	b.WriteString(html.String())
	b.WriteString("\r\n--alt--\r\n")
	return b.Bytes()
}

// attachmentMail is a short note with one base64 attachment, size bytes in all.
func attachmentMail(size int) []byte {
	var b bytes.Buffer
	b.WriteString("Return-Path: <jane@example.com>\r\nFrom: Jane Doe <jane@example.com>\r\nTo: support@acme.example\r\n")
	b.WriteString("Subject: Scans\r\nDate: Tue, 5 Mar 2024 08:41:07 +0100\r\nMessage-ID: <bench-big@example.com>\r\nMIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: multipart/mixed; boundary=\"mix\"\r\n\r\n--mix\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\nThe scans are attached.\r\n")
	b.WriteString("--mix\r\nContent-Type: application/pdf; name=\"scans.pdf\"\r\nContent-Disposition: attachment; filename=\"scans.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n")
	data := make([]byte, (size-b.Len()-64)/78*57)
	for i := range data {
		data[i] = byte(i*7919 + i>>8)
	}
	enc := base64.StdEncoding.EncodeToString(data)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--mix--\r\n")
	return b.Bytes()
}
