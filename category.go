package banklink

// Category is a class of failure shared by all providers. Match it with
// errors.Is(err, banklink.ErrNotFound): every error the SDK returns
// reports its category that way, whatever the provider. The zero
// Category ("") matches nothing. Provider packages declare a few more
// (fintiv.ErrPasswordChangeRequired, merchant.ErrIndeterminate, …).
type Category string

// The error categories. ErrSessionExpired also matches ErrUnauthorized.
//
// ErrUnauthorized, ErrSessionExpired and ErrReauthRequired mean that a
// server refused credentials or a token, and nothing else: an outage
// during a login or a refresh (no connection, a timeout, a 5xx, a 404 on
// the token endpoint) keeps its own category, and the session is kept for
// the next call.
const (
	// ErrUnauthorized: the server refused the credentials or token (401).
	ErrUnauthorized Category = "unauthorized"
	// ErrSessionExpired: the server refused the session's renewal (the
	// refresh token, then the stored credentials, or there were none to
	// log in with). Calls carrying a session whose refresh was refused,
	// with nothing to log in with, fail at once with the same error.
	ErrSessionExpired Category = "session expired"
	// ErrForbidden: the credentials are valid but not allowed this call (403).
	ErrForbidden Category = "forbidden"
	// ErrNotFound: the resource (account, user, route) does not exist.
	ErrNotFound Category = "not found"
	// ErrInvalidRequest: the request was refused as invalid, by the server
	// or by the client's own checks before anything was sent (then the
	// *Error has no StatusCode).
	ErrInvalidRequest Category = "invalid request"
	// ErrInvalidConfig: a client could not be built from its options (a
	// missing credential, a base URL that is not a URL, an option of
	// another provider). It comes as a *ConfigError from New.
	ErrInvalidConfig Category = "invalid configuration"
	// ErrRateLimited: the server asked the client to slow down (429).
	ErrRateLimited Category = "rate limited"
	// ErrServerError: the server answered, and failed (5xx, a provider
	// failure code, an answer of the wrong shape or a 1xx).
	ErrServerError Category = "server error"
	// ErrUnavailable: no answer came: the server could not be reached
	// (connection refused or reset, DNS, TLS), or did not answer within
	// the per-attempt, stall or call timeout. It comes as a *CallError.
	ErrUnavailable Category = "unavailable"
	// ErrRetriesExhausted: every attempt the retry policy allowed failed.
	// It comes as a *RetriesExhaustedError, which unwraps to the last
	// attempt's error (and so matches its category too).
	ErrRetriesExhausted Category = "retries exhausted"
	// ErrRetryBudgetExhausted: a retry the policy allowed was not made,
	// because the client's retry budget (WithRetryBudget) is spent: many
	// calls failed lately. The error also matches the last attempt's
	// error. Unlike ErrRetriesExhausted, this call was not tried as often
	// as its policy allows.
	ErrRetryBudgetExhausted Category = "retry budget exhausted"
	// ErrResponseTooLarge: a response body exceeded the configured limit
	// (WithMaxResponseBytes).
	ErrResponseTooLarge Category = "response too large"
	// ErrInsecureURL: a base URL would send credentials over plain http to
	// a host that is not this machine (see WithInsecureHTTP). It comes
	// from New, inside a *ConfigError.
	ErrInsecureURL Category = "insecure URL"
	// ErrRedirectRefused: the server redirected to another origin, where
	// the SDK never sends credentials.
	ErrRedirectRefused Category = "redirect refused"
	// ErrLeaseBusy: a SessionStore's renewal lease is held by another
	// client; the SDK waits for that renewal instead of running its own.
	ErrLeaseBusy Category = "lease busy"
	// ErrVersionConflict: a SessionStore holds a newer session than the
	// one a compare-and-swap expected; the SDK adopts the newer one.
	ErrVersionConflict Category = "version conflict"
	// ErrLeaseLost: a SessionStore refused a write or an extension made
	// under a renewal lease that another holder has taken since (or that
	// expired); the SDK then adopts what the store holds.
	ErrLeaseLost Category = "lease lost"
	// ErrSessionUnreadable: a SessionStore holds a value for the key that
	// cannot be read (sealed with another key, corrupt); the SDK treats it
	// as nothing stored and replaces it under the renewal lease.
	ErrSessionUnreadable Category = "session unreadable"
	// ErrReauthRequired: the session is over and only a person can start a
	// new one (e.g. Fintract's login needs an OTP and no OTP callback is
	// configured). It comes wrapped in a *SessionExpiredError.
	ErrReauthRequired Category = "re-authentication required"
)

// Error returns the category's name, so a Category is an error itself
// and a target for errors.Is.
func (c Category) Error() string { return string(c) }

// Is reports whether c belongs to target: a session that expired is also
// a failure to authorise.
func (c Category) Is(target error) bool {
	return c == ErrSessionExpired && target == ErrUnauthorized
}

// matches reports whether an error of category kind belongs to target.
func (c Category) matches(target error) bool {
	return c != "" && (c == target || c.Is(target))
}
