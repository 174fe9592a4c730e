package helpdesk

import (
	"errors"
	"fmt"
)

// Error codes: the one vocabulary every layer speaks. httpjson maps them to
// HTTP status in a single table; nothing else should switch on them.
const (
	EInvalid      = "invalid"             // the caller sent something wrong
	ENotFound     = "not_found"           // the thing does not exist (or is not visible)
	EConflict     = "conflict"            // a concurrent change or a duplicate won
	EPrecondition = "precondition_failed" // the caller's If-Match names a version the thing no longer has
	EForbidden    = "forbidden"           // authenticated, but not allowed
	EUnauthorised = "unauthorised"        // no or bad credentials / signature
	ETooLarge     = "too_large"           // the request body is over its limit
	EUnsupported  = "unsupported"         // a media type we do not accept
	EUnavailable  = "unavailable"         // a dependency is down; the caller should retry
	EInternal     = "internal"            // our fault; details are logged, never sent
)

// ErrNotFound: the thing asked for does not exist. Stores return it (wrapped
// with context), so callers compare with errors.Is whatever the store.
var ErrNotFound = &Error{Code: ENotFound, Reason: "not_found", Message: "not found"}

// Error is a domain error: a code from the vocabulary above, a machine-readable
// reason (e.g. "email_required") and a message safe to show the caller.
type Error struct {
	Code    string
	Reason  string
	Message string
}

func (e *Error) Error() string {
	if e.Reason != "" {
		return fmt.Sprintf("%s (%s): %s", e.Code, e.Reason, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and reason.
func Errorf(code, reason, format string, args ...any) *Error {
	return &Error{Code: code, Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EInternal for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorReason returns the reason of the first *Error in err's chain.
func ErrorReason(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// ErrorMessage returns a message safe to show a caller: the *Error's own message,
// or a generic one so internal details never leak.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// IsCode reports whether err carries the given code.
func IsCode(err error, code string) bool { return ErrorCode(err) == code }
