package jsonread

import (
	"encoding/json"
	"reflect"
	"testing"
)

// sample is a shape read both ways: by hand with a Reader and by
// encoding/json.
type sample struct {
	Name  string      `json:"name"`
	Count json.Number `json:"count"`
	Tags  []string    `json:"tags"`
}

func readSample(b []byte) (sample, bool) {
	var s sample
	r := Of(b)
	ok := r.Fields([]string{"name", "count", "tags"}, func(i int) bool {
		var ok bool
		switch i {
		case 0:
			s.Name, ok = r.Text()
		case 1:
			var n []byte
			n, ok = r.Number()
			s.Count = json.Number(n)
		case 2:
			s.Tags = []string{}
			ok = r.Array(func() bool {
				t, ok := r.Text()
				s.Tags = append(s.Tags, t)
				return ok
			})
		}
		return ok
	})
	return s, ok && r.Done()
}

func TestFields(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want sample
	}{
		{`{"name":"Paul","count":12,"tags":["a","b"]}`, sample{"Paul", "12", []string{"a", "b"}}},
		{" {\n\"count\" : -1.5e+3 , \"extra\": {\"x\": [1, true, null, \"y\", {}]}, \"name\": \"Ünï\"}\t", sample{Name: "Ünï", Count: "-1.5e+3"}},
		{`{}`, sample{}},
		{`{"nameſ":"x","name":"Paul"}`, sample{Name: "Paul"}}, // another key to both decoders
		{`{"tags":[]}`, sample{Tags: []string{}}},
	} {
		got, ok := readSample([]byte(tc.in))
		if !ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %#v, %v; want %#v", tc.in, got, ok, tc.want)
		}
		var std sample
		if err := json.Unmarshal([]byte(tc.in), &std); err != nil || !reflect.DeepEqual(std, tc.want) {
			t.Errorf("%s: encoding/json disagrees with the test: %#v, %v", tc.in, std, err)
		}
	}
}

// TestFieldsRefuses: what the Reader leaves to encoding/json.
func TestFieldsRefuses(t *testing.T) {
	for _, in := range []string{
		`{"name":"Pa\"ul"}`,       // an escape
		`{"Name":"Paul"}`,         // matches only case-insensitively
		`{"name":"a","name":"b"}`, // given twice
		`{"name":"Paul",}`,        // trailing comma
		`{"name":"Paul"} x`,       // trailing data
		`{"count":"12"}`,          // a number as a string
		`{"count":012}`, `{"count":-}`, `{"count":1.}`, `{"count":1e}`,
		`{"name":null}`, `{"tags":null}`, `{"name":"\x01"}`, "{\"name\":\"\xff\"}",
		`{"x":tru}`, `{"x":[1,]}`, `{"x":{"a" 1}}`, `[1]`, ``, `{`, `{"name":"Paul"`,
		`{"x":` + deep(maxDepth+1) + `}`,
	} {
		if got, ok := readSample([]byte(in)); ok {
			t.Errorf("%q: read as %#v", in, got)
		}
	}
	// The Kelvin sign folds to k, the long s to s: encoding/json matches
	// these keys to fields, so the Reader must refuse them.
	r := Of([]byte(`{"ſtatus":"x"}`))
	if r.Fields([]string{"status"}, func(int) bool { return r.Skip() }) {
		t.Error(`"ſtatus" read as an unknown key`)
	}
}

func deep(n int) string {
	s := "0"
	for range n {
		s = "[" + s + "]"
	}
	return s
}

func TestSkipValid(t *testing.T) {
	for _, in := range []string{`0`, `-0.5E-2`, `"x"`, `[]`, `{}`, `[{"a":[null,false,true]}]`, ` {"a" : 1 , "b" : "c" } `} {
		r := Of([]byte(in))
		if !r.Skip() || !r.Done() {
			t.Errorf("%s: not skipped", in)
		}
	}
}

// FuzzReader: wherever the Reader reads a document, encoding/json reads it
// too, to the same values.
func FuzzReader(f *testing.F) {
	for _, s := range []string{
		`{"name":"Paul","count":12,"tags":["a","b"]}`, `{"count":-1.5e+3,"x":{"y":[true,null]}}`,
		`{"Name":"x"}`, `{"name":"a\u00e9"}`, `[1,2]`, `"s"`, `{"tags":[]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if r := Of(b); r.Skip() && r.Done() && !json.Valid(b) {
			t.Fatalf("%q: skipped as valid JSON", b)
		}
		got, ok := readSample(b)
		if !ok {
			return
		}
		var std sample
		if err := json.Unmarshal(b, &std); err != nil {
			t.Fatalf("%q: read as %#v; encoding/json: %v", b, got, err)
		}
		if !reflect.DeepEqual(got, std) {
			t.Fatalf("%q: read as %#v; encoding/json: %#v", b, got, std)
		}
	})
}
