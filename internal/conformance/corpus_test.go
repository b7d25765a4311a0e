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
	cases, err := Load(filepath.Join("testdata", "dfcu.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 56 {
		t.Errorf("%d DFCU cases, want the 56 recorded", len(cases))
	}
	seen := map[string]bool{}
	for _, c := range cases {
		if seen[c.ID] || c.Request.Method == "" || c.Response.Status == 0 {
			t.Errorf("case %q: duplicate or incomplete", c.ID)
		}
		seen[c.ID] = true
	}
}
