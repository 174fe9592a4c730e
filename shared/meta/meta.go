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
// ("sha256=<hex>"), against the HMAC-SHA256 of body keyed with appSecret.
// A missing header, or a SHA-1 ("sha1=...") value only, is
// EUnauthorised/signature_missing; anything that does not match is
// EUnauthorised/signature_invalid. An empty appSecret is a configuration
// fault: EInternal/app_secret_missing.
func VerifySignature(appSecret string, header string, body []byte) error {
	if appSecret == "" {
		return helpdesk.Errorf(helpdesk.EInternal, "app_secret_missing", "no app secret configured")
	}
	h := strings.TrimSpace(header)
	if h == "" {
		return helpdesk.Errorf(helpdesk.EUnauthorised, "signature_missing", "missing %s header", SignatureHeader)
	}
	const prefix = "sha256="
	if len(h) < len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		if len(h) >= 5 && strings.EqualFold(h[:5], "sha1=") {
			return helpdesk.Errorf(helpdesk.EUnauthorised, "signature_missing", "only a SHA-1 signature was sent; %s is required", SignatureHeader)
		}
		return helpdesk.Errorf(helpdesk.EUnauthorised, "signature_invalid", "signature is not sha256=<hex>")
	}
	got, err := hex.DecodeString(h[len(prefix):])
	if err != nil || len(got) != sha256.Size {
		return helpdesk.Errorf(helpdesk.EUnauthorised, "signature_invalid", "signature is not sha256=<hex>")
	}
	mac := hmac.New(sha256.New, []byte(appSecret))
	mac.Write(body)
	if !hmac.Equal(got, mac.Sum(nil)) {
		return helpdesk.Errorf(helpdesk.EUnauthorised, "signature_invalid", "signature does not match the body")
	}
	return nil
}
