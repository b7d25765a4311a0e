package envelope

import (
	"bytes"
	"encoding/json"
	"errors"
	"unicode/utf8"

	"github.com/banklink/banklink-go/internal/jsonread"
)

// FlexString decodes a JSON string or number (or null) as its text, for
// fields that servers send either way.
type FlexString string

// UnmarshalJSON reads a string's text, a number's literal, or "" for null;
// any other value is an error. The common forms (a string without escapes,
// a number) are read in place, without a second pass of encoding/json.
func (f *FlexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' && bytes.IndexByte(b, '\\') < 0 && utf8.Valid(b):
		*f = FlexString(b[1 : len(b)-1]) // no escapes: the text as is
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = FlexString(s)
		return nil
	case bytes.Equal(b, []byte("null")):
		*f = ""
		return nil
	case isNumber(b):
		*f = FlexString(b)
		return nil
	}
	return errNotStringOrNumber
}

var errNotStringOrNumber = errors.New("envelope: want a JSON string, number or null")

// isNumber reports whether b is a JSON number: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func isNumber(b []byte) bool {
	i := 0
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && b[i] >= '1' && b[i] <= '9':
		i = digits(b, i)
	default:
		return false
	}
	if i < len(b) && b[i] == '.' {
		j := digits(b, i+1)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		j := digits(b, i)
		if j == i {
			return false
		}
		i = j
	}
	return i == len(b)
}

// digits returns the index of the first byte at or after i that is not a
// decimal digit.
func digits(b []byte, i int) int {
	for i < len(b) && b[i] >= '0' && b[i] <= '9' {
		i++
	}
	return i
}

// ReadFlex reads a FlexString from r as encoding/json would through
// UnmarshalJSON: a string without escapes, a number, or null (which sets
// ""); anything else fails the read, and the caller leaves the document
// to encoding/json.
func ReadFlex(r *jsonread.Reader, f *FlexString) bool {
	switch c := r.Peek(); {
	case r.Null():
		*f = ""
		return true
	case c == '"':
		s, ok := r.Text()
		*f = FlexString(s)
		return ok
	}
	n, ok := r.Number()
	*f = FlexString(n)
	return ok
}
