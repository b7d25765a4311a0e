package conformance

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// TestCorpusIsCurrent compares the repository's copy of the corpus with
// the workspace's shared one, when there is one beside the checkout.
func TestCorpusIsCurrent(t *testing.T) {
	for _, name := range []string{"dfcu.jsonl", "fintract.jsonl", "README.md"} {
		shared, err := os.ReadFile(filepath.Join("..", "..", "..", "shared", "conformance", name))
		if err != nil {
			t.Logf("no shared copy of %s beside the checkout; using the repository's", name)
			continue
		}
		ours, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(shared, ours) {
			t.Errorf("testdata/%s differs from ../shared/conformance/%s: copy the new recording in and make the fakes answer it", name, name)
		}
	}
}

func TestLoadReadsEveryCase(t *testing.T) {
	for file, want := range map[string]int{"dfcu.jsonl": 56, "fintract.jsonl": 63, "fintiv.jsonl": 16, "merchant.jsonl": 10} {
		cases, err := Load(filepath.Join("testdata", file))
		if err != nil {
			t.Fatal(err)
		}
		if len(cases) != want {
			t.Errorf("%s: %d cases, want the %d recorded", file, len(cases), want)
		}
		seen := map[string]bool{}
		for _, c := range cases {
			if seen[c.ID] || c.Request.Method == "" || c.Response.Status == 0 {
				t.Errorf("%s: case %q duplicate or incomplete", file, c.ID)
			}
			seen[c.ID] = true
		}
	}
}
