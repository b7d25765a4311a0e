// Package errs gives the SDK's internal packages the public error
// vocabulary of the root banklink package under short names, and the
// helpers that classify answers. The types are the root package's own:
// these are aliases, never new types.
package errs

import (
	"errors"

	"github.com/banklink/banklink-go"
)

// Aliases of the root package's error types.
type (
	Category              = banklink.Category
	Error                 = banklink.Error
	ResponseInfo          = banklink.ResponseInfo
	CallError             = banklink.CallError
	RetriesExhaustedError = banklink.RetriesExhaustedError
	SessionExpiredError   = banklink.SessionExpiredError
	ConfigError           = banklink.ConfigError
)

// The categories, as the root package declares them.
const (
	ErrUnauthorized         = banklink.ErrUnauthorized
	ErrSessionExpired       = banklink.ErrSessionExpired
	ErrForbidden            = banklink.ErrForbidden
	ErrNotFound             = banklink.ErrNotFound
	ErrInvalidRequest       = banklink.ErrInvalidRequest
	ErrInvalidConfig        = banklink.ErrInvalidConfig
	ErrRateLimited          = banklink.ErrRateLimited
	ErrServerError          = banklink.ErrServerError
	ErrRetriesExhausted     = banklink.ErrRetriesExhausted
	ErrRetryBudgetExhausted = banklink.ErrRetryBudgetExhausted
	ErrResponseTooLarge     = banklink.ErrResponseTooLarge
	ErrInsecureURL          = banklink.ErrInsecureURL
	ErrRedirectRefused      = banklink.ErrRedirectRefused
	ErrReauthRequired       = banklink.ErrReauthRequired
	ErrUnavailable          = banklink.ErrUnavailable
)

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

// Invalid is input a client's checks refused before anything was sent.
func Invalid(provider, op, field, msg string) *Error {
	return &Error{
		Provider:    provider,
		Op:          op,
		Category:    ErrInvalidRequest,
		Message:     field + ": " + msg,
		FieldErrors: map[string][]string{field: {msg}},
	}
}

// Config is a client New could not build.
func Config(provider string, err error) *ConfigError {
	return &ConfigError{Provider: provider, Err: err}
}

// CategoryOf returns the category err belongs to, most specific first
// ("" for nil, or for an error of none, such as the caller's own
// cancellation).
func CategoryOf(err error) Category {
	if err == nil {
		return ""
	}
	for _, c := range [...]Category{ErrSessionExpired, ErrReauthRequired} {
		if errors.Is(err, c) {
			return c
		}
	}
	var e *Error
	if errors.As(err, &e) && e.Category != "" {
		return e.Category
	}
	var ce *CallError
	if errors.As(err, &ce) && ce.Category != "" {
		return ce.Category
	}
	for _, c := range [...]Category{ErrUnauthorized, ErrForbidden, ErrNotFound, ErrInvalidRequest, ErrInvalidConfig,
		ErrRateLimited, ErrServerError, ErrUnavailable, ErrResponseTooLarge, ErrInsecureURL, ErrRedirectRefused, ErrRetriesExhausted} {
		if errors.Is(err, c) {
			return c
		}
	}
	return ""
}

// Categorized is an error of category cat that reads as msg alone: one
// category per message (a *ConfigError already says "invalid
// configuration").
func Categorized(cat Category, msg string) error { return &categorized{cat: cat, msg: msg} }

type categorized struct {
	cat Category
	msg string
}

func (e *categorized) Error() string        { return e.msg }
func (e *categorized) Is(target error) bool { return target == e.cat }
