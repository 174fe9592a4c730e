// Package replytoken signs and verifies the plus-addressed Reply-To of our
// outbound mail, so an inbound reply names its ticket in a way nobody else can
// forge: support+t1042.<sig>@acme.example answers ticket 1042 of
// support@acme.example, and only a holder of the secret can write <sig>.
//
// Format of the token (the part after the last "+" of the local part):
//
//	t<ticketID>.<sig>
//	sig = base32 (RFC 4648 alphabet, lower case, no padding) of the first
//	      10 bytes of HMAC-SHA256(secret, "<ticketID>|<lower-cased team address>")
//
// The sig is always 16 characters. Base32 rather than hex: 16 characters
// instead of 20 for the same 80 bits, and, like hex, it survives mail servers
// that lower-case local parts, because Parse lower-cases the whole address
// before checking. Ticket ids are therefore limited to lower-case letters,
// digits, "-" and "_" (ticket numbers in practice), and the whole local part
// to 64 characters (RFC 5321 §4.5.3.1.1).
//
// Binding the team address into the MAC means a token lifted from one team
// address (or domain) does not verify on another.
package replytoken

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"net/mail"
	"strings"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

const (
	// MinSecretLen is the shortest secret Address accepts (32 bytes recommended).
	MinSecretLen = 16
	sigBytes     = 10
	sigLen       = 16 // base32 of 10 bytes, no padding
	maxLocal     = 64
	maxAddress   = 254
	maxInput     = 1024 // longer input is refused before any work
	tokenPrefix  = "t"
)

var sigEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

func invalid(reason, format string, args ...any) error {
	return helpdesk.Errorf(helpdesk.EInvalid, reason, format, args...)
}

// Address returns the signed reply address of ticketID at teamAddress, e.g.
// support+t1042.k3jq7x2m4r5t6y7a@acme.example. The team address must be a bare
// address (no display name, no "+" label); the result is lower case.
func Address(secret []byte, teamAddress, ticketID string) (string, error) {
	if len(secret) < MinSecretLen {
		return "", invalid("reply_secret_too_short", "reply-token secret must be at least %d bytes", MinSecretLen)
	}
	if !validTicketID(ticketID) {
		return "", invalid("ticket_id_invalid", "ticket id %q must be lower-case letters, digits, '-' or '_'", ticketID)
	}
	team := strings.ToLower(strings.TrimSpace(teamAddress))
	local, domain, ok := splitAddress(team)
	if !ok || strings.Contains(local, "+") {
		return "", invalid("team_address_invalid", "team address %q must be a bare address without a '+' label", teamAddress)
	}
	if a, err := mail.ParseAddress(team); err != nil || a.Address != team {
		return "", invalid("team_address_invalid", "team address %q is not a valid address", teamAddress)
	}
	tokenLocal := local + "+" + tokenPrefix + ticketID + "." + sign(secret, ticketID, team)
	if len(tokenLocal) > maxLocal {
		return "", invalid("reply_address_too_long", "reply address local part %q is over %d characters", tokenLocal, maxLocal)
	}
	return tokenLocal + "@" + domain, nil
}

// Parse verifies a reply address and returns its ticket id and the team
// address it was issued for (lower case). ok is false for an address without
// a token, with a forged, truncated or garbled one, or one issued for another
// team address. The signature is compared in constant time. Surrounding
// whitespace and angle brackets are tolerated; case is ignored.
func Parse(secret []byte, address string) (ticketID, teamAddress string, ok bool) {
	if len(secret) < MinSecretLen || len(address) > maxInput {
		return "", "", false
	}
	addr := strings.ToLower(strings.TrimSpace(address))
	addr = strings.TrimSuffix(strings.TrimPrefix(addr, "<"), ">")
	if len(addr) > maxAddress {
		return "", "", false
	}
	local, domain, found := splitAddress(addr)
	if !found || len(local) > maxLocal {
		return "", "", false
	}
	plus := strings.LastIndexByte(local, '+')
	if plus <= 0 {
		return "", "", false
	}
	token := local[plus+1:]
	dot := strings.LastIndexByte(token, '.')
	if !strings.HasPrefix(token, tokenPrefix) || dot < 0 || len(token)-dot-1 != sigLen {
		return "", "", false
	}
	id, sig := token[len(tokenPrefix):dot], token[dot+1:]
	if !validTicketID(id) {
		return "", "", false
	}
	team := local[:plus] + "@" + domain
	want := sign(secret, id, team)
	if subtle.ConstantTimeCompare([]byte(want), []byte(sig)) != 1 {
		return "", "", false
	}
	return id, team, true
}

// sign returns the 16-character signature of ticketID at team (lower case).
func sign(secret []byte, ticketID, team string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ticketID))
	m.Write([]byte{'|'})
	m.Write([]byte(team))
	sum := m.Sum(nil)
	return strings.ToLower(sigEncoding.EncodeToString(sum[:sigBytes]))
}

// splitAddress splits local@domain; both parts non-empty, exactly one "@",
// printable ASCII only, no whitespace.
func splitAddress(addr string) (local, domain string, ok bool) {
	for i := 0; i < len(addr); i++ {
		if c := addr[i]; c <= ' ' || c > '~' {
			return "", "", false
		}
	}
	at := strings.IndexByte(addr, '@')
	if at <= 0 || at == len(addr)-1 || strings.IndexByte(addr[at+1:], '@') >= 0 {
		return "", "", false
	}
	return addr[:at], addr[at+1:], true
}

func validTicketID(id string) bool {
	if id == "" || len(id) > maxLocal {
		return false
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
