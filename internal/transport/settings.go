package transport

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"
)

// Settings are the transport choices a user makes through banklink options.
// Provider holds the provider package's own configuration, which its
// options fill in through ProviderOption.
type Settings struct {
	BaseURL           string
	HTTPClient        *http.Client
	Transport         http.RoundTripper
	Retry             RetryPolicy
	Logger            *slog.Logger
	UserAgent         string
	AllowInsecureHTTP bool
	Timeout           time.Duration
	CallTimeout       time.Duration
	MaxResponseBytes  int64
	Provider          any

	errs []error
}

// OptionFunc is an option applied to Settings.
type OptionFunc func(*Settings)

// Apply applies the option.
func (f OptionFunc) Apply(s *Settings) { f(s) }

// Fail records an invalid option; New reports it.
func (s *Settings) Fail(err error) { s.errs = append(s.errs, err) }

// Err joins the errors of invalid options.
func (s *Settings) Err() error { return errors.Join(s.errs...) }

// ProviderOption returns an option that changes the provider configuration
// of type C, and fails when given to another provider's New.
func ProviderOption[C any](name string, f func(*C) error) OptionFunc {
	return func(s *Settings) {
		c, ok := s.Provider.(*C)
		if !ok {
			s.Fail(fmt.Errorf("option %s belongs to another provider's client", name))
			return
		}
		if err := f(c); err != nil {
			s.Fail(fmt.Errorf("option %s: %w", name, err))
		}
	}
}

// Applier is anything that applies itself to Settings (banklink.Option).
type Applier interface{ Apply(*Settings) }

// Collect applies opts, skipping nil ones, over a provider configuration.
func Collect[O Applier](provider any, opts []O) (Settings, error) {
	s := Settings{Provider: provider}
	for _, o := range opts {
		if any(o) != nil {
			o.Apply(&s)
		}
	}
	return s, s.Err()
}
