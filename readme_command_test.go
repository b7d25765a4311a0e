package banklink_test

import (
	"os"
	"strings"
	"testing"
)

// The README's test command is what CI runs, word for word: every line of
// README.md and CONTRIBUTING.md that runs the suite is a line of .ci/run.
func TestCIRunsTheREADMEsTestCommand(t *testing.T) {
	ci, err := os.ReadFile(".ci/run")
	if err != nil {
		t.Fatal(err)
	}
	ciLines := map[string]bool{}
	for _, l := range strings.Split(string(ci), "\n") {
		ciLines[strings.TrimSpace(l)] = true
	}
	for _, doc := range []string{"README.md", "CONTRIBUTING.md"} {
		text, err := os.ReadFile(doc)
		if err != nil {
			t.Fatal(err)
		}
		found := 0
		for _, l := range strings.Split(string(text), "\n") {
			l = strings.TrimSpace(l)
			if !strings.Contains(l, "go test -race github.com/banklink/banklink-go/") {
				continue
			}
			found++
			if !ciLines[l] {
				t.Errorf("%s runs the suite with\n\t%s\nwhich .ci/run does not", doc, l)
			}
		}
		if found == 0 {
			t.Errorf("%s gives no test command", doc)
		}
	}
}
