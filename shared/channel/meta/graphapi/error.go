package graphapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

// Error is a refusal from the Graph API: Meta's error payload
//
//	{"error":{"message":..., "type":..., "code":N, "error_subcode":N,
//	 "error_data":{"messaging_product":"whatsapp","details":...},
//	 "is_transient":bool, "fbtrace_id":...}}
//
// or, for a body that is not that JSON, the HTTP status and the start of the body.
type Error struct {
	HTTPStatus int
	Code       int // Meta's error code, e.g. 10, 100, 190, 131047; 0 for a non-JSON body
	Subcode    int // error_subcode, e.g. 2018278; 0 when absent
	Type       string
	Message    string
	Details    string // error_data.details (WhatsApp), or error_data when it is a string
	TraceID    string // fbtrace_id: quote it when asking Meta for support
	Transient  bool   // is_transient, when Meta says so
}

// Error renders e.g. "graph api: (#10/2018278) This message is sent outside of allowed window. [fbtrace AbC]".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("graph api: ")
	switch {
	case e.Code != 0 && e.Subcode != 0:
		fmt.Fprintf(&b, "(#%d/%d) ", e.Code, e.Subcode)
	case e.Code != 0:
		fmt.Fprintf(&b, "(#%d) ", e.Code)
	default:
		fmt.Fprintf(&b, "HTTP %d: ", e.HTTPStatus)
	}
	b.WriteString(e.Message)
	if e.Details != "" && e.Details != e.Message {
		b.WriteString(": ")
		b.WriteString(e.Details)
	}
	if e.TraceID != "" {
		fmt.Fprintf(&b, " [fbtrace %s]", e.TraceID)
	}
	return b.String()
}

// codePrefix matches the "(#100) " Meta puts in front of many messages;
// Error() writes its own, with the subcode.
var codePrefix = regexp.MustCompile(`^\(#[0-9]+\)\s*`)

// maxRawMessage bounds how much of a non-JSON error body lands in Message.
const maxRawMessage = 200

type wireError struct {
	Error *struct {
		Message     string          `json:"message"`
		Type        string          `json:"type"`
		Code        int             `json:"code"`
		Subcode     int             `json:"error_subcode"`
		ErrorData   json.RawMessage `json:"error_data"`
		IsTransient bool            `json:"is_transient"`
		TraceID     string          `json:"fbtrace_id"`
	} `json:"error"`
}

// parseError turns a non-2xx answer into *Error. It never fails: a body that
// is not Meta's error JSON still gives an *Error with the HTTP status.
func parseError(status int, body []byte) *Error {
	var w wireError
	if err := json.Unmarshal(body, &w); err == nil && w.Error != nil && (w.Error.Code != 0 || w.Error.Message != "") {
		e := &Error{
			HTTPStatus: status,
			Code:       w.Error.Code,
			Subcode:    w.Error.Subcode,
			Type:       w.Error.Type,
			Message:    codePrefix.ReplaceAllString(w.Error.Message, ""),
			TraceID:    w.Error.TraceID,
			Transient:  w.Error.IsTransient,
		}
		e.Details = errorDetails(w.Error.ErrorData)
		return e
	}
	msg := strings.TrimSpace(string(body))
	if msg == "" {
		msg = http.StatusText(status)
	}
	return &Error{HTTPStatus: status, Message: helpdesk.TruncateBytes(msg, maxRawMessage, helpdesk.Ellipsis)}
}

// errorDetails reads error_data, which WhatsApp sends as an object with
// "details" and some other endpoints as a plain string.
func errorDetails(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var obj struct {
		Details string `json:"details"`
	}
	if json.Unmarshal(raw, &obj) == nil {
		return obj.Details
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return ""
}

// retryableCodes are Meta's codes for throttling and temporary trouble
// (Graph API "Handling Errors", Messenger and WhatsApp Cloud API error codes):
//
//	1 API Unknown, 2 API Service (temporary, downtime),
//	4 app, 17 user, 32 page, 613 hourly call limits, 341 application limit reached,
//	1200 Messenger "Temporary send message failure",
//	80007 WhatsApp Business Account rate limit, 130429 Cloud API throughput,
//	131016 service unavailable, 133004 server temporarily unavailable,
//	131048 spam rate limit, 131056 (business, consumer) pair rate limit.
//
// Deliberately absent: 368 "temporarily blocked for policies violations" —
// such blocks last days, and hammering a blocked account only prolongs it —
// and every code that says the request itself is wrong or not allowed (10,
// 100, 190, 200-299, 551, 131026, 131047, 131051, 132000...).
var retryableCodes = map[int]bool{
	1: true, 2: true, 4: true, 17: true, 32: true, 341: true, 613: true,
	1200:   true,
	80007:  true,
	130429: true, 131016: true, 131048: true, 131056: true, 133004: true,
}

// Retryable reports whether err is worth another attempt later: transport
// failures and timeouts, HTTP 429 and 5xx answers, Meta's throttling and
// temporary codes, and errors Meta marks is_transient. A cancellation by the
// caller (context.Canceled) is not retryable, nor is a validation error or
// any other refusal.
//
// A timeout is retryable even though the message may have reached Meta:
// the outbound queue prefers a rare duplicate to a lost reply.
func Retryable(err error) bool {
	if err == nil || errors.Is(err, context.Canceled) {
		return false
	}
	var ge *Error
	if errors.As(err, &ge) {
		return ge.Transient || retryableCodes[ge.Code] ||
			ge.HTTPStatus == http.StatusTooManyRequests || ge.HTTPStatus >= 500
	}
	var te *TransportError
	return errors.As(err, &te)
}
