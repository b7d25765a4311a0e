package fintiv

import (
	"encoding/json"

	"github.com/banklink/banklink-go/internal/credential"
)

// codec puts a session, its facts included, in a session store, in the
// saved form.
type codec struct{}

func (codec) Encode(t *credential.Token) ([]byte, error) { return json.Marshal(sessionOf(t)) }

func (codec) Decode(data []byte) (*credential.Token, error) {
	var s Session
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, err
	}
	return s.token(), nil
}
