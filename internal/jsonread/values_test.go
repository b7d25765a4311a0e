package jsonread

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// typed has a field of every type the value methods read into.
type typed struct {
	S  string          `json:"s"`
	SP *string         `json:"sp"`
	B  bool            `json:"b"`
	BP *bool           `json:"bp"`
	I  int             `json:"i"`
	N  json.Number     `json:"n"`
	R  json.RawMessage `json:"r"`
	T  time.Time       `json:"t"`
}

var typedKeys = []string{"s", "sp", "b", "bp", "i", "n", "r", "t"}

// readTyped reads into a value already holding v, as encoding/json would
// decode into it.
func readTyped(b []byte, v typed) (typed, bool) {
	r := Of(b)
	ok := r.Fields(typedKeys, func(i int) bool {
		switch i {
		case 0:
			return r.StringInto(&v.S)
		case 1:
			return r.StringPtrInto(&v.SP)
		case 2:
			return r.BoolInto(&v.B)
		case 3:
			return r.BoolPtrInto(&v.BP)
		case 4:
			return r.IntInto(&v.I)
		case 5:
			return r.NumberInto(&v.N)
		case 6:
			return r.RawInto(&v.R)
		default:
			return r.TimeInto(&v.T)
		}
	})
	return v, ok && r.Done()
}

// prefilled is a value whose fields are all set, so that a null leaving a
// field alone and one clearing it read differently.
func prefilled() typed {
	s, b := "was", true
	return typed{S: "was", SP: &s, B: true, BP: &b, I: 7, N: "7", R: json.RawMessage(`"was"`), T: time.Unix(1, 0).UTC()}
}

func TestValuesReadAsEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{"s":"x","sp":"y","b":false,"bp":true,"i":-12,"n":1.5e3,"r":{"a": [1, 2]},"t":"2022-05-03T10:18:19.172Z"}`,
		`{"s":null,"sp":null,"b":null,"bp":null,"i":null,"n":null,"r":null,"t":null}`,
		`{"t":"2022-05-03T10:18:19+01:00","r": "x" ,"i":0}`,
		`{}`,
	} {
		got, ok := readTyped([]byte(in), prefilled())
		want := prefilled()
		err := json.Unmarshal([]byte(in), &want)
		if !ok || err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s:\n read  %#v, %v\n json  %#v, %v", in, got, ok, want, err)
		}
	}
}

func TestValuesRefuse(t *testing.T) {
	for _, in := range []string{
		`{"s":1}`, `{"sp":true}`, `{"b":"true"}`, `{"bp":0}`, `{"i":1.5}`, `{"i":1e2}`, `{"i":99999999999999999999}`,
		`{"i":"1"}`, `{"n":"12"}`, `{"t":"2022-05-03"}`, `{"t":1}`, `{"b":nul}`, `{"b":truex}`,
	} {
		if got, ok := readTyped([]byte(in), typed{}); ok {
			t.Errorf("%s: read as %#v", in, got)
		}
	}
}

// FuzzValues: wherever the value methods read a document, encoding/json
// reads it too, to the same value, starting from the same value.
func FuzzValues(f *testing.F) {
	for _, s := range []string{
		`{"s":"x","sp":"y","b":false,"bp":true,"i":-12,"n":1.5e3,"r":{"a":[1,2]},"t":"2022-05-03T10:18:19.172Z"}`,
		`{"s":null,"sp":null,"b":null,"bp":null,"i":null,"n":null,"r":null,"t":null}`,
		`{"i":-0}`, `{"t":"2022-05-03T10:18:19-00:00"}`, `{"r":[ ]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		got, ok := readTyped(b, prefilled())
		if !ok {
			return
		}
		want := prefilled()
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatalf("%q: read as %#v; encoding/json: %v", b, got, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q:\n read %#v\n json %#v", b, got, want)
		}
	})
}
