package portal

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/stackdesk/stackdesk/shared/api/httpjson"
	"github.com/stackdesk/stackdesk/shared/helpdesk"
	"github.com/stackdesk/stackdesk/shared/jobs"
)

// How long each secret lives.
const (
	GrantTTL   = 15 * time.Minute
	SessionTTL = 12 * time.Hour
)

// SessionCookie carries the session id for the portal's pages (HttpOnly:
// scripts never see it); a Bearer header works too.
const SessionCookie = "stackdesk_portal"

// Limits are the rate limits: requests per address and per source IP in
// one Window (fixed windows, counted in the table).
type Limits struct {
	Window            time.Duration
	AccessPerAddress  int64 // link requests for one address
	AccessPerSource   int64 // link requests from one IP
	SessionPerAddress int64 // code tries for one address (a 6-digit code's guard)
	SessionPerSource  int64 // link and code tries from one IP
}

// DefaultLimits: a customer asks a few times; a guesser of codes gets 10
// tries per address per 15 minutes (1 in 100,000 per window).
var DefaultLimits = Limits{Window: 15 * time.Minute, AccessPerAddress: 5, AccessPerSource: 30,
	SessionPerAddress: 10, SessionPerSource: 60}

func (a *API) limits() Limits {
	if a.Limits.Window == 0 {
		return DefaultLimits
	}
	return a.Limits
}

// rateLimited is a refusal for too many requests in a window.
type rateLimited struct {
	scope      string
	retryAfter int // seconds
}

func (e *rateLimited) Error() string { return "rate limited: " + e.scope }

// limit counts one request against scope and refuses it beyond max.
func (a *API) limit(ctx context.Context, scope string, max int64) error {
	l, now := a.limits(), a.now()
	window := now.Truncate(l.Window)
	n, err := a.Store.CountRate(ctx, scope, window, window.Add(2*l.Window))
	if err != nil {
		return err
	}
	if n > max {
		return &rateLimited{scope: strings.SplitN(scope, "#", 2)[0], retryAfter: int(window.Add(l.Window).Sub(now).Seconds()) + 1}
	}
	return nil
}

// hash keys a secret for the table: an HMAC under the stack's key, so a
// copy of the table cannot be searched for the 10^6 possible codes.
func (a *API) hash(kind string, parts ...string) string {
	m := hmac.New(sha256.New, a.Key)
	m.Write([]byte(kind))
	for _, p := range parts {
		m.Write([]byte{0})
		m.Write([]byte(p))
	}
	return hex.EncodeToString(m.Sum(nil))
}

func (a *API) random(n int) ([]byte, error) {
	r := a.Random
	if r == nil {
		r = rand.Reader
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, fmt.Errorf("random: %w", err)
	}
	return b, nil
}

// A link token is "v1.<expiry unix>.<random>.<signature>": the signature
// (HMAC of what precedes it) refuses a tampered or foreign token before
// any read, the expiry an old one; single use is the stored grant's.
func (a *API) signToken(exp time.Time, nonce []byte) string {
	body := "v1." + strconv.FormatInt(exp.Unix(), 10) + "." + base64.RawURLEncoding.EncodeToString(nonce)
	m := hmac.New(sha256.New, a.Key)
	m.Write([]byte(body))
	return body + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

var errLinkInvalid = helpdesk.Errorf(helpdesk.EUnauthorised, "link_invalid", "this sign-in link or code is not valid: ask for a new one")

func (a *API) checkToken(tok string) error {
	parts := strings.Split(tok, ".")
	if len(parts) != 4 || parts[0] != "v1" {
		return errLinkInvalid
	}
	body := strings.Join(parts[:3], ".")
	sig, err := base64.RawURLEncoding.DecodeString(parts[3])
	m := hmac.New(sha256.New, a.Key)
	m.Write([]byte(body))
	if err != nil || !hmac.Equal(sig, m.Sum(nil)) {
		return errLinkInvalid
	}
	exp, err := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || a.now().Unix() >= exp {
		return errLinkInvalid
	}
	return nil
}

// AccessRequest asks for a sign-in link.
type AccessRequest struct {
	Email string `json:"email,omitempty"`
	// Phone is a WhatsApp number (accessphone.go): the link and code go in
	// the customer's WhatsApp conversation.
	Phone string `json:"phone,omitempty"`
}

// Accepted is the one answer to an access request, whoever asked.
type Accepted struct {
	Message string `json:"message"`
}

var accepted = Accepted{Message: "If this address or number is known to us, a sign-in link and code are on their way to it."}

// normalAddress reads an address as the email channel keys it, or refuses
// it as malformed (a 400 tells nothing about whether it is known).
func normalAddress(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	addr, err := mail.ParseAddress(s)
	if s == "" || len(s) > 254 || err != nil || addr.Address != s {
		return "", helpdesk.Errorf(helpdesk.EInvalid, "invalid_email", "give an email address, e.g. {\"email\": \"you@example.com\"}")
	}
	return s, nil
}

// requestAccess mails a link and a code to a known address. Unknown and
// known addresses get the same 202 and body: accounts cannot be listed.
func (a *API) requestAccess(w http.ResponseWriter, r *http.Request) error {
	var req AccessRequest
	if err := readJSON(r, maxBody, &req); err != nil {
		return err
	}
	if (req.Email == "") == (req.Phone == "") {
		return helpdesk.Errorf(helpdesk.EInvalid, "email_or_phone", "give exactly one of email or phone, e.g. {\"email\": \"you@example.com\"} or {\"phone\": \"+15551234567\"}")
	}
	who, err := a.requester(req.Email, req.Phone)
	if err != nil {
		return err
	}
	ctx := r.Context()
	l := a.limits()
	if err := a.limit(ctx, "access-ip#"+a.sourceIP(r), l.AccessPerSource); err != nil {
		return err
	}
	if err := a.limit(ctx, "access-addr#"+who.limitKey, l.AccessPerAddress); err != nil {
		return err
	}
	cid, err := a.Store.FindContactID(ctx, who.sender.Key(who.kind))
	if err != nil && !errors.Is(err, helpdesk.ErrNotFound) {
		return err
	}
	// An unknown address or number gets a decoy: the same writes and the
	// same job, for no contact (a session is never opened for it, and the
	// sender sends to nobody), so the answer takes as long as a known one's.
	// Whether a WhatsApp conversation's 24-hour window is open is the
	// sender's to find, so it changes nothing here either.
	if err := a.grant(ctx, cid, who.to); err != nil {
		return err
	}
	httpjson.Write(w, http.StatusAccepted, accepted)
	return nil
}

// requester is who asks for access: how they are rate limited, found
// among the contacts, and reached.
type requester struct {
	limitKey string
	sender   helpdesk.Sender
	kind     helpdesk.ChannelKind
	to       recipient
}

// requester reads who asks by their email address or WhatsApp number:
// exactly one of them is given (each caller checks, with its own reason).
// The limit key and the recipient are the inputs of stored hashes (rate
// limits, codes): changing them would orphan every live grant.
func (a *API) requester(email, phone string) (requester, error) {
	if phone != "" {
		num, err := normalPhone(phone)
		if err != nil {
			return requester{}, err
		}
		return requester{limitKey: a.hash("phone", num), sender: helpdesk.Sender{WhatsAppID: num}, kind: helpdesk.ChannelWhatsApp, to: recipient{whatsApp: num}}, nil
	}
	addr, err := normalAddress(email)
	if err != nil {
		return requester{}, err
	}
	return requester{limitKey: a.hash("addr", addr), sender: helpdesk.Sender{Email: addr}, kind: helpdesk.ChannelEmail, to: recipient{email: addr}}, nil
}

// recipient is where a grant's link and code go: an email address, a
// WhatsApp number (the contact's latest WhatsApp conversation), or one
// ticket's Messenger or WhatsApp conversation (link only: an agent sent it).
type recipient struct {
	email    string
	whatsApp string
	ticketID string
}

// codeHash keys a code under where it was sent, so it opens a session
// only with that address or number.
func (a *API) codeHash(to recipient, code string) string {
	if to.email != "" {
		return a.hash("code", to.email, code)
	}
	return a.hash("code-wa", to.whatsApp, code)
}

// grant stores a link token and a code for the contact and queues the
// message that carries them.
func (a *API) grant(ctx context.Context, contactID string, to recipient) error {
	now := a.now()
	exp := now.Add(GrantTTL)
	nonce, err := a.random(16)
	if err != nil {
		return err
	}
	tok := a.signToken(exp, nonce)
	// The code's randomness is its own: the link must not reveal it.
	c8, err := a.random(8)
	if err != nil {
		return err
	}
	code := fmt.Sprintf("%06d", binary.BigEndian.Uint64(c8)%1_000_000)
	if err := a.Store.PutPortalGrant(ctx, a.hash("link", tok), helpdesk.PortalGrant{ContactID: contactID, Kind: "link", CreatedAt: now, ExpiresAt: exp}); err != nil {
		return err
	}
	// A newer code replaces nothing: each code is its own grant, and the
	// per-address limit bounds how many are live.
	if to.ticketID != "" {
		code = "" // a link sent by an agent: there is no address to pair a code with
	} else if err := a.Store.PutPortalGrant(ctx, a.codeHash(to, code), helpdesk.PortalGrant{ContactID: contactID, Kind: "code", CreatedAt: now, ExpiresAt: exp}); err != nil {
		return err
	}
	name := ""
	if c, err := a.Store.GetContact(ctx, contactID); err == nil && contactID != "" {
		name = c.Name
	}
	body, err := jobs.Encode(jobs.KindPortalAccess, jobs.PortalAccess{ContactID: contactID, ToEmail: to.email, ToName: name,
		Link: a.LinkBase + url.QueryEscape(tok), Code: code, ExpiresAt: exp, ToWhatsApp: to.whatsApp, TicketID: to.ticketID})
	if err != nil {
		return err
	}
	if err := a.Outbound.Publish(ctx, string(body)); err != nil {
		return fmt.Errorf("queue portal access mail: %w", err)
	}
	return nil
}

// SessionRequest exchanges a link token, or an address and its code, for
// a session.
type SessionRequest struct {
	Token string `json:"token,omitempty"`
	Email string `json:"email,omitempty"`
	Code  string `json:"code,omitempty"`
	// Phone, with Code: a code sent in a WhatsApp conversation.
	Phone string `json:"phone,omitempty"`
}

// Session is a new session: its id (also set as an HttpOnly cookie) and
// when it ends.
type Session struct {
	Session   string    `json:"session"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (a *API) openSession(w http.ResponseWriter, r *http.Request) error {
	var req SessionRequest
	if err := readJSON(r, maxBody, &req); err != nil {
		return err
	}
	ctx := r.Context()
	l := a.limits()
	var hash string
	switch {
	case req.Token != "" && req.Email == "" && req.Phone == "" && req.Code == "":
		if err := a.limit(ctx, "session-ip#"+a.sourceIP(r), l.SessionPerSource); err != nil {
			return err
		}
		if err := a.checkToken(req.Token); err != nil {
			return err
		}
		hash = a.hash("link", req.Token)
	case req.Token == "" && (req.Email == "") != (req.Phone == "") && req.Code != "":
		who, err := a.requester(req.Email, req.Phone)
		if err != nil {
			return err
		}
		if err := a.limit(ctx, "session-ip#"+a.sourceIP(r), l.SessionPerSource); err != nil {
			return err
		}
		if err := a.limit(ctx, "session-addr#"+who.limitKey, l.SessionPerAddress); err != nil {
			return err
		}
		hash = a.codeHash(who.to, strings.TrimSpace(req.Code))
	default:
		return helpdesk.Errorf(helpdesk.EInvalid, "token_or_code", "send {\"token\": ...}, {\"email\": ..., \"code\": ...} or {\"phone\": ..., \"code\": ...}")
	}
	g, err := a.Store.ConsumePortalGrant(ctx, hash, a.now())
	if errors.Is(err, helpdesk.ErrNotFound) || (err == nil && g.ContactID == "") {
		return errLinkInvalid // unknown, used, expired, or an unknown address's decoy
	}
	if err != nil {
		return err
	}
	raw, err := a.random(32)
	if err != nil {
		return err
	}
	id := base64.RawURLEncoding.EncodeToString(raw)
	now := a.now()
	s := helpdesk.PortalSession{ContactID: g.ContactID, CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}
	if err := a.Store.PutPortalSession(ctx, a.hash("session", id), s); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: id, Path: "/portal/api", Expires: s.ExpiresAt,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	httpjson.Write(w, http.StatusCreated, Session{Session: id, ExpiresAt: s.ExpiresAt.UTC()})
	return nil
}

// session is the signed-in customer.
type session struct {
	hash      string
	contactID string
}

var errNoSession = helpdesk.Errorf(helpdesk.EUnauthorised, "session_invalid", "sign in: your session is missing, expired or ended")

func (a *API) session(r *http.Request) (session, error) {
	id, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok && cookieTaken(r) { // hardening.go
		if c, err := r.Cookie(SessionCookie); err == nil {
			id = c.Value
		}
	}
	id = strings.TrimSpace(id)
	if id == "" || len(id) > 100 {
		return session{}, errNoSession
	}
	h := a.hash("session", id)
	s, err := a.Store.GetPortalSession(r.Context(), h, a.now())
	if errors.Is(err, helpdesk.ErrNotFound) {
		return session{}, errNoSession
	}
	if err != nil {
		return session{}, err
	}
	return session{hash: h, contactID: s.ContactID}, nil
}

// closeSession revokes the caller's session.
func (a *API) closeSession(w http.ResponseWriter, r *http.Request, s session) error {
	if err := a.Store.DeletePortalSession(r.Context(), s.hash); err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/portal/api", MaxAge: -1,
		HttpOnly: true, Secure: true, SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
	return nil
}
