package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"unicode"

	"github.com/banklink/banklink-go"
)

// The --json convention, one for every command: standard output gets one
// JSON object whose keys are snake_case (whatever the SDK type or the
// API calls them: CustomerID and firstName alike), and a failure prints
// one object on standard error with the message, the exit code and, when
// known, the failure's category, HTTP status, provider code and request
// id.

// snakeJSON re-encodes v with every object key in snake_case.
func snakeJSON(v any) (any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return snakeKeys(out), nil
}

func snakeKeys(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[snake(k)] = snakeKeys(x)
		}
		return m
	case []any:
		for i, x := range t {
			t[i] = snakeKeys(x)
		}
	}
	return v
}

// snake turns CustomerID, firstName or access_expiry into customer_id,
// first_name and access_expiry. An environment variable's name
// (DFCU_BASE_URL, in the fake's output) stays as it is.
func snake(s string) string {
	if strings.Contains(s, "_") && strings.ToUpper(s) == s {
		return s
	}
	r := []rune(s)
	var b strings.Builder
	for i, c := range r {
		if unicode.IsUpper(c) {
			prevLower := i > 0 && (unicode.IsLower(r[i-1]) || unicode.IsDigit(r[i-1]))
			acronymEnd := i > 0 && unicode.IsUpper(r[i-1]) && i+1 < len(r) && unicode.IsLower(r[i+1])
			if prevLower || acronymEnd {
				b.WriteByte('_')
			}
			c = unicode.ToLower(c)
		}
		b.WriteRune(c)
	}
	return b.String()
}

// errorJSON is what --json prints of a failure.
func errorJSON(err error) map[string]any {
	out := map[string]any{"error": err.Error(), "exit_code": exitCode(err)}
	if cat := category(err); cat != "" {
		out["category"] = string(cat)
	}
	var e *banklink.Error
	if errors.As(err, &e) {
		if e.StatusCode != 0 {
			out["status"] = e.StatusCode
		}
		if e.Code != "" {
			out["code"] = e.Code
		}
		if e.RequestID != "" {
			out["request_id"] = e.RequestID
		}
	}
	return out
}

// category is err's most specific category, or "".
func category(err error) banklink.Category {
	for _, c := range []banklink.Category{
		banklink.ErrReauthRequired, banklink.ErrSessionExpired, banklink.ErrUnauthorized, banklink.ErrForbidden,
		banklink.ErrNotFound, banklink.ErrInvalidRequest, banklink.ErrInvalidConfig, banklink.ErrInsecureURL,
		banklink.ErrRateLimited, banklink.ErrRetryBudgetExhausted, banklink.ErrRetriesExhausted, banklink.ErrServerError,
		banklink.ErrUnavailable, banklink.ErrResponseTooLarge, banklink.ErrRedirectRefused,
	} {
		if errors.Is(err, c) {
			return c
		}
	}
	return ""
}
