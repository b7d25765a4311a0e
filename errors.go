package banklink

import "github.com/banklink/banklink-go/internal/errs"

// Category is a class of failure shared by all providers. Match it with
// errors.Is; each provider's *Error reports its category.
type Category = errs.Category

// The error categories. A *SessionExpiredError and ErrSessionExpired also
// match ErrUnauthorized.
//
// ErrUnauthorized, ErrSessionExpired and ErrReauthRequired mean that a
// server refused credentials or a token, and nothing else: an outage
// during a login or a refresh (no connection, a timeout, a 5xx, a 404 on
// the token endpoint) keeps its own category, and the session is kept for
// the next call.
const (
	// ErrUnauthorized: the server refused the credentials or token (401).
	ErrUnauthorized = errs.ErrUnauthorized
	// ErrSessionExpired: the server refused the session's renewal (the
	// refresh token, then the stored credentials, or there were none to
	// log in with). Calls carrying a session whose refresh was refused,
	// with nothing to log in with, fail at once with the same error.
	ErrSessionExpired = errs.ErrSessionExpired
	// ErrForbidden: the credentials are valid but not allowed this call (403).
	ErrForbidden = errs.ErrForbidden
	// ErrNotFound: the resource (account, user, route) does not exist.
	ErrNotFound = errs.ErrNotFound
	// ErrInvalidRequest: the request was refused as invalid, by the server or
	// by the client's own checks before anything was sent.
	ErrInvalidRequest = errs.ErrInvalidRequest
	// ErrRateLimited: the server asked the client to slow down (429).
	ErrRateLimited = errs.ErrRateLimited
	// ErrServerError: the server answered, and failed (5xx, a provider
	// failure code, an answer of the wrong shape or a 1xx).
	ErrServerError = errs.ErrServerError
	// ErrUnavailable: no answer came: the server could not be reached
	// (connection refused or reset, DNS, TLS), or did not answer within
	// the per-attempt, stall or call timeout. It comes as a *CallError.
	ErrUnavailable = errs.ErrUnavailable
	// ErrRetriesExhausted: every attempt the retry policy allowed failed.
	ErrRetriesExhausted = errs.ErrRetriesExhausted
	// ErrResponseTooLarge: a response body exceeded the configured limit.
	ErrResponseTooLarge = errs.ErrResponseTooLarge
	// ErrInsecureURL: a base URL would send credentials over plain http to
	// a host that is not this machine.
	ErrInsecureURL = errs.ErrInsecureURL
	// ErrRedirectRefused: the server redirected to another origin.
	ErrRedirectRefused = errs.ErrRedirectRefused
	// ErrReauthRequired: the session is over and only a person can start a
	// new one (e.g. Fintract's login needs an OTP and no OTP callback is
	// configured). It comes wrapped in a *SessionExpiredError.
	ErrReauthRequired = errs.ErrReauthRequired
)

// RetriesExhaustedError is returned when every allowed attempt failed; it
// unwraps to the last attempt's error.
type RetriesExhaustedError = errs.RetriesExhaustedError

// SessionExpiredError is returned when a session could not be renewed; it
// unwraps to the renewal's failure.
type SessionExpiredError = errs.SessionExpiredError

// CallError is a call that ended without an answer a provider could
// decode: input refused before sending (ErrInvalidRequest), no answer
// (ErrUnavailable), or the caller's own cancellation or deadline (no
// category; it matches context.Canceled or context.DeadlineExceeded). It
// names the provider, operation, method, path and attempts, and unwraps
// to the cause.
type CallError = errs.CallError

// ResponseInfo is what every provider error records about the HTTP exchange.
type ResponseInfo = errs.ResponseInfo
