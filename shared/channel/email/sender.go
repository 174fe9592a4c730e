package email

import (
	"net/textproto"
	"regexp"
	"strings"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// findSender returns the person who wrote the mail: the first usable
// address of From, Sender, Reply-To and Return-Path, in that order (a mail
// without From is answered at Reply-To, not at its bounce address). Mail a
// group relayed (From is the group) is the person's: see groupPerson. A
// Sender that merely differs from From (a secretary sending for her boss)
// does not replace From. When no header holds an address, Email is "" and
// Name keeps From's display name, if any. group is the group's address when
// the mail was attributed to a person behind it, else "".
func findSender(h textproto.MIMEHeader, d *headerDecoder) (s helpdesk.Sender, group string) {
	from, fromOK := d.firstSender(h, "From")
	if fromOK && isGroupRelay(h, d, from) {
		if p, ok := groupPerson(h, d, from); ok {
			return p, from.Email
		}
	}
	if fromOK {
		return from, ""
	}
	for _, k := range []string{"Sender", "Reply-To", "Return-Path"} {
		if s, ok := d.firstSender(h, k); ok {
			if s.Name == "" {
				s.Name = from.Name // "From: Jane Doe" without an address
			}
			return s, ""
		}
	}
	return from, ""
}

// withoutGroup drops, from the Reply-To of mail a group relayed, the group's
// own addresses: a group that sets Reply-To to itself (often our own support
// address) would have our replies sent to the group, not to the person.
func withoutGroup(replyTo []string, h textproto.MIMEHeader, group string) []string {
	if group == "" {
		return replyTo
	}
	out := replyTo[:0:0]
	for _, a := range replyTo {
		if a != group && !isGroupAddress(h, a) {
			out = append(out, a)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// firstSender returns the first instance of key holding a usable address.
func (d *headerDecoder) firstSender(h textproto.MIMEHeader, key string) (helpdesk.Sender, bool) {
	var nameOnly helpdesk.Sender
	for _, v := range h.Values(key) {
		s, ok := d.sender(v)
		if ok {
			return s, true
		}
		if nameOnly.Name == "" {
			nameOnly = s
		}
	}
	return nameOnly, false
}

// viaName matches the display name a group puts on relayed mail:
// "'Jane Doe' via Support" (Google Groups), "Jane Doe via Support"
// (Mailman's DMARC rewrite).
var viaName = regexp.MustCompile(`(?i)^(.+?)\s+via\s+\S.*$`)

// isGroupRelay reports whether From is a group or list that relayed a
// person's mail: Google Groups (X-Original-Sender other than From, a
// googlegroups.com From, "X via Group" names) or a list whose List-Id or
// List-Post is the From address. A From with a mere Sender beside it is not.
func isGroupRelay(h textproto.MIMEHeader, d *headerDecoder, from helpdesk.Sender) bool {
	if s, ok := d.firstSender(h, "X-Original-Sender"); ok && s.Email != from.Email {
		return true
	}
	if strings.HasSuffix(from.Email, "@googlegroups.com") || isListAddress(h, from.Email) {
		return true
	}
	return viaName.MatchString(from.Name) && (h.Get("List-Id") != "" || h.Get("Mailing-List") != "" || h.Get("List-Post") != "")
}

// isListAddress reports whether addr is the list of List-Id (which is the
// list address with @ turned into a dot) or of List-Post.
func isListAddress(h textproto.MIMEHeader, addr string) bool {
	local, domain, ok := strings.Cut(addr, "@")
	if !ok {
		return false
	}
	if id := listID(h.Get("List-Id")); id != "" && id == local+"."+domain {
		return true
	}
	for _, a := range parseAddressList(strings.ReplaceAll(h.Get("List-Post"), "mailto:", "")) {
		if normalizeAddress(a.Address) == addr {
			return true
		}
	}
	return false
}

// listID returns a List-Id's bracketed id (idRE, as in Message-IDs),
// lowercased.
func listID(v string) string {
	if m := idRE.FindStringSubmatch(v); m != nil {
		return strings.ToLower(m[1])
	}
	return strings.ToLower(strings.TrimSpace(v))
}

// groupPerson finds the person behind a group's From: X-Original-Sender
// (Google Groups), X-Original-From, then Sender and Reply-To when they are
// not the group itself. The name is the person's own, else the "Jane" of
// "'Jane' via Support".
func groupPerson(h textproto.MIMEHeader, d *headerDecoder, from helpdesk.Sender) (helpdesk.Sender, bool) {
	viaPerson := ""
	if m := viaName.FindStringSubmatch(from.Name); m != nil {
		viaPerson = cleanName(m[1], "")
	}
	for _, k := range []string{"X-Original-Sender", "X-Original-From", "Sender", "Reply-To"} {
		s, ok := d.firstSender(h, k)
		if !ok || s.Email == from.Email || isGroupAddress(h, s.Email) {
			continue
		}
		if s.Name == "" {
			s.Name = viaPerson
		}
		return s, true
	}
	return helpdesk.Sender{}, false
}

// isGroupAddress: a group's own addresses (the list, its bounce and owner
// addresses, anything at googlegroups.com) are never the person.
func isGroupAddress(h textproto.MIMEHeader, addr string) bool {
	local, _, _ := strings.Cut(addr, "@")
	return strings.HasSuffix(addr, "@googlegroups.com") || isListAddress(h, addr) ||
		strings.Contains(local, "+bnc") || strings.HasSuffix(local, "-bounces") || strings.Contains(local, "-bounces+") ||
		strings.HasPrefix(local, "owner-") || strings.HasSuffix(local, "-owner") || strings.HasSuffix(local, "-request")
}
