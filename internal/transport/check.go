package transport

import (
	"errors"
	"strings"

	"github.com/banklink/banklink-go/internal/callopt"
	"github.com/banklink/banklink-go/internal/errs"
)

// check refuses, before anything is sent, an operation whose caller-given
// parts would reach the wire as structure: a method that is not a token,
// a path with control characters or dot segments (the URL escapes the
// rest), header values with CR, LF or other control characters.
func (t *Transport) check(op *Op) error {
	if err := checkMethod(op.Method); err != nil {
		return t.invalid(op, err)
	}
	if err := checkPath(op.Path); err != nil {
		return t.invalid(op, err)
	}
	switch {
	case !validHeaderValue(op.ContentType):
		return t.invalid(op, errors.New("the content type holds control characters"))
	}
	for k, vs := range op.SecretHeaders {
		for _, v := range vs {
			if !validHeaderValue(v) {
				return t.invalid(op, errors.New("the "+k+" header value holds control characters"))
			}
		}
	}
	return nil
}

// checkMethod is the one check of an HTTP method, for the SDK's own
// operations and a caller's Do alike: an HTTP token.
func checkMethod(m string) error {
	if m == "" || strings.IndexFunc(m, notTokenChar) >= 0 {
		return errors.New("the method is not an HTTP token")
	}
	return nil
}

// checkPath is the one check of a path, for the SDK's own operations and
// a caller's Do alike: a plain relative path under the base URL, with no
// control character, white space, backslash, dot segment, empty segment,
// query, fragment, escape or scheme (the URL would read them as structure).
func checkPath(p string) error {
	switch {
	case strings.IndexFunc(p, isControl) >= 0 || strings.ContainsAny(p, "\\ \t"):
		return errors.New("the path holds control characters, white space or a backslash")
	case hasDotSegment(p) || strings.Contains(p, ".."):
		return errors.New(`the path holds a "." or ".." segment`)
	case strings.Contains(strings.TrimPrefix(p, "/"), "//"):
		return errors.New("the path holds an empty segment")
	case strings.ContainsAny(p, "?#%:"):
		return errors.New("the path holds a query, fragment, escape or scheme: pass the query apart")
	}
	return nil
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }

// validHeaderValue allows what RFC 9110 allows in a field value: visible
// characters, spaces and tabs, and obs-text.
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if b := v[i]; (b < 0x20 && b != '\t') || b == 0x7f {
			return false
		}
	}
	return true
}

// notTokenChar reports a rune that may not stand in an HTTP token.
func notTokenChar(r rune) bool {
	if r >= 0x7f || r <= 0x20 {
		return true
	}
	return strings.ContainsRune(`"(),/:;<=>?@[\]{}`, r)
}

func hasDotSegment(path string) bool {
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// checkCallOptions refuses per-call headers that could split a request.
func checkCallOptions(o *callopt.Options) error {
	if o == nil {
		return nil
	}
	if !validHeaderValue(o.IdempotencyKey) {
		return errors.New("the idempotency key holds a control character")
	}
	for k, vs := range o.Header {
		if k == "" || strings.IndexFunc(k, notTokenChar) >= 0 {
			return errors.New("a per-call header name is not an HTTP token")
		}
		for _, v := range vs {
			if !validHeaderValue(v) {
				return errors.New("per-call header " + k + " holds a control character")
			}
		}
	}
	return nil
}

// credentialHeader reports whether an answer header (canonical name)
// carries credentials: a captured answer never shows those.
func credentialHeader(k string) bool {
	switch k {
	case "X-Access-Token", "X-Refresh-Token", "Set-Cookie", "Authorization", "Www-Authenticate":
		return true
	}
	return false
}

// invalid reports input refused before anything was sent.
func (t *Transport) invalid(op *Op, err error) error {
	return &errs.CallError{Provider: t.cfg.Provider, Op: op.Name, Method: op.Method, Category: errs.ErrInvalidRequest, Err: err}
}
