package merchant

import (
	"errors"
	"strings"

	"github.com/banklink/banklink-go/internal/transport"
)

// WithCredentials sets the email and password (plain text) the client logs
// in with, on first use and whenever the refresh is refused.
func WithCredentials(email, password string) Option {
	return transport.ProviderOption("merchant.WithCredentials", func(c *config) error {
		if strings.TrimSpace(email) == "" || password == "" {
			return errors.New("email and password must not be empty")
		}
		c.email, c.password = strings.TrimSpace(email), password
		return nil
	})
}

// WithSession restores a session saved from Client.Session.
func WithSession(s Session) Option {
	return transport.ProviderOption("merchant.WithSession", func(c *config) error {
		if s.Access == "" || s.Refresh == "" {
			return errors.New("a session needs both tokens")
		}
		c.session = &s
		return nil
	})
}

// WithNIPCredentials sets the NIP service's username and password, sent in
// the body of every name enquiry (required by NewNIP).
func WithNIPCredentials(username, password string) Option {
	return transport.ProviderOption("merchant.WithNIPCredentials", func(c *nipConfig) error {
		if strings.TrimSpace(username) == "" || password == "" {
			return errors.New("username and password must not be empty")
		}
		c.username, c.password = username, password
		return nil
	})
}
