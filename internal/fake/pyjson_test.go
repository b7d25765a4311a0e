package fake

import "testing"

// The messages Python 3's json.loads gives for each document (recorded
// with CPython), which DRF puts in its "JSON parse error - …".
func TestPythonJSONErrorMatchesPython(t *testing.T) {
	for doc, want := range map[string]string{
		`{"username":`:     "Expecting value: line 1 column 13 (char 12)",
		`{"account":`:      "Expecting value: line 1 column 12 (char 11)",
		`{"a":1,}`:         "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)",
		`{"a" 1}`:          "Expecting ':' delimiter: line 1 column 6 (char 5)",
		`{"a":1 "b":2}`:    "Expecting ',' delimiter: line 1 column 8 (char 7)",
		`[1,2`:             "Expecting ',' delimiter: line 1 column 5 (char 4)",
		`{"a":"x`:          "Unterminated string starting at: line 1 column 6 (char 5)",
		`{} x`:             "Extra data: line 1 column 4 (char 3)",
		"{\"a\":\n 1,\n}":  "Expecting property name enclosed in double quotes: line 3 column 1 (char 10)",
		`{"a":tru}`:        "Expecting value: line 1 column 6 (char 5)",
		`{"é":1,`:          "Expecting property name enclosed in double quotes: line 1 column 8 (char 7)",
		`{"a":1}`:          "",
		`[1, 2.5e3, null]`: "",
	} {
		if got := PythonJSONError([]byte(doc)); got != want {
			t.Errorf("%q: %q, want %q", doc, got, want)
		}
	}
}
