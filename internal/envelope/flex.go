package envelope

import (
	"bytes"
	"encoding/json"
)

// FlexString decodes a JSON string or number (or null) as its text, for
// fields that servers send either way.
type FlexString string

func (f *FlexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case len(b) >= 2 && b[0] == '"' && bytes.IndexByte(b, '\\') < 0:
		*f = FlexString(b[1 : len(b)-1]) // no escapes: the text as is
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = FlexString(s)
		return nil
	case bytes.Equal(b, []byte("null")):
		*f = ""
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*f = FlexString(n)
	return nil
}
