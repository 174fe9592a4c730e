package graphfake

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Response is a scripted answer. Build error answers with ErrorResponse (or
// the presets below) so they carry Meta's error JSON; or set Status, Header
// and Body by hand for odd cases (an HTML 502, an empty 200).
type Response struct {
	Status int
	Header http.Header
	Body   []byte

	errSpec *errSpec // rendered per request: fbtrace id, WhatsApp error_data
}

type errSpec struct {
	code, subcode int
	typ           string
	message       string
	details       string // WhatsApp error_data.details; message when empty
	transient     bool
}

// ErrorResponse is Meta's error JSON with the given HTTP status, code,
// subcode (0: none) and message. Answered to a WhatsApp request it also
// carries error_data {"messaging_product":"whatsapp","details":message}.
func ErrorResponse(status, code, subcode int, message string) *Response {
	return &Response{Status: status, errSpec: &errSpec{code: code, subcode: subcode, message: message}}
}

// Documented failures the help desk must handle.

// RateLimited is "(#4) Application request limit reached" (HTTP 429).
func RateLimited() *Response {
	return ErrorResponse(http.StatusTooManyRequests, 4, 0, "(#4) Application request limit reached")
}

// Unavailable is Meta's temporary "(#2) Service temporarily unavailable" (HTTP 503, is_transient).
func Unavailable() *Response {
	r := ErrorResponse(http.StatusServiceUnavailable, 2, 0, "(#2) Service temporarily unavailable")
	r.errSpec.transient = true
	return r
}

// OutsideWindow is Messenger's refusal of a message outside the allowed window.
func OutsideWindow() *Response {
	return ErrorResponse(http.StatusBadRequest, 10, 2018278, "(#10) This message is sent outside of allowed window.")
}

// ReEngagement is WhatsApp's refusal of a free-form message more than 24 h
// after the customer's last message.
func ReEngagement() *Response {
	r := ErrorResponse(http.StatusBadRequest, 131047, 0, "(#131047) Re-engagement message")
	r.errSpec.details = "Message failed to send because more than 24 hours have passed since the customer last replied to this number."
	return r
}

// Undeliverable is WhatsApp's 131026 "Message undeliverable".
func Undeliverable() *Response {
	r := ErrorResponse(http.StatusBadRequest, 131026, 0, "(#131026) Message undeliverable")
	r.errSpec.details = "Message Undeliverable."
	return r
}

type wireErr struct {
	Error wireErrBody `json:"error"`
}

type wireErrBody struct {
	Message     string       `json:"message"`
	Type        string       `json:"type"`
	Code        int          `json:"code"`
	Subcode     int          `json:"error_subcode,omitempty"`
	ErrorData   *wireErrData `json:"error_data,omitempty"`
	IsTransient bool         `json:"is_transient,omitempty"`
	TraceID     string       `json:"fbtrace_id"`
}

type wireErrData struct {
	MessagingProduct string `json:"messaging_product"`
	Details          string `json:"details"`
}

// errorJSON renders e as Meta's error payload for a request of the given kind.
func (f *Fake) errorJSON(kind string, e *errSpec) []byte {
	typ := e.typ
	if typ == "" {
		typ = "OAuthException"
	}
	we := wireErr{Error: wireErrBody{
		Message: e.message, Type: typ, Code: e.code, Subcode: e.subcode,
		IsTransient: e.transient, TraceID: f.traceID(),
	}}
	if kind == KindWhatsApp || kind == KindMedia || kind == KindMediaDownload {
		d := e.details
		if d == "" {
			d = e.message
		}
		we.Error.ErrorData = &wireErrData{MessagingProduct: "whatsapp", Details: d}
	}
	b, _ := json.Marshal(we)
	return b
}

func (f *Fake) traceID() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq.trace++
	return fmt.Sprintf("FakeTrace%d", f.seq.trace)
}

// Errors the fake's checks answer with (Meta's documented codes).

func invalidParam(format string, args ...any) *Response {
	return ErrorResponse(http.StatusBadRequest, 100, 0, "(#100) "+fmt.Sprintf(format, args...))
}

// waInvalidParam is the Cloud API form: a generic title, the specifics in details.
func waInvalidParam(format string, args ...any) *Response {
	r := ErrorResponse(http.StatusBadRequest, 100, 0, "(#100) Invalid parameter")
	r.errSpec.details = fmt.Sprintf(format, args...)
	return r
}

func badToken(why string) *Response {
	return ErrorResponse(http.StatusUnauthorized, 190, 0, "Invalid OAuth access token - "+why)
}

func unknownObject(method, id string) *Response {
	r := ErrorResponse(http.StatusBadRequest, 100, 33, fmt.Sprintf(
		"Unsupported %s request. Object with ID '%s' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api",
		method, id))
	r.errSpec.typ = "GraphMethodException"
	return r
}

func unknownPath(path string) *Response {
	return ErrorResponse(http.StatusBadRequest, 2500, 0, "Unknown path components: "+path)
}
