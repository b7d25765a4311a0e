package fake

import (
	"bytes"
	"encoding/json"
	"net/http"
)

// Object is a JSON object that keeps its keys in order, as a Python dict
// does: DRF's field errors come in the serializer's field order, simplejwt's
// token pair as refresh then access.
type Object []Field

// Field is one member of an Object.
type Field struct {
	Key   string
	Value any
}

// Get returns the value of key.
func (o Object) Get(key string) (any, bool) {
	for _, f := range o {
		if f.Key == key {
			return f.Value, true
		}
	}
	return nil, false
}

// Set replaces key's value, or appends key at the end.
func (o Object) Set(key string, value any) Object {
	for i := range o {
		if o[i].Key == key {
			o[i].Value = value
			return o
		}
	}
	return append(o, Field{key, value})
}

// MarshalJSON writes the members in order.
func (o Object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range o {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := marshal(f.Key)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		v, err := marshal(f.Value)
		if err != nil {
			return nil, err
		}
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal encodes like DRF's renderer: UTF-8 as is, no HTML escaping, no
// trailing newline.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// Encoded is a body encoded once, as WriteJSON would, for a fake to
// answer many times (a profile that never changes): WriteJSON writes it
// as is.
type Encoded []byte

// Encode encodes v as WriteJSON would.
func Encode(v any) Encoded {
	b, err := marshal(v)
	if err != nil {
		panic("fake: a constant body that is not JSON: " + err.Error())
	}
	return b
}

// WriteJSON writes v compactly, as DRF's JSONRenderer does (no trailing
// newline); 401s carry simplejwt's WWW-Authenticate.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, ok := v.(Encoded)
	if !ok {
		b, _ = marshal(v)
	}
	writeJSON(w, status, b)
}

// WritePythonJSON writes v with Python's json.dumps separators (", " and
// ": "), as views answering with JsonResponse or json.dumps do.
func WritePythonJSON(w http.ResponseWriter, status int, v any) {
	b, _ := marshal(v)
	writeJSON(w, status, PythonSpacing(b))
}

func writeJSON(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// PythonSpacing rewrites compact JSON with Python's default separators: a
// space after every comma and colon outside strings.
func PythonSpacing(compact []byte) []byte {
	out := make([]byte, 0, len(compact)+len(compact)/8)
	inString, escaped := false, false
	for _, c := range compact {
		out = append(out, c)
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && (c == ',' || c == ':'):
			out = append(out, ' ')
		}
	}
	return out
}
