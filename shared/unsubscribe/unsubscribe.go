// Package unsubscribe signs and verifies the token of the unsubscribe link
// in a customer notification email: who (a contact) opts out of which kind
// of notification. Only a holder of the stack's key can write one, so a
// link cannot be forged for another contact or another kind, and a token
// from another stack (tenant) does not verify.
//
// Format: base64url(payload) "." base64url(first 16 bytes of
// HMAC-SHA256(key, payload)), payload = "u1|<contact id>|<kind>". No
// expiry: an unsubscribe link must keep working for as long as the mail is
// kept. The pure package does no I/O.
package unsubscribe

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

const (
	version  = "u1"
	sigBytes = 16
	maxToken = 512 // longer input is refused before any work
	// MinKeyLen is the shortest key accepted.
	MinKeyLen = 16
)

var enc = base64.RawURLEncoding

// ReasonBadToken is the reason of every refused token (EUnauthorised).
const ReasonBadToken = "unsubscribe_token_invalid"

// Key derives the unsubscribe key from the stack's reply-token secret, so
// no new secret is needed and the two uses never share a key.
func Key(secret []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("stackdesk unsubscribe v1"))
	return m.Sum(nil)
}

// Token signs contactID's opt-out of kind.
func Token(key []byte, contactID string, kind helpdesk.CustomerNotifyKind) (string, error) {
	switch {
	case len(key) < MinKeyLen:
		return "", helpdesk.Errorf(helpdesk.EInvalid, "unsubscribe_key_too_short", "unsubscribe key must be at least %d bytes", MinKeyLen)
	case contactID == "" || strings.Contains(contactID, "|"):
		return "", helpdesk.Errorf(helpdesk.EInvalid, "contact_id_invalid", "contact id %q cannot be signed", contactID)
	case !kind.Valid():
		return "", helpdesk.Errorf(helpdesk.EInvalid, "unknown_customer_notify_kind", "unknown kind %q", kind)
	}
	payload := version + "|" + contactID + "|" + string(kind)
	return enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(sign(key, payload)), nil
}

// Verify returns the contact and kind a token names, or an EUnauthorised
// error (reason unsubscribe_token_invalid) for anything not signed with key.
func Verify(key []byte, token string) (contactID string, kind helpdesk.CustomerNotifyKind, err error) {
	bad := helpdesk.Errorf(helpdesk.EUnauthorised, ReasonBadToken, "the unsubscribe link is not valid")
	if len(token) > maxToken || len(key) < MinKeyLen {
		return "", "", bad
	}
	p64, s64, ok := strings.Cut(token, ".")
	if !ok {
		return "", "", bad
	}
	payload, err1 := enc.DecodeString(p64)
	sig, err2 := enc.DecodeString(s64)
	if err1 != nil || err2 != nil || !hmac.Equal(sig, sign(key, string(payload))) {
		return "", "", bad
	}
	parts := strings.Split(string(payload), "|")
	if len(parts) != 3 || parts[0] != version || parts[1] == "" || !helpdesk.CustomerNotifyKind(parts[2]).Valid() {
		return "", "", bad
	}
	return parts[1], helpdesk.CustomerNotifyKind(parts[2]), nil
}

func sign(key []byte, payload string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(payload))
	return m.Sum(nil)[:sigBytes]
}
