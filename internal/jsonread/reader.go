// Package jsonread reads JSON documents of a known shape without
// reflection, for the SDK's hot calls.
//
// It handles the plain forms servers send: strings without escapes,
// numbers, objects, arrays, and true/false/null where values are skipped.
// Anything else fails the read instead of guessing: an escape sequence,
// invalid UTF-8, a key that matches a wanted name only case-insensitively
// (encoding/json would accept it), a key given twice, nesting deeper than
// maxDepth. A caller then decodes the same body with encoding/json, so
// where a fast read succeeds it agrees with encoding/json, and where it
// fails nothing is lost. The fuzz tests hold the two to that.
package jsonread

import (
	"bytes"
	"unicode/utf8"
)

// maxDepth bounds the nesting of skipped values.
const maxDepth = 32

// Reader reads one JSON document. Its methods fail (return false) once any
// read has failed; Done reports whether the whole document was read.
type Reader struct {
	b     []byte
	i     int
	bad   bool
	depth int
}

// Of returns a Reader over b.
func Of(b []byte) Reader { return Reader{b: b} }

// Done reports whether every read succeeded and only whitespace follows.
func (r *Reader) Done() bool {
	r.space()
	return !r.bad && r.i == len(r.b)
}

// fail marks the read as failed and returns false.
func (r *Reader) fail() bool {
	r.bad = true
	return false
}

func (r *Reader) space() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// consume skips whitespace and the byte c, or fails.
func (r *Reader) consume(c byte) bool {
	r.space()
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return r.fail()
}

// peek skips whitespace and returns the next byte (0 at the end).
func (r *Reader) peek() byte {
	r.space()
	if r.i < len(r.b) {
		return r.b[r.i]
	}
	return 0
}

// Fields reads an object whose members the caller wants by name: field is
// called with the index in names of each wanted member's name, with the
// Reader positioned at its value, which field must read. Other members are
// skipped. It fails on a name seen twice, and on a name that equals a
// wanted one only case-insensitively. names holds at most 64 entries.
func (r *Reader) Fields(names []string, field func(i int) bool) bool {
	if r.bad || len(names) > 64 || !r.consume('{') {
		return r.fail()
	}
	if r.peek() == '}' {
		r.i++
		return true
	}
	var seen uint64
	for {
		key, ok := r.Bytes()
		if !ok || !r.consume(':') {
			return r.fail()
		}
		i := index(names, key)
		switch {
		case i >= 0:
			if seen&(1<<i) != 0 {
				return r.fail()
			}
			seen |= 1 << i
			if !field(i) || r.bad {
				return r.fail()
			}
		case folds(names, key):
			return r.fail()
		case !r.Skip():
			return false
		}
		switch r.peek() {
		case ',':
			r.i++
		case '}':
			r.i++
			return true
		default:
			return r.fail()
		}
	}
}

func index(names []string, key []byte) int {
	for i, n := range names {
		if string(key) == n {
			return i
		}
	}
	return -1
}

// folds reports whether key matches a name under Unicode case folding,
// which is how encoding/json matches keys to fields.
func folds(names []string, key []byte) bool {
	for _, n := range names {
		if bytes.EqualFold(key, []byte(n)) {
			return true
		}
	}
	return false
}

// Array reads an array: elem is called for each element, with the Reader
// positioned at it, and must read it.
func (r *Reader) Array(elem func() bool) bool {
	if r.bad || !r.consume('[') {
		return r.fail()
	}
	if r.peek() == ']' {
		r.i++
		return true
	}
	for {
		if !elem() || r.bad {
			return r.fail()
		}
		switch r.peek() {
		case ',':
			r.i++
		case ']':
			r.i++
			return true
		default:
			return r.fail()
		}
	}
}

// Bytes reads a string without escapes and returns its contents, which
// alias the document.
func (r *Reader) Bytes() ([]byte, bool) {
	if r.bad || !r.consume('"') {
		return nil, r.fail()
	}
	b, start := r.b, r.i
	var high byte // the bytes' high bits, ORed: non-zero when any is not ASCII
	for i := start; i < len(b); i++ {
		c := b[i]
		high |= c
		switch {
		case c == '"':
			s := b[start:i]
			r.i = i + 1
			if high >= utf8.RuneSelf && !utf8.Valid(s) {
				return nil, r.fail()
			}
			return s, true
		case c == '\\' || c < 0x20:
			return nil, r.fail()
		}
	}
	return nil, r.fail()
}

// Text reads a string without escapes and returns a copy of it.
func (r *Reader) Text() (string, bool) {
	b, ok := r.Bytes()
	return string(b), ok
}

// Number reads a number and returns its text, which aliases the document.
func (r *Reader) Number() ([]byte, bool) {
	if r.bad {
		return nil, false
	}
	r.space()
	start := r.i
	if r.i < len(r.b) && r.b[r.i] == '-' {
		r.i++
	}
	switch {
	case r.i < len(r.b) && r.b[r.i] == '0':
		r.i++
	case r.digits() == 0:
		return nil, r.fail()
	}
	if r.i < len(r.b) && r.b[r.i] == '.' {
		r.i++
		if r.digits() == 0 {
			return nil, r.fail()
		}
	}
	if r.i < len(r.b) && (r.b[r.i] == 'e' || r.b[r.i] == 'E') {
		r.i++
		if r.i < len(r.b) && (r.b[r.i] == '+' || r.b[r.i] == '-') {
			r.i++
		}
		if r.digits() == 0 {
			return nil, r.fail()
		}
	}
	return r.b[start:r.i], true
}

func (r *Reader) digits() int {
	start := r.i
	for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
		r.i++
	}
	return r.i - start
}

// Skip reads any value and discards it.
func (r *Reader) Skip() bool {
	if r.bad {
		return false
	}
	switch c := r.peek(); {
	case c == '"':
		_, ok := r.Bytes()
		return ok
	case c == '-' || (c >= '0' && c <= '9'):
		_, ok := r.Number()
		return ok
	case c == '{', c == '[':
		if r.depth++; r.depth > maxDepth {
			return r.fail()
		}
		var ok bool
		if c == '{' {
			ok = r.Fields(nil, nil)
		} else {
			ok = r.Array(r.Skip)
		}
		r.depth--
		return ok
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if end := r.i + len(lit); end <= len(r.b) && string(r.b[r.i:end]) == lit {
			r.i += len(lit)
			return true
		}
	}
	return r.fail()
}
