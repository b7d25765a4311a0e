// Package redact removes secrets from text that may reach a log line or an
// error string: known secret values (passwords, API keys, tokens) and
// anything shaped like a JWT.
package redact

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Mask replaces every secret.
const Mask = "[REDACTED]"

// jwtPattern matches compact JWS tokens (header.payload.signature, base64url).
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)

// String returns s with every JWT and every non-empty secret replaced by Mask.
// Secrets shorter than four characters are not replaced: they would mask
// ordinary words, and so are never worth the damage.
func String(s string, secrets ...string) string {
	if s == "" {
		return s
	}
	if strings.Contains(s, "eyJ") {
		s = jwtPattern.ReplaceAllString(s, Mask)
	}
	for _, secret := range secrets {
		if len(secret) >= 4 && strings.Contains(s, secret) {
			s = strings.ReplaceAll(s, secret, Mask)
		}
	}
	return s
}

// Snippet returns at most max bytes of body as one line of printable text,
// redacted, with "…" when cut. It is what errors keep of a response body.
func Snippet(body []byte, max int, secrets ...string) string {
	cut := len(body) > max
	if cut {
		body = body[:max]
	}
	var b strings.Builder
	b.Grow(len(body))
	space := false
	for len(body) > 0 {
		r, size := utf8.DecodeRune(body)
		body = body[size:]
		if r == utf8.RuneError && size <= 1 {
			r = '?'
		}
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		if r < 0x20 || r == 0x7f {
			r = '?'
		}
		b.WriteRune(r)
	}
	out := strings.TrimRight(b.String(), " ")
	if cut {
		out += "…"
	}
	return String(out, secrets...)
}

// Masked shows whether a secret is set without showing it: "[REDACTED]",
// or "" quoted when empty. Format methods of types holding secrets use it.
func Masked(s string) string {
	if s == "" {
		return `""`
	}
	return Mask
}
