package transport

import (
	"errors"
	"strings"
)

// check refuses, before anything is sent, an operation whose caller-given
// parts would reach the wire as structure: a method that is not a token,
// a path with control characters or dot segments (the URL escapes the
// rest), header values with CR, LF or other control characters.
func (t *Transport) check(op *Op) error {
	switch {
	case op.Method == "" || strings.IndexFunc(op.Method, notTokenChar) >= 0:
		return t.invalid(op, errors.New("the method is not an HTTP token"))
	case strings.IndexFunc(op.Path, isControl) >= 0 || strings.Contains(op.Path, `\`):
		return t.invalid(op, errors.New("the path holds control characters or a backslash"))
	case hasDotSegment(op.Path):
		return t.invalid(op, errors.New(`the path holds a "." or ".." segment`))
	case !validHeaderValue(op.ContentType):
		return t.invalid(op, errors.New("the content type holds control characters"))
	}
	for k, vs := range op.Secret {
		for _, v := range vs {
			if !validHeaderValue(v) {
				return t.invalid(op, errors.New("the "+k+" header value holds control characters"))
			}
		}
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
