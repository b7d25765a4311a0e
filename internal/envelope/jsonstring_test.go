package envelope

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "1002000989", `a"b\c`, "tab\tnl\ncr\r", "\x00\x1f\x7f", "reçu €", "\xff\xfe", "a\u2028b\u2029", "<&>"} {
		got := AppendString(nil, s)
		var back string
		assert.NoError(t, json.Unmarshal(got, &back), "%q", got)
		want, _ := json.Marshal(s)
		var wantBack string
		_ = json.Unmarshal(want, &wantBack)
		assert.Equal(t, wantBack, back, "%q", s)
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"1002000989", `"`, "\\", "\x00", "\xff", "é", "\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var back string
		if err := json.Unmarshal(AppendString(nil, s), &back); err != nil {
			t.Fatalf("invalid JSON for %q: %v", s, err)
		}
		if utf8.ValidString(s) && back != s {
			t.Fatalf("round trip %q → %q", s, back)
		}
	})
}
