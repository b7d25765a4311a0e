package errs

import (
	"context"
	"errors"
	"strconv"
)

// CallError is a call that ended without an answer a provider could
// decode: refused by the client's own checks before sending, not
// delivered (connection refused, DNS, TLS, reset), cut off by a timeout,
// cancelled by the caller, or answered with something that is not an
// HTTP answer (a 1xx). It names the provider, the operation, the request
// and how many attempts were sent, and unwraps to the cause, so
// errors.Is(err, context.DeadlineExceeded) and errors.As(err, *net.OpError)
// work as they would on the cause itself.
type CallError struct {
	Provider string // "dfcu", "fintract", …
	Op       string // the operation, e.g. "loans"
	Method   string
	Path     string // URL path, never the query string
	Attempts int    // requests sent, 0 when refused before sending
	// Kind is the category: ErrUnavailable when the server could not be
	// reached or gave no answer in time, ErrInvalidRequest for input
	// refused before sending; empty for the caller's own cancellation or
	// deadline (match context.Canceled or context.DeadlineExceeded).
	Kind Category
	Err  error // the cause
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
	case e.Attempts == 0 && e.Kind == ErrInvalidRequest:
		b = append(b, "refused before sending: "...)
	case e.Attempts == 0:
	case errors.Is(e.Err, context.Canceled):
		b = append(b, "cancelled after "...)
		b = attempts(b, e.Attempts)
		b = append(b, ": "...)
	default:
		b = append(b, "no answer after "...)
		b = attempts(b, e.Attempts)
		b = append(b, ": "...)
	}
	if e.Err != nil {
		b = append(b, e.Err.Error()...)
	}
	return string(b)
}

func attempts(b []byte, n int) []byte {
	b = strconv.AppendInt(b, int64(n), 10)
	if n == 1 {
		return append(b, " attempt"...)
	}
	return append(b, " attempts"...)
}

// Unwrap returns the cause.
func (e *CallError) Unwrap() error { return e.Err }

// Is reports whether e belongs to the category target.
func (e *CallError) Is(target error) bool { return Matches(e.Kind, target) }

// Timeout reports whether the call ended because time ran out (a
// per-attempt, stall or call timeout, or the caller's deadline).
func (e *CallError) Timeout() bool {
	var t interface{ Timeout() bool }
	return errors.Is(e.Err, context.DeadlineExceeded) || (errors.As(e.Err, &t) && t.Timeout())
}
