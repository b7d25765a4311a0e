// Package redact removes secrets from text that may reach a log line or an
// error string: known secret values (passwords, API keys, tokens, PINs,
// OTPs) in every encoding a server may echo them in, and anything shaped
// like a JWT.
package redact

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Mask replaces every secret.
const Mask = "[REDACTED]"

// jwtPattern matches compact JWS tokens (header.payload.signature, base64url).
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*`)

// String returns s with every JWT and every non-empty secret replaced by
// Mask, in each form a server may echo it back in (see Forms). Secrets
// shorter than four characters are not replaced: they would mask ordinary
// words, and so are never worth the damage.
func String(s string, secrets ...string) string {
	if s == "" {
		return s
	}
	if strings.Contains(s, "eyJ") {
		s = jwtPattern.ReplaceAllString(s, Mask)
	}
	for _, secret := range secrets {
		if len(secret) < 4 {
			continue
		}
		for _, form := range Forms(secret) {
			if strings.Contains(s, form) {
				s = strings.ReplaceAll(s, form, Mask)
			}
		}
	}
	return s
}

// Forms returns secret as written raw, JSON-escaped (Go's escaping and
// Python's ASCII-only \uXXXX), form- and path-encoded and base64-encoded
// (standard and URL alphabets, with and without padding), longest first
// so that no form leaves a piece of a longer one behind.
func Forms(secret string) []string {
	forms := []string{secret}
	add := func(f string) {
		if f == "" {
			return
		}
		for _, have := range forms {
			if have == f {
				return
			}
		}
		forms = append(forms, f)
	}
	var escaped string
	if b, err := json.Marshal(secret); err == nil {
		escaped = string(b[1 : len(b)-1])
	}
	add(escaped)
	add(pythonJSON(secret))
	add(strings.ReplaceAll(escaped, "/", `\/`))           // PHP's json_encode escapes "/"
	add(html.EscapeString(secret))                        // &amp; &lt; &gt; &#34; &#39;
	add(namedEntities.Replace(html.EscapeString(secret))) // named and hex entities
	add(numericEntities.Replace(secret))
	add(url.QueryEscape(secret))
	add(url.PathEscape(secret))
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
		add(enc.EncodeToString([]byte(secret)))
	}
	// Longest first: a padded base64 form contains its unpadded twin.
	for i := 1; i < len(forms); i++ {
		for j := i; j > 0 && len(forms[j]) > len(forms[j-1]); j-- {
			forms[j], forms[j-1] = forms[j-1], forms[j]
		}
	}
	return forms
}

// The HTML escapings besides html.EscapeString's: named and hex entities
// for its quotes, and decimal numeric entities for every special
// character, as some templates write them (&#38; &#60; &#62; &#34;
// &#39;). A Replacer is immutable and safe for concurrent use.
var (
	namedEntities   = strings.NewReplacer("&#34;", "&quot;", "&#39;", "&#x27;")
	numericEntities = strings.NewReplacer("&", "&#38;", "<", "&#60;", ">", "&#62;", `"`, "&#34;", "'", "&#39;")
)

// queryPattern is a URL path's query string in free text.
var queryPattern = regexp.MustCompile(`(/[^\s"'<>?]*)\?[^\s"'<>]*`)

// StripQueries removes the query strings of the paths and URLs in s (a
// token sent as ?token= must not come back through an error's cause,
// whatever a peer echoed).
func StripQueries(s string) string {
	if !strings.Contains(s, "?") {
		return s
	}
	return queryPattern.ReplaceAllString(s, "$1")
}

// pythonJSON escapes s as Python's json.dumps does by default
// (ensure_ascii): every non-ASCII character as \uXXXX.
func pythonJSON(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		case r < 0x80:
			b.WriteRune(r)
		case r > 0xffff:
			r -= 0x10000
			fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
		default:
			fmt.Fprintf(&b, `\u%04x`, r)
		}
	}
	return b.String()
}

// Snippet returns at most max bytes of body as one line of printable
// text, with "…" when cut. It is what errors keep of a response body. The
// whole body is redacted first, so that neither folding its white space
// nor cutting it can split a secret and show its prefix; the cut falls on
// a rune boundary.
func Snippet(body []byte, max int, secrets ...string) string {
	text := String(string(body), secrets...)
	var b strings.Builder
	b.Grow(min(len(text), max+4))
	space, cut := false, false
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		i += size
		if r == utf8.RuneError && size <= 1 {
			r = '?'
		}
		if r == ' ' || r == '\n' || r == '\r' || r == '\t' {
			if !space && b.Len() > 0 {
				space = true
			}
			continue
		}
		if r < 0x20 || r == 0x7f {
			r = '?'
		}
		n := utf8.RuneLen(r)
		if space {
			n++
		}
		if b.Len()+n > max {
			cut = true
			break
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	out := b.String()
	if cut {
		out += "…"
	}
	return out
}

// Masked shows whether a secret is set without showing it: "[REDACTED]",
// or "" quoted when empty. Format methods of types holding secrets use it.
func Masked(s string) string {
	if s == "" {
		return `""`
	}
	return Mask
}
