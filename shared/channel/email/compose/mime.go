package compose

import (
	"encoding/base64"
	"mime/quotedprintable"
)

const (
	crlf       = "\r\n"
	foldAt     = 76 // RFC 2047 §2: a line with encoded words is at most 76 characters (RFC 5322 asks 78)
	base64Line = 76 // RFC 2045 §6.8
)

// writer appends a message to b. Appending to a []byte cannot fail, so
// neither can any of its methods.
type writer struct{ b []byte }

func newWriter(size int) *writer { return &writer{b: make([]byte, 0, size)} }

// Write implements io.Writer for the quoted-printable encoder.
func (w *writer) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// header writes "Name: value" folded at spaces outside quoted strings, so a
// line stays within foldAt characters unless one word is longer. A first
// word that does not fit after the name goes to the next line if it fits
// there (an encoded word is up to 75 characters). value must already be
// ASCII (encoded words, formatted addresses); runs of spaces are written as
// one.
func (w *writer) header(name, value string) {
	w.b = append(w.b, name...)
	w.b = append(w.b, ':')
	line := len(name) + 1
	inQuote, escaped, start := false, false, 0
	for i := 0; i <= len(value); i++ {
		if i < len(value) {
			c := value[i]
			switch {
			case escaped:
				escaped = false
				continue
			case inQuote && c == '\\':
				escaped = true
				continue
			case c == '"':
				inQuote = !inQuote
				continue
			case c != ' ' || inQuote:
				continue
			}
		}
		word := value[start:i]
		start = i + 1
		if word == "" {
			continue
		}
		if line+1+len(word) > foldAt && (line > len(name)+1 || 1+len(word) <= foldAt) {
			w.b = append(w.b, crlf...)
			line = 0
		}
		w.b = append(w.b, ' ')
		w.b = append(w.b, word...)
		line += 1 + len(word)
	}
	w.b = append(w.b, crlf...)
}

// body writes the Content-Type of the message and its body:
//
//	text only:            text/plain
//	text + html:          multipart/alternative (text/plain, text/html)
//	with attachments:     multipart/mixed (the above, attachments...)
func (w *writer) body(msgID, text, html string, atts []attachmentPart) {
	if len(atts) == 0 {
		w.content(text, html, msgID)
		return
	}
	b := boundary(msgID, "mixed")
	w.header("Content-Type", `multipart/mixed; boundary="`+b+`"`)
	w.b = append(w.b, crlf...)
	w.delimiter(b)
	w.content(text, html, msgID)
	for _, a := range atts {
		w.b = append(w.b, crlf...)
		w.delimiter(b)
		w.header("Content-Type", a.contentType)
		w.header("Content-Disposition", a.disposition)
		w.header("Content-Transfer-Encoding", "base64")
		w.b = append(w.b, crlf...)
		w.base64(a.data)
	}
	w.closeDelimiter(b)
}

// content writes the text part, or the text/html alternative.
func (w *writer) content(text, html, msgID string) {
	if html == "" {
		w.textPart("text/plain", text)
		return
	}
	b := boundary(msgID, "alt")
	w.header("Content-Type", `multipart/alternative; boundary="`+b+`"`)
	w.b = append(w.b, crlf...)
	w.delimiter(b)
	w.textPart("text/plain", text)
	w.b = append(w.b, crlf...)
	w.delimiter(b)
	w.textPart("text/html", html)
	w.closeDelimiter(b)
}

// textPart writes a UTF-8 quoted-printable part; the encoder turns every
// line break into CRLF and keeps lines within 76 characters.
func (w *writer) textPart(mediaType, s string) {
	w.header("Content-Type", mediaType+"; charset=utf-8")
	w.header("Content-Transfer-Encoding", "quoted-printable")
	w.b = append(w.b, crlf...)
	qp := quotedprintable.NewWriter(w)
	_, _ = qp.Write([]byte(s)) // writes to w cannot fail
	_ = qp.Close()
}

func (w *writer) base64(data []byte) {
	enc := base64.StdEncoding
	for len(data) > 0 {
		n := min(len(data), base64Line/4*3)
		w.b = enc.AppendEncode(w.b, data[:n])
		data = data[n:]
		if len(data) > 0 {
			w.b = append(w.b, crlf...)
		}
	}
}

func (w *writer) delimiter(b string) {
	w.b = append(w.b, "--"...)
	w.b = append(w.b, b...)
	w.b = append(w.b, crlf...)
}

func (w *writer) closeDelimiter(b string) {
	w.b = append(w.b, crlf+"--"...)
	w.b = append(w.b, b...)
	w.b = append(w.b, "--"+crlf...)
}
