package jsonread

import (
	"encoding/json"
	"strconv"
	"time"
)

// The methods below read one value into a Go value of a given type the
// way encoding/json does (a null leaves a value as it is and sets a
// pointer to nil), and fail where encoding/json would fail or where the
// Reader leaves the value to it (a string with an escape, say). The fuzz
// tests hold them to encoding/json.

// Null reads a null if one comes next, and reports whether it did.
func (r *Reader) Null() bool {
	if r.bad || r.peek() != 'n' || !r.literal("null") {
		return false
	}
	return true
}

// literal consumes lit if it comes next.
func (r *Reader) literal(lit string) bool {
	if end := r.i + len(lit); end <= len(r.b) && string(r.b[r.i:end]) == lit {
		r.i = end
		return true
	}
	return false
}

// Bool reads true or false.
func (r *Reader) Bool() (v, ok bool) {
	switch {
	case r.bad:
		return false, false
	case r.peek() == 't' && r.literal("true"):
		return true, true
	case r.peek() == 'f' && r.literal("false"):
		return false, true
	}
	return false, r.fail()
}

// Raw reads any value and returns its text, which aliases the document.
func (r *Reader) Raw() ([]byte, bool) {
	if r.bad {
		return nil, false
	}
	r.space()
	start := r.i
	if !r.Skip() {
		return nil, false
	}
	return r.b[start:r.i], true
}

// The Into readers are written out one by one: built from one generic
// helper taking r.Text or r.Bool, each method value allocated on every
// read (ten more allocations for a merchant profile, measured).

// StringInto reads a string (or null) into dst.
func (r *Reader) StringInto(dst *string) bool {
	if r.Null() {
		return true
	}
	s, ok := r.Text()
	if ok {
		*dst = s
	}
	return ok
}

// StringPtrInto reads a string into a new *string at dst, or a null as nil.
func (r *Reader) StringPtrInto(dst **string) bool {
	if r.Null() {
		*dst = nil
		return true
	}
	s, ok := r.Text()
	if ok {
		*dst = &s
	}
	return ok
}

// BoolInto reads true, false (or null) into dst.
func (r *Reader) BoolInto(dst *bool) bool {
	if r.Null() {
		return true
	}
	v, ok := r.Bool()
	if ok {
		*dst = v
	}
	return ok
}

// BoolPtrInto reads true or false into a new *bool at dst, or a null as nil.
func (r *Reader) BoolPtrInto(dst **bool) bool {
	if r.Null() {
		*dst = nil
		return true
	}
	v, ok := r.Bool()
	if ok {
		*dst = &v
	}
	return ok
}

// IntInto reads an integer (or null) into dst: a number with a fraction
// or an exponent, or one beyond an int, fails, as in encoding/json.
func (r *Reader) IntInto(dst *int) bool {
	if r.Null() {
		return true
	}
	n, ok := r.Number()
	if !ok {
		return false
	}
	v, err := strconv.ParseInt(string(n), 10, strconv.IntSize)
	if err != nil {
		return r.fail()
	}
	*dst = int(v)
	return true
}

// NumberInto reads a number (or null) into dst as its text. A number in a
// string, which encoding/json also takes, is left to it.
func (r *Reader) NumberInto(dst *json.Number) bool {
	if r.Null() {
		return true
	}
	n, ok := r.Number()
	if ok {
		*dst = json.Number(n)
	}
	return ok
}

// RawInto reads any value into dst as a copy of its text (a null too).
func (r *Reader) RawInto(dst *json.RawMessage) bool {
	b, ok := r.Raw()
	if ok {
		*dst = append((*dst)[:0], b...)
	}
	return ok
}

// TimeInto reads an RFC 3339 time (or null) into dst, as time.Time's
// UnmarshalJSON does.
func (r *Reader) TimeInto(dst *time.Time) bool {
	if r.Null() {
		return true
	}
	b, ok := r.Bytes()
	if !ok {
		return false
	}
	var t time.Time
	if t.UnmarshalText(b) != nil {
		return r.fail()
	}
	*dst = t
	return true
}

// Peek returns the first byte of the next value ('"' for a string, 'n'
// for null, '{' for an object…) without reading it; 0 at the end.
func (r *Reader) Peek() byte { return r.peek() }
