package merchant

import (
	"github.com/banklink/banklink-go/internal/credential"
	"github.com/banklink/banklink-go/internal/sessionjson"
)

// codec puts a session in a session store: the saved form, with the
// account of the last login or refresh as its "user" member.
type codec struct{}

func (codec) Encode(t *credential.Token) ([]byte, error) {
	var user any
	if a, ok := t.Facts.(*Account); ok {
		user = a
	}
	return sessionjson.Marshal(sessionjson.Form{Provider: "merchant", Access: t.Access, Refresh: t.Refresh}, user)
}

func (codec) Decode(data []byte) (*credential.Token, error) {
	var a *Account // stays nil when the session has no account
	f, err := sessionjson.Read(data, "merchant", &a)
	if err != nil {
		return nil, err
	}
	t := &credential.Token{Access: f.Access, Refresh: f.Refresh}
	if a != nil {
		t.Facts = a
	}
	return t, nil
}
