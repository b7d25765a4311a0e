package errs

import (
	"fmt"
	"time"
)

// RetriesExhaustedError is returned when every attempt the retry policy
// allowed has failed. It unwraps to the last attempt's error, so the
// provider's typed error stays reachable with errors.As.
type RetriesExhaustedError struct {
	Attempts int   // requests sent, the first one included
	Last     error // the last attempt's error
}

// Error describes the attempts and the last failure.
func (e *RetriesExhaustedError) Error() string {
	return fmt.Sprintf("gave up after %d attempts: %v", e.Attempts, e.Last)
}

// Unwrap returns the last attempt's error.
func (e *RetriesExhaustedError) Unwrap() error { return e.Last }

// Is matches ErrRetriesExhausted.
func (e *RetriesExhaustedError) Is(target error) bool { return target == ErrRetriesExhausted }

// SessionExpiredError is returned when an authenticated call could not get a
// valid token: the refresh was rejected and a new login was impossible or
// failed. Err is the last failure of that renewal.
type SessionExpiredError struct {
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

// ResponseInfo is what every API error records about the exchange that
// produced it. It never holds a header value or a request body.
type ResponseInfo struct {
	StatusCode int           // HTTP status; 0 when no request was sent
	Method     string        // HTTP method
	Path       string        // URL path, without query string
	RequestID  string        // the server's request id header, if any
	Snippet    string        // the start of the response body, redacted and bounded
	RetryAfter time.Duration // the server's Retry-After, if any
}
