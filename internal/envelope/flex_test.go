package envelope

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/banklink/banklink-go/internal/jsonread"
)

// flexReference is what FlexString means, in encoding/json's own terms:
// a string's text, a number's literal, "" for null, an error otherwise.
func flexReference(b []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", false
	}
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return string(v), true
	case nil:
		return "", true
	}
	return "", false
}

func TestFlexStringReadsStringsNumbersAndNull(t *testing.T) {
	for in, want := range map[string]string{
		`"1002000989"`: "1002000989", `1002000989`: "1002000989", ` -12.5e3 `: "-12.5e3", `0`: "0",
		`"a\"b"`: `a"b`, `"\u00e9"`: "é", `""`: "", `null`: "", ` "x" `: "x",
	} {
		var f FlexString
		assert.NoError(t, json.Unmarshal([]byte(in), &f), in)
		assert.Equal(t, want, string(f), in)
	}
	for _, in := range []string{`true`, `{"a":1}`, `[1]`} {
		var f FlexString
		assert.Error(t, json.Unmarshal([]byte(in), &f), in)
	}
}

// FuzzFlexString: on any valid JSON value, FlexString reads what
// encoding/json reads.
func FuzzFlexString(f *testing.F) {
	for _, s := range []string{`"1"`, `12`, `-0.5E+2`, `null`, `"a\\b"`, `true`, `{}`, `"\ud800"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return // encoding/json never hands an UnmarshalJSON an invalid value
		}
		want, ok := flexReference(b)
		var got FlexString
		err := got.UnmarshalJSON(b)
		if ok != (err == nil) || (ok && want != string(got)) {
			t.Fatalf("%q: got %q, %v; want %q, ok %v", b, got, err, want, ok)
		}
	})
}

func TestIsNumberFollowsTheGrammar(t *testing.T) {
	for _, s := range []string{"0", "-0", "12", "1.5", "1e9", "1E+9", "-2.5e-3"} {
		assert.True(t, isNumber([]byte(s)), s)
	}
	for _, s := range []string{"", "-", "01", "1.", ".5", "1e", "1e+", "+1", "1x", "0x10", "NaN", "1 "} {
		assert.False(t, isNumber([]byte(s)), s)
	}
}

// FuzzReadFlex: wherever ReadFlex reads a value, FlexString's UnmarshalJSON
// (through encoding/json) reads it to the same text.
func FuzzReadFlex(f *testing.F) {
	for _, s := range []string{`{"v":"1"}`, `{"v":12}`, `{"v":null}`, `{"v":"a\"b"}`, `{"v":true}`, `{"v":"é"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got := FlexString("was")
		r := jsonread.Of(b)
		if !r.Fields([]string{"v"}, func(int) bool { return ReadFlex(&r, &got) }) || !r.Done() {
			return
		}
		want := struct {
			V FlexString `json:"v"`
		}{"was"}
		if err := json.Unmarshal(b, &want); err != nil || want.V != got {
			t.Fatalf("%q: read %q; encoding/json %q, %v", b, got, want.V, err)
		}
	})
}
