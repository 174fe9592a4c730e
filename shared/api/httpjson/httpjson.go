// Package httpjson writes JSON responses and maps the helpdesk error
// vocabulary to HTTP status codes, in one table, for every HTTP surface.
package httpjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/stackdesk/stackdesk/shared/helpdesk"
)

var statusByCode = map[string]int{
	helpdesk.EInvalid:      http.StatusBadRequest,
	helpdesk.ENotFound:     http.StatusNotFound,
	helpdesk.EConflict:     http.StatusConflict,
	helpdesk.EPrecondition: http.StatusPreconditionFailed,
	helpdesk.EForbidden:    http.StatusForbidden,
	helpdesk.EUnauthorised: http.StatusUnauthorized,
	helpdesk.ETooLarge:     http.StatusRequestEntityTooLarge,
	helpdesk.EUnsupported:  http.StatusUnsupportedMediaType,
	helpdesk.EUnavailable:  http.StatusServiceUnavailable,
	helpdesk.EInternal:     http.StatusInternalServerError,
}

// Status returns the HTTP status for an error code.
func Status(code string) int {
	if s, ok := statusByCode[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// ErrorBody is the JSON shape of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail carries the code, a machine-readable reason and a safe message.
type ErrorDetail struct {
	Code    string `json:"code"`
	Reason  string `json:"reason,omitempty"`
	Message string `json:"message"`
}

// ReadCapped reads the whole body, up to limit bytes (413 beyond).
func ReadCapped(r *http.Request, limit int64) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, limit))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, helpdesk.Errorf(helpdesk.ETooLarge, "body_too_large", "the body is over %d bytes", limit)
		}
		return nil, helpdesk.Errorf(helpdesk.EInvalid, "unreadable_body", "could not read the body: %v", err)
	}
	return body, nil
}

// ReadJSON decodes a JSON body of at most limit bytes into v, refusing
// unknown fields and trailing data, with the offending field named.
func ReadJSON(r *http.Request, limit int64, v any) error {
	body, err := ReadCapped(r, limit)
	if err != nil {
		return err
	}
	return decode(body, v)
}

func decode(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return helpdesk.Errorf(helpdesk.EInvalid, "invalid_field", "field %q: want %s", typeErr.Field, typeErr.Type)
		}
		return helpdesk.Errorf(helpdesk.EInvalid, "invalid_json", "the body is not the expected JSON: %v", err)
	}
	// Only white space may follow: More is false before a stray ']' or '}'.
	if _, err := dec.Token(); err != io.EOF {
		return helpdesk.Errorf(helpdesk.EInvalid, "invalid_json", "the body has data after its JSON value")
	}
	return nil
}

// Write sends v as JSON with the given status.
func Write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Error sends err as an error response. Internal errors are logged with their
// detail and answered with a generic message; unavailable ones ask the caller
// to retry. Every error is logged once, here.
func Error(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	code := helpdesk.ErrorCode(err)
	status := Status(code)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	log.Log(r.Context(), level, "request failed", "method", r.Method, "path", r.URL.Path,
		"status", status, "code", code, "reason", helpdesk.ErrorReason(err), "error", err)
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "5")
	}
	Write(w, status, ErrorBody{Error: ErrorDetail{Code: code, Reason: helpdesk.ErrorReason(err), Message: helpdesk.ErrorMessage(err)}})
}
