package custos

import (
	"errors"
	"fmt"
)

// Kind classifies an Error by what the caller can do about it. The HTTP
// status of every API error is derived from its Kind in one table in the
// HTTP layer (package http/httperr).
type Kind int

const (
	KindInternal         Kind = iota // a fault of Custos or its dependencies
	KindInvalid                      // malformed input: fix the request
	KindUnauthorized                 // no valid credentials
	KindForbidden                    // valid credentials, insufficient role
	KindNotFound                     // no such object
	KindConflict                     // the object exists or changed meanwhile
	KindUnprocessable                // well-formed, but the policy or state refuses it
	KindTooMany                      // rate limited or locked out
	KindUnavailable                  // a dependency (database, mail) is down
	KindTooLarge                     // the request or document is over a size limit
	KindUnsupportedMedia             // the body is not in a format the endpoint reads
)

// Error is the one coded error type of Custos. Code is stable snake_case and
// part of the public contract; Message is a human sentence that never holds
// personal data.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Field   string // the offending input field, when there is one
	Err     error  // the wrapped cause; never shown to API clients
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is match coded errors by code: a sentinel such as
// ErrNotFound matches any error with its code, however it was built or
// wrapped, so callers never compare code strings.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code != "" && t.Code == e.Code
}

// Errorf builds a coded error with a formatted message.
func Errorf(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Wrap attaches a code and message to a cause.
func Wrap(err error, kind Kind, code, message string) *Error {
	return &Error{Kind: kind, Code: code, Message: message, Err: err}
}

// Common error codes. Packages add their own; these are the ones shared at
// the edges.
const (
	CodeInternal       = "internal"
	CodeMalformedJSON  = "malformed_json"
	CodeInvalidRequest = "invalid_request"
	CodeUnauthorized   = "unauthorized"
	CodeForbidden      = "forbidden"
	CodeNotFound       = "not_found"
	CodeConflict       = "conflict"
	CodeUnavailable    = "unavailable"
	CodeMethod         = "method_not_allowed"
)

// ErrNotFound is returned by stores when a lookup finds nothing.
var ErrNotFound = &Error{Kind: KindNotFound, Code: CodeNotFound, Message: "Not found."}

// AsError returns err as a coded *Error. Errors without a code become
// internal errors whose message reveals nothing of the cause.
func AsError(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Kind: KindInternal, Code: CodeInternal, Message: "An internal error occurred.", Err: err}
}

// ErrorCode returns the code of err, or "" when err is nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	return AsError(err).Code
}
