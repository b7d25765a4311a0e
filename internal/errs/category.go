// Package errs holds the error vocabulary shared by every provider package:
// the categories callers match with errors.Is, the retries-exhausted and
// session-expired wrappers, and the response facts every API error carries.
// The public names are re-exported by the root banklink package.
package errs

import "strconv"

// Category is a class of failure shared by all providers. Categories are
// constants, so no package holds mutable error state; provider errors report
// their category through an Is method, so callers write
// errors.Is(err, banklink.ErrNotFound) whatever the provider.
type Category string

// The categories. ErrSessionExpired also matches ErrUnauthorized.
const (
	ErrUnauthorized     Category = "unauthorized"
	ErrSessionExpired   Category = "session expired"
	ErrForbidden        Category = "forbidden"
	ErrNotFound         Category = "not found"
	ErrInvalidRequest   Category = "invalid request"
	ErrRateLimited      Category = "rate limited"
	ErrServerError      Category = "server error"
	ErrRetriesExhausted Category = "retries exhausted"
	ErrResponseTooLarge Category = "response too large"
	ErrInsecureURL      Category = "insecure URL"
	ErrRedirectRefused  Category = "redirect refused"
	ErrReauthRequired   Category = "re-authentication required"
	ErrUnavailable      Category = "unavailable"
)

// Error returns the category's name.
func (c Category) Error() string { return string(c) }

// Is reports whether c belongs to target: a session that expired is also a
// failure to authorise.
func (c Category) Is(target error) bool {
	return c == ErrSessionExpired && target == ErrUnauthorized
}

// Matches reports whether an error of category kind belongs to target;
// provider errors' Is methods delegate to it.
func Matches(kind Category, target error) bool {
	return kind != "" && (kind == target || kind.Is(target))
}

// ForStatus returns the category of an HTTP status code, or "" for a status
// that belongs to none (2xx, 3xx, other 4xx).
func ForStatus(status int) Category {
	switch {
	case status == 401:
		return ErrUnauthorized
	case status == 403:
		return ErrForbidden
	case status == 404 || status == 410:
		return ErrNotFound
	case status == 429:
		return ErrRateLimited
	case status >= 500:
		return ErrServerError
	case status >= 400:
		return ErrInvalidRequest
	}
	return ""
}

// Describe renders an API error's text the same way for every provider:
// "dfcu: POST /token/: 401: No active account found (code x)". Without a
// status (a check made before sending) it reads "dfcu: invalid request: …".
func Describe(provider string, info ResponseInfo, kind Category, code, message string) string {
	if message == "" {
		message = info.Snippet
	}
	b := make([]byte, 0, 64+len(message))
	b = append(b, provider...)
	b = append(b, ": "...)
	if info.StatusCode == 0 && info.Method == "" {
		if kind != "" {
			b = append(b, kind...)
			b = append(b, ": "...)
		}
	} else {
		b = append(b, info.Method...)
		b = append(b, ' ')
		b = append(b, info.Path...)
		b = append(b, ": "...)
		b = strconv.AppendInt(b, int64(info.StatusCode), 10)
		if message != "" {
			b = append(b, ": "...)
		}
	}
	b = append(b, message...)
	if code != "" {
		b = append(b, " (code "...)
		b = append(b, code...)
		b = append(b, ')')
	}
	return string(b)
}
