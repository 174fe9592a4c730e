package email

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/jhillyerd/enmime/v2"
)

// rawParser reads the same part tree as mimeParser but leaves each part's
// content as it was transferred, for parts whose decoding went wrong.
var rawParser = enmime.NewParser(append(slices.Clip(parserOptions), enmime.RawContent(true))...)

// noteError starts the name of the part errors that carry a note on how a part was
// recovered; an attachment's Note is taken from it.
const noteError = "Recovered"

// Notes on recovered parts.
const (
	noteBase64Lenient = "damaged base64 decoded leniently (stray characters or misplaced padding skipped)"
	noteBase64Raw     = "could not be decoded as base64: kept as received"
	noteQPLenient     = "damaged quoted-printable decoded leniently"
	noteUUDecoded     = "uuencoded part decoded"
)

// repairEncodings decodes again, leniently and as mail clients do, the
// parts enmime's decoder damaged: base64 with stray characters or padding
// inside the stream (enmime drops a part's whole content when the count of
// base64 characters does not work out), and quoted-printable soft line
// breaks followed by spaces. A part that is not base64 at all keeps its raw
// bytes. raw is the mail root was read from.
func repairEncodings(raw []byte, root *enmime.Part) {
	qpSoft := qpSoftBreakWithSpace(raw)
	innerPad := -1 // whether a base64 line has "=" before its end; computed once, when needed
	var todo []*enmime.Part
	for _, p := range root.DepthMatchAll(func(p *enmime.Part) bool { return p.FirstChild == nil }) {
		switch transferEncoding(p) {
		case "base64":
			if innerPad < 0 {
				innerPad = 0
				if base64InnerPadding(raw) {
					innerPad = 1
				}
			}
			if len(p.Content) == 0 || innerPad == 1 || hasError(p, enmime.ErrorMalformedBase64) {
				todo = append(todo, p)
			}
		case "quoted-printable":
			if qpSoft {
				todo = append(todo, p)
			}
		case "x-uuencode", "uuencode", "x-uue":
			// enmime keeps parts in an encoding it does not know as sent.
			if _, files := extractUU(string(p.Content)); len(files) == 1 {
				p.Content = files[0].data
				if p.FileName == "" {
					p.FileName = files[0].name
				}
				p.Errors = append(p.Errors, &enmime.Error{Name: noteError + " part " + partLabel(p), Detail: noteUUDecoded})
			}
		}
	}
	if len(todo) == 0 {
		return
	}
	rawRoot, err := rawParser.ReadParts(bytes.NewReader(raw))
	if err != nil {
		return
	}
	byID := map[string]*enmime.Part{}
	for _, rp := range rawRoot.DepthMatchAll(func(p *enmime.Part) bool { return p.FirstChild == nil }) {
		byID[rp.PartID] = rp
	}
	for _, p := range todo {
		if rp := byID[p.PartID]; rp != nil && rp.ContentType == p.ContentType {
			repairPart(p, rp.Content)
		}
	}
}

func transferEncoding(p *enmime.Part) string {
	return strings.ToLower(strings.TrimSpace(p.Header.Get("Content-Transfer-Encoding")))
}

func hasError(p *enmime.Part, name string) bool {
	for _, e := range p.Errors {
		if e.Name == name {
			return true
		}
	}
	return false
}

// partNote is the recovery note of a part, or "".
func partNote(p *enmime.Part) string {
	for _, e := range p.Errors {
		if strings.HasPrefix(e.Name, noteError) {
			return e.Detail
		}
	}
	return ""
}

// repairPart replaces p's content with the lenient decoding of its raw
// transferred content.
func repairPart(p *enmime.Part, raw []byte) {
	var data []byte
	var note string
	switch transferEncoding(p) {
	case "base64":
		if len(bytes.TrimSpace(raw)) == 0 {
			return // an empty part, not a damaged one
		}
		if wellFormedBase64(raw) {
			return // enmime decoded it right; another part set the repair off
		}
		var ok bool
		if data, ok = lenientBase64(raw); ok {
			note = noteBase64Lenient
		} else {
			data, note = raw, noteBase64Raw
		}
	case "quoted-printable":
		if !qpSoftBreakWithSpace(raw) {
			return
		}
		data, note = lenientQP(raw), noteQPLenient
	default:
		return
	}
	if strings.HasPrefix(p.ContentType, "text/") || p.ContentType == "" {
		if enc, _, ok := lookupCharset(p.Charset); ok && !isASCIILabel(p.Charset) {
			if out, err := enc.NewDecoder().Bytes(data); err == nil {
				data = out
			}
		}
	}
	p.Content = data
	p.Errors = append(p.Errors, &enmime.Error{Name: noteError + " part " + partLabel(p), Detail: note})
}

func partLabel(p *enmime.Part) string {
	if p.FileName != "" {
		return fmt.Sprintf("%q", validUTF8(p.FileName))
	}
	return p.ContentType
}

// wellFormedBase64: base64 characters only (whitespace aside), padding only
// at the end, a length that works out.
func wellFormedBase64(raw []byte) bool {
	clean := make([]byte, 0, len(raw))
	for _, c := range raw {
		switch c {
		case ' ', '\t', '\r', '\n':
			continue
		}
		clean = append(clean, c)
	}
	clean = bytes.TrimRight(clean, "=")
	if len(clean)%4 == 1 {
		return false
	}
	for _, c := range clean {
		if b64Value[c] < 0 {
			return false
		}
	}
	return true
}

// b64Value maps a base64 character to its value; -1 for others.
var b64Value = func() (t [256]int8) {
	for i := range t {
		t[i] = -1
	}
	const std = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
	for i := 0; i < len(std); i++ {
		t[std[i]] = int8(i)
	}
	return t
}()

// lenientBase64 decodes base64 as mail clients do: whitespace and stray
// characters are skipped, "=" ends the current group wherever it stands (two
// encoded pieces glued together), a last lone character is dropped, the
// URL-safe alphabet is read when the text uses it. ok is false when the
// input is not base64 at all: nothing in the alphabet, or more than 8
// characters and one in five outside it or spaces inside lines (prose).
func lenientBase64(in []byte) (out []byte, ok bool) {
	urlSafe := bytes.ContainsAny(in, "-_") && !bytes.ContainsAny(in, "+/")
	out = make([]byte, 0, len(in)*3/4)
	var group [4]byte
	n, alpha, junk, space := 0, 0, 0, 0
	flush := func() {
		switch n {
		case 2:
			out = append(out, group[0]<<2|group[1]>>4)
		case 3:
			out = append(out, group[0]<<2|group[1]>>4, group[1]<<4|group[2]>>2)
		}
		n = 0
	}
	for _, c := range in {
		if urlSafe {
			switch c {
			case '-':
				c = '+'
			case '_':
				c = '/'
			}
		}
		v := b64Value[c]
		switch {
		case v >= 0:
			alpha++
			group[n] = byte(v)
			if n++; n == 4 {
				out = append(out, group[0]<<2|group[1]>>4, group[1]<<4|group[2]>>2, group[2]<<6|group[3])
				n = 0
			}
		case c == '=':
			flush()
		case c == ' ' || c == '\t':
			space++ // inside a line: prose has many, base64 almost none
		case c == '\r' || c == '\n' || c == '\f' || c == '\v':
		default:
			junk++
		}
	}
	flush()
	if odd := junk + space; alpha == 0 || (odd > 8 && odd*5 > alpha+odd) {
		return nil, false
	}
	return out, true
}

// qpSoftBreakWithSpace reports "=" followed by spaces or tabs and a line
// end: a soft line break whose trailing space an MTA added, which Go's
// decoder keeps as a literal "=".
func qpSoftBreakWithSpace(b []byte) bool {
	for i := bytes.IndexByte(b, '='); i >= 0 && i < len(b); {
		j := i + 1
		for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
			j++
		}
		if j > i+1 && j < len(b) && (b[j] == '\r' || b[j] == '\n') {
			return true
		}
		k := bytes.IndexByte(b[i+1:], '=')
		if k < 0 {
			return false
		}
		i += 1 + k
	}
	return false
}

// lenientQP decodes quoted-printable as mail clients do: "=XX" in either
// case is a byte, "=" with only spaces before the line end is a soft line
// break, trailing spaces of a line are transport padding, anything else is
// kept as written.
func lenientQP(in []byte) []byte {
	out := make([]byte, 0, len(in))
	for len(in) > 0 {
		line := in
		eol := []byte(nil)
		if i := bytes.IndexAny(in, "\r\n"); i >= 0 {
			line = in[:i]
			e := i + 1
			if in[i] == '\r' && e < len(in) && in[e] == '\n' {
				e++
			}
			eol, in = in[i:e], in[e:]
		} else {
			in = nil
		}
		line = bytes.TrimRight(line, " \t")
		soft := false
		if bytes.HasSuffix(line, []byte("=")) {
			line, soft = line[:len(line)-1], true
		}
		for i := 0; i < len(line); i++ {
			c := line[i]
			if c == '=' && i+2 < len(line) && isHex(line[i+1]) && isHex(line[i+2]) {
				out = append(out, unhex(line[i+1])<<4|unhex(line[i+2]))
				i += 2
				continue
			}
			out = append(out, c)
		}
		if !soft {
			out = append(out, eol...)
		}
	}
	return out
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case '0' <= c && c <= '9':
		return c - '0'
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

// base64InnerPadding reports a line of base64 characters with "=" before
// its last character: two padded pieces glued together, which enmime
// decodes out of step (it drops every "=").
func base64InnerPadding(b []byte) bool {
	for len(b) > 0 {
		line := b
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			line, b = b[:i], b[i+1:]
		} else {
			b = nil
		}
		line = bytes.TrimRight(line, "\r \t")
		if len(line) < 4 || line[len(line)-1] == '=' {
			continue
		}
		pad := false
		for _, c := range line {
			if c == '=' {
				pad = true
			} else if b64Value[c] < 0 {
				pad = false
				break
			}
		}
		if pad {
			return true
		}
	}
	return false
}
