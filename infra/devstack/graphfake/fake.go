// Package graphfake is a local fake of the parts of Meta's Graph API the
// help desk calls: the Messenger Send API, the WhatsApp Cloud API messages
// endpoint, WhatsApp media lookup and media download.
//
// It is strict on purpose: every request is checked against Meta's documented
// shapes (method, path, bearer token, Content-Type, JSON decoded with unknown
// fields refused, required fields and limits) and anything off is answered
// with Meta's documented error JSON and status, so a test that passes against
// the fake sends what Meta accepts. Accepted messages are answered with Meta's
// documented success payloads and recorded for assertions (Sent); every
// request is recorded raw (Requests). FailNext and Script make valid requests
// fail the way Meta does (rate limits, closed windows, outages).
//
// It is safe for concurrent use and binds only to loopback.
package graphfake

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"
)

// Request kinds, as routed.
const (
	KindMessenger     = "messenger"      // POST /{version}/{page-id}/messages
	KindWhatsApp      = "whatsapp"       // POST /{version}/{phone-number-id}/messages
	KindMedia         = "media"          // GET /{version}/{media-id}
	KindMediaDownload = "media_download" // GET /whatsapp_business/attachments/?mid=...
	// KindProfile (profile.go): GET /{version}/{psid}?fields=...
)

// maxBody is the largest request body the fake reads.
const maxBody = 1 << 20

// Fake is the fake Graph API; it is an http.Handler.
type Fake struct {
	// URL is the base URL ("http://127.0.0.1:port") once Start or Listen ran.
	URL string
	// Version, when set, is the only API version accepted (e.g. "v21.0");
	// otherwise any "vN.M" is.
	Version string

	mu       sync.Mutex
	pages    map[string]string // page id → page access token
	phones   map[string]string // phone number id → access token
	media    map[string]mediaFile
	requests []Request
	sent     []Sent
	script   func(Request) *Response
	fails    []*Response
	seq      struct{ mid, wamid, trace int }

	profiles     map[string]profile // psid → Messenger profile (profile.go)
	profileFails []*Response
}

type mediaFile struct {
	mime, token string
	data        []byte
}

// New returns an empty Fake: add pages, phone numbers and media before use.
func New() *Fake {
	return &Fake{
		pages:  map[string]string{},
		phones: map[string]string{},
		media:  map[string]mediaFile{},
	}
}

// Start serves a new Fake on 127.0.0.1 for the duration of the test.
func Start(t testing.TB) *Fake {
	t.Helper()
	f := New()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	f.URL = srv.URL
	return f
}

// Listen serves f on addr (e.g. "127.0.0.1:8999", or ":0" for any port on
// 127.0.0.1) for the local dev runner. Only loopback addresses are accepted:
// the fake answers anyone who knows a token, so it must not be reachable
// from a network. stop shuts the server down.
func (f *Fake) Listen(addr string) (url string, stop func(), err error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", nil, fmt.Errorf("graphfake: listen address %q: %w", addr, err)
	}
	if host == "" {
		host = "127.0.0.1"
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", nil, fmt.Errorf("graphfake: refusing to listen on %q: only loopback addresses", host)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(host, port))
	if err != nil {
		return "", nil, fmt.Errorf("graphfake: %w", err)
	}
	srv := &http.Server{Handler: f, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln) //nolint:errcheck // ends with ErrServerClosed on stop
	url = "http://" + ln.Addr().String()
	f.mu.Lock()
	f.URL = url
	f.mu.Unlock()
	stop = func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
	return url, stop, nil
}

// AddPage lets pageID send Messenger messages with token.
func (f *Fake) AddPage(pageID, token string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pages[pageID] = token
}

// AddPhoneNumber lets the WhatsApp business number phoneNumberID send with token.
func (f *Fake) AddPhoneNumber(phoneNumberID, token string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.phones[phoneNumberID] = token
}

// AddMedia makes mediaID retrievable with token: GET /{version}/{mediaID}
// answers its metadata and a download URL on the fake that needs the same token.
func (f *Fake) AddMedia(mediaID, mimeType string, data []byte, token string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.media[mediaID] = mediaFile{mime: mimeType, token: token, data: append([]byte(nil), data...)}
}

// Requests returns every request received so far, valid or not, in order.
func (f *Fake) Requests() []Request {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Request, len(f.requests))
	for i, r := range f.requests {
		out[i] = r.clone()
	}
	return out
}

// Sent returns the messages accepted so far, in order.
func (f *Fake) Sent() []Sent {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]Sent, len(f.sent))
	for i, s := range f.sent {
		out[i] = s.clone()
	}
	return out
}

// Reset forgets recorded requests, sent messages, scripted failures and the
// script; pages, numbers and media stay.
func (f *Fake) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests, f.sent, f.fails, f.script, f.profileFails = nil, nil, nil, nil, nil
}

// Script installs fn, consulted for every request that passed the fake's
// checks: a non-nil Response is answered instead of the normal one (and a
// message so answered is not recorded as sent). nil removes the script.
// fn runs without the fake's lock held, so it may call the Fake.
func (f *Fake) Script(fn func(Request) *Response) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.script = fn
}

// FailNext makes the next n valid sends (Messenger or WhatsApp) fail with
// Meta's error JSON: HTTP status, code, subcode (0 for none) and message, e.g.
//
//	FailNext(1, 429, 4, 0, "(#4) Application request limit reached")
//	FailNext(1, 400, 10, 2018278, "(#10) This message is sent outside of allowed window.")
//	FailNext(2, 500, 2, 0, "An unexpected error has occurred. Please retry your request later.")
//	FailNext(1, 400, 131047, 0, "(#131047) Re-engagement message")
//
// WhatsApp sends get error_data with the message as details.
func (f *Fake) FailNext(n int, status, code, subcode int, message string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := 0; i < n; i++ {
		f.fails = append(f.fails, &Response{Status: status, errSpec: &errSpec{code: code, subcode: subcode, message: message}})
	}
}
