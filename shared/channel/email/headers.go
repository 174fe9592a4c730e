package email

import (
	"net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

var addressParser = &mail.AddressParser{WordDecoder: wordDecoder}

// emailRE finds an address in text no parser accepts.
var emailRE = regexp.MustCompile(`[A-Za-z0-9!#$%&'*+/=?^_{|}~.-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+`)

// parseAddressList reads an address header outside the context of a mail.
func parseAddressList(v string) []*mail.Address {
	return (*headerDecoder)(nil).addressList(v)
}

// addressList reads an address header: raw 8-bit names by the mail's
// charsets, then net/mail, then, for what it refuses, looseAddressList,
// which keeps every address and the name written before it.
func (d *headerDecoder) addressList(v string) []*mail.Address {
	v = relabelLatin1(cleanText(validUTF8(d.raw(v))))
	if v == "" {
		return nil
	}
	if list, err := addressParser.ParseList(v); err == nil && len(list) > 0 {
		return list
	}
	return looseAddressList(v)
}

// looseAddressList reads a malformed address list as a person would:
// `John Q Public john@example.com`, `Jane <jane@x>>`, `"Jane" jane@x`,
// `<Jane Doe> jane@x`, `a@x b@y` (no comma), `Doe, Jane <jane@x>` (an
// unquoted comma). Entries are split on commas and semicolons outside
// quotes and brackets; each address found takes the text before it as its
// name (or a trailing comment); text without an address joins the next
// entry's name, or stays a name-only entry at the end.
func looseAddressList(v string) []*mail.Address {
	var out []*mail.Address
	pending := ""
	for _, piece := range splitAddressList(v) {
		locs := emailRE.FindAllStringIndex(piece, 20)
		if len(locs) == 0 {
			if t := trimNameNoise(piece); t != "" {
				pending = strings.TrimPrefix(pending+", "+t, ", ")
			}
			continue
		}
		prev := 0
		for i, loc := range locs {
			name := trimNameNoise(piece[prev:loc[0]])
			if i == 0 && pending != "" {
				name = strings.TrimSuffix(pending+", "+name, ", ")
				pending = ""
			}
			if name == "" && i == len(locs)-1 {
				// jane@x (Jane Doe)
				tail := strings.TrimLeft(piece[loc[1]:], " >")
				if strings.HasPrefix(tail, "(") {
					name = trimNameNoise(tail)
				}
			}
			out = append(out, &mail.Address{Name: name, Address: piece[loc[0]:loc[1]]})
			prev = loc[1]
		}
	}
	if pending != "" {
		out = append(out, &mail.Address{Name: pending})
	}
	return out
}

// splitAddressList splits on commas and semicolons outside double quotes,
// angle brackets and comments; unbalanced closing marks are ignored.
func splitAddressList(v string) []string {
	var out []string
	quoted, angle, paren, start := false, 0, 0, 0
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && quoted:
			i++
		case c == '"':
			quoted = !quoted
		case quoted:
		case c == '<':
			angle++
		case c == '>':
			angle = max(0, angle-1)
		case c == '(':
			paren++
		case c == ')':
			paren = max(0, paren-1)
		case (c == ',' || c == ';') && angle == 0 && paren == 0:
			out = append(out, v[start:i])
			start = i + 1
		}
	}
	return append(out, v[start:])
}

// trimNameNoise strips what surrounds a display name in malformed lists:
// quotes, brackets, "mailto:", stray < and >.
func trimNameNoise(s string) string {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimSpace(strings.TrimSuffix(s, "mailto:")), "[")
	s = strings.Map(func(r rune) rune {
		if r == '<' || r == '>' {
			return ' '
		}
		return r
	}, s)
	s = strings.Trim(strings.TrimSpace(s), ` "'()[]`)
	return strings.Join(strings.Fields(s), " ")
}

// addresses returns the lower-cased addresses of every instance of a header.
func addresses(h textproto.MIMEHeader, key string) []string {
	return (*headerDecoder)(nil).addresses(h, key)
}

func (d *headerDecoder) addresses(h textproto.MIMEHeader, key string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range h.Values(key) {
		for _, a := range d.addressList(v) {
			addr := normalizeAddress(a.Address)
			if addr == "" || seen[addr] {
				continue
			}
			seen[addr] = true
			out = append(out, addr)
		}
	}
	return out
}

// normalizeAddress lower-cases an address and strips what cannot be in one
// (white space, control characters, surrounding quotes and brackets); ""
// when it is not an address.
func normalizeAddress(a string) string {
	a = strings.ToLower(cleanToken(validUTF8(a)))
	a = strings.Trim(a, `"'<>.,;:[]()`)
	at := strings.LastIndexByte(a, '@')
	if at <= 0 || at == len(a)-1 {
		return ""
	}
	return a
}

// sender returns the first usable address of a header as a helpdesk.Sender.
func sender(v string) (helpdesk.Sender, bool) {
	return (*headerDecoder)(nil).sender(v)
}

// sender returns the first usable address of a header value; without one,
// ok is false and the Sender holds the first display name, if any.
func (d *headerDecoder) sender(v string) (s helpdesk.Sender, ok bool) {
	for _, a := range d.addressList(v) {
		if addr := normalizeAddress(a.Address); addr != "" {
			return helpdesk.Sender{Email: addr, Name: cleanName(a.Name, addr)}, true
		}
		if s.Name == "" {
			s.Name = cleanName(a.Name, "")
		}
	}
	return s, false
}

// cleanName decodes what the address parser left encoded and drops the quotes
// and echoes of the address some clients put in the display name.
func cleanName(name, addr string) string {
	name = decodeHeader(name)
	name = strings.TrimSpace(strings.Trim(strings.TrimSpace(name), `"'`))
	name = cleanText(name)
	if strings.EqualFold(name, addr) || (addr == "" && emailRE.MatchString(name) && !strings.Contains(name, " ")) {
		return ""
	}
	return name
}

// looseSender reads the From line of a forwarded header block as mail
// clients write it: `Jane <jane@x>`, `Jane [mailto:jane@x]`, `*Jane*
// <jane@x>` (from HTML), `jane@x`, or only `Jane Doe`.
func looseSender(v string) helpdesk.Sender {
	v = strings.TrimSpace(strings.ReplaceAll(v, "*", ""))
	if a, err := addressParser.Parse(v); err == nil {
		if addr := normalizeAddress(a.Address); addr != "" {
			return helpdesk.Sender{Email: addr, Name: cleanName(a.Name, addr)}
		}
	}
	loc := emailRE.FindStringIndex(v)
	if loc == nil {
		return helpdesk.Sender{Name: cleanName(v, "")}
	}
	addr := normalizeAddress(v[loc[0]:loc[1]])
	// The name is what precedes the address and its opening bracket.
	name := strings.TrimSpace(v[:loc[0]])
	name = strings.TrimSuffix(name, "mailto:")
	name = strings.TrimRight(name, " <[(")
	return helpdesk.Sender{Email: addr, Name: cleanName(name, addr)}
}

var idRE = regexp.MustCompile(`<([^<>\s]+)>`)

// messageIDs returns the ids of an id-list header (In-Reply-To,
// References) without brackets, in order, without duplicates. Values without
// brackets (some broken clients) are split on white space.
func messageIDs(values ...string) []string {
	var out []string
	seen := map[string]bool{}
	add := func(id string) {
		id = cleanToken(validUTF8(id))
		if id == "" || seen[id] || len(id) > 998 {
			return
		}
		seen[id] = true
		out = append(out, id)
	}
	for _, v := range values {
		ms := idRE.FindAllStringSubmatch(v, 200)
		if len(ms) == 0 {
			for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ' ' || r == '\t' || r == ',' }) {
				if strings.Contains(f, "@") {
					add(strings.Trim(f, "<>"))
				}
			}
			continue
		}
		for _, m := range ms {
			add(m[1])
		}
	}
	return out
}

// messageID returns the first id of a Message-ID header.
func messageID(v string) string {
	if ids := messageIDs(v); len(ids) > 0 {
		return ids[0]
	}
	return strings.Trim(cleanToken(validUTF8(v)), "<>")
}

var dateLayouts = []string{
	"Mon, 2 Jan 2006 15:04:05 -0700",
	"2 Jan 2006 15:04:05 -0700",
	"Mon, 2 Jan 2006 15:04 -0700",
	"Mon, 2 Jan 2006 15:04:05 MST",
	"Mon, 2 Jan 06 15:04:05 -0700",
	"Mon Jan 2 15:04:05 2006",
	"Mon Jan 2 15:04:05 -0700 2006",
	time.RFC3339,
}

var dateComment = regexp.MustCompile(`\s*\([^)]*\)\s*$`)

// parseDate reads a Date header, leniently; the zero time when it cannot.
func parseDate(v string) time.Time {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}
	}
	if t, err := mail.ParseDate(v); err == nil {
		return t
	}
	v = strings.Join(strings.Fields(dateComment.ReplaceAllString(v, "")), " ")
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, v); err == nil {
			return t
		}
	}
	return time.Time{}
}
