package banklink

import (
	"net/http"
	"strconv"
	"time"
)

// Error is what every provider returns when a server answered with a
// failure, or when the client's own checks refused the input before
// anything was sent (then StatusCode is 0 and Category is ErrInvalidRequest).
// It is the one errors.As target for API failures of every provider:
//
//	var e *banklink.Error
//	if errors.As(err, &e) {
//		log.Printf("%s %s: %d %s (code %q, request %s)", e.Provider, e.Op, e.StatusCode, e.Message, e.Code, e.RequestID)
//	}
//
// Match its category with errors.Is(err, banklink.ErrNotFound) and
// friends. It never holds a token, a password, an OTP, a PIN, an API key
// or a request body: messages and the snippet are redacted before they
// are stored.
//
// Failures without an answer (no connection, a timeout, the caller's
// cancellation) are a *CallError instead; a call that used up its retries
// is a *RetriesExhaustedError wrapping the last attempt's error.
type Error struct {
	// Provider is the provider package: "dfcu", "fintract", "fintiv" or
	// "merchant".
	Provider string
	// Op is the operation, e.g. "loans", "login", "nip_account".
	Op string
	// Category is the failure's class; empty for a business answer the client does
	// not recognise (it then matches no category).
	Category Category
	// Code is the provider's machine code, when it sent one: simplejwt's
	// "token_not_valid", Fintiv's statusCode ("VALIDATION"), a NIP
	// responseCode ("07").
	Code string
	// Message is the server's message, from whichever key it used, or an
	// HTML page's title; for a check made before sending, what was wrong.
	Message string
	// FieldErrors are per-field messages, field name → messages: a
	// server's serializer errors, or the client's own input checks. Nil
	// when there are none.
	FieldErrors map[string][]string

	ResponseInfo

	// Detail is provider-specific detail, nil when there is none: a
	// *fintiv.ErrorDetail for the Fintiv service. Its package documents it.
	Detail any
}

// ResponseInfo is the metadata of an HTTP answer, the one type for it: an
// *Error embeds that of the answer it reports, and CallOptions.Capture
// receives that of each call's final answer. It never holds a request
// body, a query string or a credential: an *Error keeps no header but the
// request id (Header is nil there), a capture's headers come without the
// credential headers and with any secret of the client's or the call's
// masked.
type ResponseInfo struct {
	// StatusCode is the HTTP status; 0 when no request was sent (or, in a
	// capture, when no answer came).
	StatusCode int
	// Method and Path are the request's method and URL path (never its
	// query string, which may hold a token).
	Method string
	Path   string
	// RequestID is the server's request id header (X-Request-Id,
	// X-Correlation-Id, Request-Id or X-Amzn-Requestid), bounded to 128
	// bytes; empty when the server sent none.
	RequestID string
	// Snippet is the start of the response body, redacted and bounded
	// (512 bytes); for a Django debug page, its first line only. Empty in
	// a capture.
	Snippet string
	// RetryAfter is the server's Retry-After, when it sent one.
	RetryAfter time.Duration
	// Header is the answer's headers, in a capture only, without those
	// that carry credentials (X-Access-Token, X-Refresh-Token,
	// Set-Cookie, Authorization) and with secrets masked in the rest; nil
	// in an *Error and when no answer came.
	Header http.Header
	// Attempts is how many requests the call had sent when this answer
	// came (replays after a renewal counted in their own call); 0 for a
	// check made before sending.
	Attempts int
}

// Error reads "dfcu loans: POST /api/accounts/loans/: 404: Account not
// found (code not_found)"; a check made before sending reads "dfcu loans:
// invalid request: account: an account number is required".
func (e *Error) Error() string {
	message := e.Message
	if message == "" {
		message = e.Snippet
	}
	b := make([]byte, 0, 64+len(message))
	b = append(b, e.Provider...)
	if e.Op != "" {
		b = append(b, ' ')
		b = append(b, e.Op...)
	}
	b = append(b, ": "...)
	if e.StatusCode == 0 && e.Method == "" {
		if e.Category != "" {
			b = append(b, e.Category...)
			b = append(b, ": "...)
		}
	} else {
		b = append(b, e.Method...)
		b = append(b, ' ')
		b = append(b, e.Path...)
		b = append(b, ": "...)
		b = strconv.AppendInt(b, int64(e.StatusCode), 10)
		if message != "" {
			b = append(b, ": "...)
		}
	}
	b = append(b, message...)
	if e.Code != "" {
		b = append(b, " (code "...)
		b = append(b, e.Code...)
		b = append(b, ')')
	}
	return string(b)
}

// Is reports whether e belongs to the category target, by its Category or
// by its Detail (a provider's detail may add a category, as Fintiv's
// password-change flag adds fintiv.ErrPasswordChangeRequired).
func (e *Error) Is(target error) bool {
	if e.Category.matches(target) {
		return true
	}
	d, ok := e.Detail.(interface{ Is(error) bool })
	return ok && d.Is(target)
}
