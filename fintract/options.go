package fintract

import (
	"context"
	"errors"

	"github.com/banklink/banklink-go/internal/transport"
)

// OTPFunc returns the OTP the server sent for a login challenge, e.g. by
// asking a person or reading a test inbox. It may block until ctx ends.
type OTPFunc func(ctx context.Context, c Challenge) (otp string, err error)

// WithSession restores a session saved from Client.Session.
func WithSession(s Session) Option {
	return transport.ProviderOption("fintract.WithSession", func(c *config) error {
		if s.Access == "" && s.Refresh == "" {
			return errors.New("the session has neither an access nor a refresh token")
		}
		c.session = &s
		return nil
	})
}

// WithCredentials stores the login the client repeats when its session can
// no longer be refreshed. A new session also needs an OTP: give
// WithOTPCallback too, or such calls fail with [banklink.ErrReauthRequired].
func WithCredentials(login LoginRequest) Option {
	return transport.ProviderOption("fintract.WithCredentials", func(c *config) error {
		l, err := login.check("login")
		if err != nil {
			return err
		}
		c.login = &l
		return nil
	})
}

// WithOTPCallback sets the function asked for the OTP when the client logs
// in again by itself (see WithCredentials).
func WithOTPCallback(f OTPFunc) Option {
	return transport.ProviderOption("fintract.WithOTPCallback", func(c *config) error {
		if f == nil {
			return errors.New("nil OTP callback")
		}
		c.otp = f
		return nil
	})
}
