package banklink

import (
	"context"
	"errors"
	"strconv"
)

// CallError is a call that ended without an answer a provider could
// decode: not delivered (connection refused, DNS, TLS, reset), cut off by
// a timeout, cancelled by the caller, or answered with something that is
// not an HTTP answer (a 1xx). It names the provider, the operation, the
// request and how many attempts were sent, and unwraps to the cause, so
// errors.Is(err, context.DeadlineExceeded) and errors.As(err, *net.OpError)
// work as they would on the cause itself.
type CallError struct {
	// Provider and Op name the client and the operation, as in *Error.
	Provider string
	Op       string
	// Method and Path are the request's; Path never holds the query string.
	Method string
	Path   string
	// Attempts is how many requests were sent; 0 when refused before sending.
	Attempts int
	// Category is the failure's class: ErrUnavailable when the server could not be
	// reached or gave no answer in time (any bound: the SDK's call,
	// per-call, attempt or stall timeout, or the caller's own context
	// deadline; all of them also match context.DeadlineExceeded),
	// ErrInvalidRequest for a request refused before sending; empty for
	// the caller's own cancellation (match context.Canceled).
	Category Category
	// Err is the cause.
	Err error
}

// Error reads "dfcu loans: GET /loans/x/: no answer after 2 attempts: <cause>".
func (e *CallError) Error() string {
	b := make([]byte, 0, 96)
	b = append(b, e.Provider...)
	if e.Op != "" {
		b = append(b, ' ')
		b = append(b, e.Op...)
	}
	b = append(b, ": "...)
	if e.Method != "" {
		b = append(b, e.Method...)
		b = append(b, ' ')
		b = append(b, e.Path...)
		b = append(b, ": "...)
	}
	switch {
	case e.Attempts == 0 && e.Category == ErrInvalidRequest:
		b = append(b, "refused before sending: "...)
	case e.Attempts == 0:
	case errors.Is(e.Err, context.Canceled):
		b = append(b, "cancelled after "...)
		b = appendAttempts(b, e.Attempts)
		b = append(b, ": "...)
	default:
		b = append(b, "no answer after "...)
		b = appendAttempts(b, e.Attempts)
		b = append(b, ": "...)
	}
	if e.Err != nil {
		b = append(b, e.Err.Error()...)
	}
	return string(b)
}

func appendAttempts(b []byte, n int) []byte {
	b = strconv.AppendInt(b, int64(n), 10)
	if n == 1 {
		return append(b, " attempt"...)
	}
	return append(b, " attempts"...)
}

// Unwrap returns the cause.
func (e *CallError) Unwrap() error { return e.Err }

// Is reports whether e belongs to the category target.
func (e *CallError) Is(target error) bool { return e.Category.matches(target) }

// Timeout reports whether the call ended because time ran out (a
// per-attempt, stall or call timeout, or the caller's deadline).
func (e *CallError) Timeout() bool {
	var t interface{ Timeout() bool }
	return errors.Is(e.Err, context.DeadlineExceeded) || (errors.As(e.Err, &t) && t.Timeout())
}

// RetriesExhaustedError is returned when every attempt the retry policy
// allowed has failed. It unwraps to the last attempt's error, so the
// *Error or *CallError of that attempt stays reachable with errors.As and
// its category with errors.Is.
type RetriesExhaustedError struct {
	// Attempts is how many requests were sent, the first one included.
	Attempts int
	// Last is the last attempt's error.
	Last error
}

// Error describes the attempts and the last failure.
func (e *RetriesExhaustedError) Error() string {
	b := appendAttempts([]byte("gave up after "), e.Attempts)
	if e.Last != nil {
		b = append(b, ": "...)
		b = append(b, e.Last.Error()...)
	}
	return string(b)
}

// Unwrap returns the last attempt's error.
func (e *RetriesExhaustedError) Unwrap() error { return e.Last }

// Is matches ErrRetriesExhausted.
func (e *RetriesExhaustedError) Is(target error) bool { return target == ErrRetriesExhausted }

// SessionExpiredError is returned when an authenticated call could not get
// a valid token: the refresh was refused and a new login was impossible
// or refused. Err is the last failure of that renewal (often an *Error).
type SessionExpiredError struct {
	// Err is the renewal's failure; nil when there was nothing to renew with.
	Err error
}

// Error describes the renewal failure.
func (e *SessionExpiredError) Error() string {
	if e.Err == nil {
		return "session expired"
	}
	return "session expired: " + e.Err.Error()
}

// Unwrap returns the renewal failure.
func (e *SessionExpiredError) Unwrap() error { return e.Err }

// Is matches ErrSessionExpired and, through it, ErrUnauthorized.
func (e *SessionExpiredError) Is(target error) bool {
	return target == ErrSessionExpired || target == ErrUnauthorized
}

// ConfigError is a client that New could not build: a missing or
// malformed option, a missing credential, an option of another provider.
// It matches ErrInvalidConfig, and unwraps to the causes (one error, or
// several joined), so an insecure base URL also matches ErrInsecureURL.
type ConfigError struct {
	// Provider is the provider package whose New refused the options.
	Provider string
	// Err is the cause: the options' errors, joined.
	Err error
}

// Error reads "dfcu: invalid configuration: <cause>".
func (e *ConfigError) Error() string {
	s := e.Provider + ": invalid configuration"
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the cause.
func (e *ConfigError) Unwrap() error { return e.Err }

// Is matches ErrInvalidConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }
