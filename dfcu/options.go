package dfcu

import (
	"errors"
	"strings"

	"github.com/banklink/banklink-go/internal/transport"
)

// WithCredentials sets the username and password the client logs in with,
// on first use and whenever the refresh token is refused. They are kept in
// memory only and never logged.
func WithCredentials(username, password string) Option {
	return transport.ProviderOption("dfcu.WithCredentials", func(c *config) error {
		if strings.TrimSpace(username) == "" || password == "" {
			return errors.New("username and password must not be empty")
		}
		c.username, c.password = username, password
		return nil
	})
}

// WithSession restores a session saved from Client.Session, so a restarted
// service need not log in again. With credentials set too, the client logs
// in when the restored session can no longer be refreshed.
func WithSession(s Session) Option {
	return transport.ProviderOption("dfcu.WithSession", func(c *config) error {
		if s.Access == "" && s.Refresh == "" {
			return errors.New("the session has neither an access nor a refresh token")
		}
		c.session = &s
		return nil
	})
}
