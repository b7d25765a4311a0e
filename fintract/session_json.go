package fintract

import "github.com/banklink/banklink-go/internal/sessionjson"

// MarshalJSON writes the SDK's versioned session form, the same for every
// provider:
//
//	{"version":1,"provider":"fintract","access_token":"…","refresh_token":"…","access_expiry":"…","refresh_expiry":"…","user":{"user_id":…}}
//
// It holds the tokens: store it as you would a password.
func (s Session) MarshalJSON() ([]byte, error) {
	return sessionjson.Marshal(sessionjson.Form{Provider: "fintract", Access: s.Access, Refresh: s.Refresh, AccessExpiry: s.AccessExpiry, RefreshExpiry: s.RefreshExpiry}, s.SessionUser)
}

// UnmarshalJSON reads the versioned session form, and the unversioned one
// this package wrote before it. A session of another provider, or of a
// newer form than this SDK knows, is an error.
func (s *Session) UnmarshalJSON(b []byte) error {
	var u SessionUser
	f, err := sessionjson.Read(b, "fintract", &u)
	if err != nil {
		return err
	}
	*s = Session{SessionUser: u, Access: f.Access, Refresh: f.Refresh, AccessExpiry: f.AccessExpiry, RefreshExpiry: f.RefreshExpiry}
	return nil
}
