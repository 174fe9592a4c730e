package email

import (
	"net/mail"
	"net/textproto"
	"regexp"
	"strings"
	"time"

	"github.com/jhillyerd/enmime/v2"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

var addressParser = &mail.AddressParser{WordDecoder: wordDecoder}

// emailRE finds an address in text no parser accepts.
var emailRE = regexp.MustCompile(`[A-Za-z0-9!#$%&'*+/=?^_{|}~.-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+`)

// parseAddressList reads an address header: net/mail first, then enmime's
// repairs (missing commas), then any address-shaped text.
func parseAddressList(v string) []*mail.Address {
	v = strings.TrimSpace(validUTF8(v)) // raw 8-bit names (no RFC 2047) are Latin-1 or UTF-8
	if v == "" {
		return nil
	}
	list, err := addressParser.ParseList(v)
	if err != nil {
		list, err = enmime.ParseAddressList(v)
	}
	if err != nil || len(list) == 0 {
		list = nil
		for _, a := range emailRE.FindAllString(v, 20) {
			list = append(list, &mail.Address{Address: a})
		}
	}
	return list
}

// addresses returns the lower-cased addresses of every instance of a header.
func addresses(h textproto.MIMEHeader, key string) []string {
	var out []string
	seen := map[string]bool{}
	for _, v := range h.Values(key) {
		for _, a := range parseAddressList(v) {
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

func normalizeAddress(a string) string {
	a = strings.ToLower(strings.TrimSpace(validUTF8(a)))
	if !strings.Contains(a, "@") {
		return ""
	}
	return a
}

// sender returns the first usable address of a header as a helpdesk.Sender.
func sender(v string) (helpdesk.Sender, bool) {
	for _, a := range parseAddressList(v) {
		if addr := normalizeAddress(a.Address); addr != "" {
			return helpdesk.Sender{Email: addr, Name: cleanName(a.Name, addr)}, true
		}
	}
	return helpdesk.Sender{}, false
}

// cleanName decodes what the address parser left encoded and drops the quotes
// and echoes of the address some clients put in the display name.
func cleanName(name, addr string) string {
	name = decodeHeader(name)
	name = strings.TrimSpace(strings.Trim(strings.TrimSpace(name), `"'`))
	name = strings.Join(strings.Fields(name), " ")
	if strings.EqualFold(name, addr) {
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
		id = strings.TrimSpace(validUTF8(id))
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
	return strings.Trim(strings.TrimSpace(validUTF8(v)), "<>")
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
