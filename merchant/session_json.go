package merchant

import "github.com/banklink/banklink-go/internal/sessionjson"

// MarshalJSON writes the SDK's versioned session form, the same for every
// provider:
//
//	{"version":1,"provider":"merchant","access_token":"…","refresh_token":"…"}
//
// It holds the tokens: store it as you would a password.
func (s Session) MarshalJSON() ([]byte, error) {
	return sessionjson.Marshal(sessionjson.Form{Provider: "merchant", Access: s.Access, Refresh: s.Refresh}, nil)
}

// UnmarshalJSON reads the versioned session form, and the unversioned one
// this package wrote before it. A session of another provider, or of a
// newer form than this SDK knows, is an error.
func (s *Session) UnmarshalJSON(b []byte) error {
	f, err := sessionjson.Read(b, "merchant", nil)
	if err != nil {
		return err
	}
	*s = Session{Access: f.Access, Refresh: f.Refresh}
	return nil
}
