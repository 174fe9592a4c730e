// Package csat is the satisfaction survey's pure model: the signed link a
// customer rates through, what may be rated and when, and the report's
// arithmetic. No I/O, no clock: callers pass now.
package csat

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Token is what a survey link names: the tenant, the ticket, the contact
// asked, and when the link stops working (the close + Window).
type Token struct {
	Tenant    string
	TicketID  string
	ContactID string
	Expires   time.Time
}

// tokenDomain separates these signatures from anything else the same secret
// signs (reply addresses, cursors).
const tokenDomain = "stackdesk/csat/v1\n"

// ErrBadToken: the link is malformed, tampered or another tenant's.
var ErrBadToken = helpdesk.Errorf(helpdesk.EUnauthorised, "invalid_token", "this rating link is not valid")

// Sign returns the token as a URL-safe string: the fields, then an
// HMAC-SHA256 of them under secret.
func Sign(secret []byte, t Token) string {
	payload := strings.Join([]string{t.Tenant, t.TicketID, t.ContactID, strconv.FormatInt(t.Expires.Unix(), 10)}, "\x00")
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(mac(secret, payload))
}

// Verify checks s's signature and that it names tenant; it does not check
// expiry (Decide does, so an expired link answers "too late", not "invalid").
func Verify(secret []byte, tenant, s string) (Token, error) {
	enc := base64.RawURLEncoding
	p, sig, ok := strings.Cut(s, ".")
	if !ok || len(s) > 1024 {
		return Token{}, ErrBadToken
	}
	raw, err1 := enc.DecodeString(p)
	got, err2 := enc.DecodeString(sig)
	if err := errors.Join(err1, err2); err != nil || len(secret) == 0 || !hmac.Equal(got, mac(secret, string(raw))) {
		return Token{}, ErrBadToken
	}
	f := strings.Split(string(raw), "\x00")
	if len(f) != 4 || f[0] != tenant || f[1] == "" || f[2] == "" {
		return Token{}, ErrBadToken
	}
	exp, err := strconv.ParseInt(f[3], 10, 64)
	if err != nil {
		return Token{}, ErrBadToken
	}
	return Token{Tenant: f[0], TicketID: f[1], ContactID: f[2], Expires: time.Unix(exp, 0).UTC()}, nil
}

func mac(secret []byte, payload string) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(tokenDomain))
	h.Write([]byte(payload))
	return h.Sum(nil)
}

// LinkKey derives the survey links' signing key from the stack's
// reply-token secret, so the two never sign the same thing under one key.
// The closing notification (outbound) and the survey page (csat-page) both
// derive it so.
func LinkKey(replyTokenSecret []byte) []byte {
	h := hmac.New(sha256.New, replyTokenSecret)
	h.Write([]byte("stackdesk/csat/link-key"))
	return h.Sum(nil)
}
