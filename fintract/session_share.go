package fintract

import (
	"encoding/json"

	"github.com/banklink/banklink-go/internal/credential"
)

// codec puts the client's session, its user included, in a session
// store, in the saved form.
type codec struct{ c *Client }

func (k codec) Encode(t *credential.Token) ([]byte, error) {
	s := Session{Access: t.Access, Refresh: t.Refresh, AccessExpiry: t.AccessExpiry, RefreshExpiry: t.RefreshExpiry}
	if u := k.c.user.Load(); u != nil {
		s.SessionUser = *u
	}
	return json.Marshal(s)
}

func (k codec) Decode(data []byte) (*credential.Token, error) {
	var s Session
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, err
	}
	u := s.SessionUser
	k.c.user.Store(&u)
	return s.token(), nil
}
