package fintiv

import "github.com/banklink/banklink-go/internal/sessionjson"

// MarshalJSON writes the SDK's versioned session form, the same for every
// provider:
//
//	{"version":1,"provider":"fintiv","access_token":"…","refresh_token":"…","access_expiry":"…","user":{"uuid":…}}
//
// It holds the tokens: store it as you would a password.
func (s Session) MarshalJSON() ([]byte, error) {
	return sessionjson.Marshal(sessionjson.Form{Provider: "fintiv", Access: s.Access, Refresh: s.Refresh, AccessExpiry: s.AccessExpiry}, s.SessionFacts)
}

// UnmarshalJSON reads the versioned session form, and the unversioned one
// this package wrote before it. A session of another provider, or of a
// newer form than this SDK knows, is an error.
func (s *Session) UnmarshalJSON(b []byte) error {
	var u SessionFacts
	f, err := sessionjson.Read(b, "fintiv", &u)
	if err != nil {
		return err
	}
	*s = Session{SessionFacts: u, Access: f.Access, Refresh: f.Refresh, AccessExpiry: f.AccessExpiry}
	return nil
}
