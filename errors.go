package banklink

import "github.com/banklink/banklink-go/internal/errs"

// Category is a class of failure shared by all providers. Match it with
// errors.Is; each provider's *Error reports its category.
type Category = errs.Category

// The error categories. A *SessionExpiredError and ErrSessionExpired also
// match ErrUnauthorized.
const (
	// ErrUnauthorized: the server refused the credentials or token (401).
	ErrUnauthorized = errs.ErrUnauthorized
	// ErrSessionExpired: the session could not be renewed (refresh refused
	// and no new login possible, or the new login failed).
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
	// ErrServerError: the server failed (5xx, or a provider failure code).
	ErrServerError = errs.ErrServerError
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

// ResponseInfo is what every provider error records about the HTTP exchange.
type ResponseInfo = errs.ResponseInfo
