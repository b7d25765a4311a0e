package fintiv

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestMillisReadsNumbersAndNumericStrings(t *testing.T) {
	at := time.UnixMilli(1700000000000).UTC()
	for in, want := range map[string]time.Time{
		`1700000000000`: at, `"1700000000000"`: at, `" 1700000000000 "`: at,
		`null`: {}, `0`: {}, `-5`: {}, `1.5e3`: {}, `"soon"`: {}, `99999999999999999999`: {}, `true`: {}, `{"a":1}`: {},
	} {
		var p struct {
			At Millis `json:"at"`
		}
		assert.NoError(t, json.Unmarshal([]byte(`{"at":`+in+`}`), &p), in) // never breaks the whole value
		assert.Equal(t, want, p.At.Time, in)
	}
}
