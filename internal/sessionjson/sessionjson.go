// Package sessionjson is the one saved-session JSON form every provider's
// Session marshals to:
//
//	{"version":1,"provider":"dfcu","access_token":"…","refresh_token":"…",
//	 "access_expiry":"2026-12-02T10:00:00Z","refresh_expiry":"…","user":{…}}
//
// The keys are the same for every provider; expiries appear where known;
// "user" holds what the provider's token answer said about the user
// (absent when nothing). Sessions saved before the form was versioned
// (no "version" key) are read by each provider's legacy reader.
package sessionjson

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Version is the form's version.
const Version = 1

// Form is the saved form.
type Form struct {
	Version       int             `json:"version"`
	Provider      string          `json:"provider"`
	Access        string          `json:"access_token,omitempty"`
	Refresh       string          `json:"refresh_token,omitempty"`
	AccessExpiry  time.Time       `json:"access_expiry,omitzero"`
	RefreshExpiry time.Time       `json:"refresh_expiry,omitzero"`
	User          json.RawMessage `json:"user,omitempty"`
}

// Marshal writes f at the current version, with user (when not nil) as
// its "user" member.
func Marshal(f Form, user any) ([]byte, error) {
	f.Version = Version
	if user != nil {
		u, err := json.Marshal(user)
		if err != nil {
			return nil, err
		}
		if !bytes.Equal(u, []byte("{}")) {
			f.User = u
		}
	}
	return json.Marshal(f)
}

// Unmarshal reads a session of provider. ok is false, with no error, when
// b is a JSON object without "version": a session saved before the form
// was versioned, for the provider's legacy reader. A session of another
// provider, or of a version this SDK does not know, is an error.
func Unmarshal(b []byte, provider string) (f Form, ok bool, err error) {
	var probe struct {
		Version *int `json:"version"`
	}
	if err := json.Unmarshal(b, &probe); err != nil {
		return Form{}, false, fmt.Errorf("%s: saved session: %w", provider, err)
	}
	if probe.Version == nil {
		return Form{}, false, nil
	}
	if err := json.Unmarshal(b, &f); err != nil {
		return Form{}, false, fmt.Errorf("%s: saved session: %w", provider, err)
	}
	switch {
	case f.Version < 1 || f.Version > Version:
		return Form{}, false, fmt.Errorf("%s: saved session has version %d; this SDK reads version %d", provider, f.Version, Version)
	case f.Provider != provider:
		return Form{}, false, fmt.Errorf("%s: saved session belongs to provider %q", provider, f.Provider)
	}
	return f, true, nil
}

// Read reads a saved session of provider, versioned or not, and decodes
// its user facts into user (a pointer; nil for none). A session saved
// before the form was versioned has the facts at the top level and its
// tokens under "access"/"refresh" (dfcu, fintract) or
// "access_token"/"refresh_token" (fintiv, merchant).
func Read(b []byte, provider string, user any) (Form, error) {
	f, ok, err := Unmarshal(b, provider)
	if err != nil {
		return Form{}, err
	}
	if ok {
		if user != nil && len(f.User) > 0 && string(f.User) != "null" {
			if err := json.Unmarshal(f.User, user); err != nil {
				return Form{}, fmt.Errorf("%s: saved session: user: %w", provider, err)
			}
		}
		return f, nil
	}
	var old struct {
		Access        string    `json:"access"`
		Refresh       string    `json:"refresh"`
		AccessToken   string    `json:"access_token"`
		RefreshToken  string    `json:"refresh_token"`
		AccessExpiry  time.Time `json:"access_expiry"`
		RefreshExpiry time.Time `json:"refresh_expiry"`
	}
	if err := json.Unmarshal(b, &old); err != nil {
		return Form{}, fmt.Errorf("%s: saved session: %w", provider, err)
	}
	f = Form{Version: Version, Provider: provider, Access: old.Access, Refresh: old.Refresh,
		AccessExpiry: old.AccessExpiry, RefreshExpiry: old.RefreshExpiry}
	if f.Access == "" {
		f.Access = old.AccessToken
	}
	if f.Refresh == "" {
		f.Refresh = old.RefreshToken
	}
	if user != nil {
		if err := json.Unmarshal(b, user); err != nil {
			return Form{}, fmt.Errorf("%s: saved session: user: %w", provider, err)
		}
	}
	return f, nil
}
