package fintiv

import (
	"encoding/json"

	"github.com/banklink/banklink-go/internal/credential"
)

// codec puts the client's session, its facts included, in a session
// store, in the saved form.
type codec struct{ c *Client }

func (k codec) Encode(t *credential.Token) ([]byte, error) {
	s := Session{Access: t.Access, Refresh: t.Refresh, AccessExpiry: t.AccessExpiry}
	if f := k.c.facts.Load(); f != nil {
		s.SessionFacts = *f
	}
	return json.Marshal(s)
}

func (k codec) Decode(data []byte) (*credential.Token, error) {
	var s Session
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, err
	}
	f := s.SessionFacts
	k.c.facts.Store(&f)
	return s.token(), nil
}
