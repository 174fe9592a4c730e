package email

import (
	"bytes"
	"io"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/jhillyerd/enmime/v2/mediatype"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// lookupCharset finds a decoder for a charset label, WHATWG labels first (they
// map ISO-8859-1 to its superset Windows-1252, GB2312 to GBK, as mail clients
// mean them), then IANA names.
func lookupCharset(label string) (encoding.Encoding, string, bool) {
	label = strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	if label == "" {
		return nil, "", false
	}
	if enc, err := htmlindex.Get(label); err == nil {
		name, err := htmlindex.Name(enc)
		if err != nil || name == "replacement" {
			return nil, "", false
		}
		return enc, name, true
	}
	if enc, err := ianaindex.IANA.Encoding(label); err == nil && enc != nil {
		if name, err := htmlindex.Name(enc); err == nil && name != "replacement" {
			return enc, name, true
		}
	}
	return nil, "", false
}

// isASCIILabel reports the labels that promise 7-bit text. Mail that says
// us-ascii but carries 8-bit bytes is usually UTF-8, so these labels are
// dropped and the content decides.
func isASCIILabel(label string) bool {
	switch strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`)) {
	case "us-ascii", "ascii", "us", "ansi_x3.4-1968", "iso646-us", "iso-ir-6", "cp367", "ibm367", "csascii":
		return true
	}
	return false
}

// parseMediaType is enmime's tolerant media-type parser with the charset
// parameter normalised to a name enmime decodes; unknown and us-ascii
// charsets are removed so enmime detects the charset from the content
// (character detection is otherwise off: a declared charset is trusted).
//
// Raw 8-bit parameter values (a GBK file name) are kept as escapeRaw runes
// for fixFileNames, not turned into U+FFFD, and RFC 2231 names in any
// charset are decoded (decode2231).
func parseMediaType(ctype string) (string, map[string]string, []string, error) {
	orig := ctype
	if !utf8.ValidString(ctype) {
		ctype = escapeRaw(ctype)
	}
	mt, params, invalid, err := mediatype.Parse(ctype)
	if err != nil || params == nil {
		return mt, params, invalid, err
	}
	if strings.Contains(orig, "*") {
		for _, key := range []string{"filename", "name"} {
			if v := decode2231(orig, key); v != "" {
				params[key] = v
			}
		}
	}
	if b, ok := params["boundary"]; ok {
		params["boundary"], _ = unescapeRaw(b)
	}
	if cs, ok := params["charset"]; ok {
		if _, name, known := lookupCharset(cs); known && !isASCIILabel(cs) {
			params["charset"] = name
		} else {
			delete(params, "charset")
		}
	}
	return mt, params, invalid, nil
}

// charsetReader is the mime.WordDecoder hook for RFC 2047 encoded words. An
// us-ascii or unknown charset passes the bytes through: validUTF8 then reads
// them as UTF-8 or Windows-1252, as for bodies, which beats showing the
// encoded word.
//
// A word labelled Latin-1 or Windows-1252 whose bytes are UTF-8 with
// non-ASCII characters is read as UTF-8: PHP mailers and web forms label
// UTF-8 text ISO-8859-1, while real Latin-1 text is almost never valid
// UTF-8 ("Ã©" is not something people write).
func charsetReader(label string, r io.Reader) (io.Reader, error) {
	enc, name, ok := lookupCharset(label)
	if !ok || isASCIILabel(label) {
		return r, nil
	}
	if name == "windows-1252" {
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, err
		}
		if utf8.Valid(b) && !isASCII(b) {
			return bytes.NewReader(b), nil
		}
		return enc.NewDecoder().Reader(bytes.NewReader(b)), nil
	}
	return enc.NewDecoder().Reader(r), nil
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

var latin1Word = regexp.MustCompile(`(?i)=\?(?:iso-8859-1|iso_8859-1|iso8859-1|latin1|l1|cp819|ibm819|csisolatin1|iso-ir-100)((?:\*[A-Za-z-]*)?\?[BQ]\?)`)

// relabelLatin1 renames ISO-8859-1 encoded words Windows-1252 (as WHATWG
// reads the label): mime.WordDecoder decodes ISO-8859-1 itself, without
// calling charsetReader, which reads mislabelled UTF-8 as UTF-8.
func relabelLatin1(v string) string {
	if !strings.Contains(v, "=?") {
		return v
	}
	return latin1Word.ReplaceAllString(v, "=?windows-1252$1")
}

// decodeHeader decodes a header value outside the context of a mail (raw
// 8-bit text by detection, then RFC 2047 encoded words) and cleans its white
// space; it returns valid UTF-8. A word in an unknown charset is left
// encoded rather than losing the whole value. See headerDecoder.text.
func decodeHeader(v string) string {
	return (*headerDecoder)(nil).text(v)
}

// validUTF8 returns s unchanged when it is UTF-8 and otherwise reads its bytes
// as Windows-1252: raw 8-bit headers and undeclared bodies are almost always
// Latin-1 or Windows-1252 when they are not UTF-8.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	out, err := charmap.Windows1252.NewDecoder().String(s)
	if err != nil {
		return strings.ToValidUTF8(s, "\uFFFD")
	}
	return out
}

// decodeBytes returns content as valid UTF-8: as is when it already is,
// otherwise through the charset a <meta> tag of an HTML body names, otherwise
// as Windows-1252.
func decodeBytes(b []byte, isHTML bool) string {
	if utf8.Valid(b) {
		return string(b)
	}
	if isHTML {
		if label := metaCharset(b); label != "" {
			if enc, _, ok := lookupCharset(label); ok {
				if out, err := enc.NewDecoder().Bytes(b); err == nil && utf8.Valid(out) {
					return string(out)
				}
			}
		}
	}
	return validUTF8(string(b))
}

// metaCharset finds <meta charset="x"> or <meta http-equiv content="...;
// charset=x"> in the first KiB of an HTML body.
func metaCharset(b []byte) string {
	head := b
	if len(head) > 1024 {
		head = head[:1024]
	}
	lower := bytes.ToLower(head)
	i := bytes.Index(lower, []byte("charset="))
	if i < 0 {
		return ""
	}
	rest := lower[i+len("charset="):]
	rest = bytes.TrimLeft(rest, `"' `)
	end := bytes.IndexAny(rest, `"'; />`)
	if end < 0 {
		end = len(rest)
	}
	return string(rest[:end])
}
