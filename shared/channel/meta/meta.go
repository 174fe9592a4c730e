// Package meta implements the parts of Meta's webhook mechanism that
// Messenger and WhatsApp (Cloud API) share: the GET subscription handshake,
// the X-Hub-Signature-256 check and decoders from Meta's documented payloads
// to helpdesk.InboundMessage. It is pure: no I/O and no clock.
package meta

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/url"
	"strings"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// MaxBodySize is the largest webhook body the decoders accept (1 MiB).
const MaxBodySize = 1 << 20

// SignatureHeader is the header Meta signs POST bodies with.
const SignatureHeader = "X-Hub-Signature-256"

// VerifySubscription answers Meta's GET handshake: hub.mode=subscribe and a
// hub.verify_token equal to verifyToken give back hub.challenge. An empty
// configured token or an empty challenge never verifies.
func VerifySubscription(query url.Values, verifyToken string) (challenge string, ok bool) {
	if query == nil || verifyToken == "" {
		return "", false
	}
	if query.Get("hub.mode") != "subscribe" {
		return "", false
	}
	challenge = query.Get("hub.challenge")
	if challenge == "" {
		return "", false
	}
	// Compare digests so the comparison time does not depend on the length.
	got := sha256.Sum256([]byte(query.Get("hub.verify_token")))
	want := sha256.Sum256([]byte(verifyToken))
	if subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
		return "", false
	}
	return challenge, true
}

// VerifySignature checks header, the value of X-Hub-Signature-256
// ("sha256=<hex>"), against the HMAC-SHA256 of body keyed with appSecret
// (see VerifyHMAC for the errors).
func VerifySignature(appSecret string, header string, body []byte) error {
	return VerifyHMAC(appSecret, SignatureHeader, header, body)
}

// VerifyHMAC checks value, the "sha256=<hex>" found in header name, against
// the HMAC-SHA256 of body keyed with secret, in constant time. Meta's
// scheme; the form webhook uses it under its own header. A missing value,
// or a SHA-1 ("sha1=...") one, is EUnauthorised/signature_missing; anything
// that does not match is EUnauthorised/signature_invalid. An empty secret
// is a configuration fault: EInternal/secret_missing.
func VerifyHMAC(secret, name, value string, body []byte) error {
	if secret == "" {
		return helpdesk.Errorf(helpdesk.EInternal, "secret_missing", "no signing secret configured")
	}
	h := strings.TrimSpace(value)
	if h == "" {
		return helpdesk.Errorf(helpdesk.EUnauthorised, "signature_missing", "missing %s header", name)
	}
	const prefix = "sha256="
	if len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		if len(h) >= 5 && strings.EqualFold(h[:5], "sha1=") {
			return helpdesk.Errorf(helpdesk.EUnauthorised, "signature_missing", "only a SHA-1 signature was sent; %s: sha256=<hex> is required", name)
		}
		return helpdesk.Errorf(helpdesk.EUnauthorised, "signature_invalid", "%s is not sha256=<hex>", name)
	}
	got, err := hex.DecodeString(h[len(prefix):])
	if err != nil || len(got) != sha256.Size {
		return helpdesk.Errorf(helpdesk.EUnauthorised, "signature_invalid", "%s is not sha256=<hex>", name)
	}
	if !hmac.Equal(got, sum(secret, body)) {
		return helpdesk.Errorf(helpdesk.EUnauthorised, "signature_invalid", "%s does not match the body", name)
	}
	return nil
}

// Sign returns the "sha256=<hex>" signature of body, as VerifyHMAC checks
// it (for senders and tests).
func Sign(secret string, body []byte) string {
	return "sha256=" + hex.EncodeToString(sum(secret, body))
}

func sum(secret string, body []byte) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write(body)
	return mac.Sum(nil)
}
