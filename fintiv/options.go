package fintiv

import (
	"errors"
	"strings"

	"github.com/banklink/banklink-go/internal/transport"
)

// WithAPIKey sets the APP key sent in the api-key header of every request
// (required). It is never logged or put in an error.
func WithAPIKey(key string) Option {
	return transport.ProviderOption("fintiv.WithAPIKey", func(c *config) error {
		if strings.TrimSpace(key) == "" || strings.ContainsAny(key, "\r\n") {
			return errors.New("the APP key must be a non-empty single line")
		}
		c.apiKey = key
		return nil
	})
}

// WithTenant sets the tenant sent in the tenantName header (e.g. "JANUS").
func WithTenant(name string) Option {
	return transport.ProviderOption("fintiv.WithTenant", func(c *config) error {
		if strings.TrimSpace(name) == "" || strings.ContainsAny(name, "\r\n") {
			return errors.New("the tenant must be a non-empty single line")
		}
		c.tenant = name
		return nil
	})
}

// WithCredentials sets the user the client logs in as (password grant) on
// first use and whenever the refresh grant fails.
func WithCredentials(username, password string) Option {
	return transport.ProviderOption("fintiv.WithCredentials", func(c *config) error {
		if strings.TrimSpace(username) == "" || password == "" {
			return errors.New("username and password must not be empty")
		}
		c.username, c.password = username, password
		return nil
	})
}

// WithSession restores a session saved from Client.Session.
func WithSession(s Session) Option {
	return transport.ProviderOption("fintiv.WithSession", func(c *config) error {
		if s.Access == "" && s.Refresh == "" {
			return errors.New("the session has neither an access nor a refresh token")
		}
		c.session = &s
		return nil
	})
}
