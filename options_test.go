package banklink_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/internal/transport"
)

func collect(opts ...banklink.Option) (banklink.Options, error) {
	var provider struct{}
	return transport.Collect(&provider, opts)
}

func TestOptionsFillSettings(t *testing.T) {
	hc := &http.Client{Timeout: time.Second}
	rt := http.DefaultTransport
	s, err := collect(
		banklink.WithBaseURL("https://api.example.com/"),
		banklink.WithHTTPClient(hc),
		banklink.WithTransport(rt),
		banklink.WithRetry(banklink.RetryPolicy{MaxRetries: 7}),
		banklink.WithUserAgent("svc/1"),
		banklink.WithInsecureHTTP(),
		banklink.WithTimeout(3*time.Second),
		banklink.WithMaxResponseBytes(99),
	)
	require.NoError(t, err)
	assert.Equal(t, "https://api.example.com/", s.BaseURL)
	assert.Same(t, hc, s.HTTPClient)
	assert.Equal(t, 7, s.Retry.MaxRetries)
	assert.Equal(t, "svc/1", s.UserAgent)
	assert.True(t, s.AllowInsecureHTTP)
	assert.Equal(t, 3*time.Second, s.Timeout)
	assert.Equal(t, int64(99), s.MaxResponseBytes)
}

func TestInvalidOptionsAreReported(t *testing.T) {
	_, err := collect(banklink.WithHTTPClient(nil), banklink.WithTransport(nil), banklink.WithTimeout(-1), banklink.WithMaxResponseBytes(0))
	require.Error(t, err)
	for _, name := range []string{"WithHTTPClient", "WithTransport", "WithTimeout", "WithMaxResponseBytes"} {
		assert.Contains(t, err.Error(), name)
	}
}

// Regression (#11.3): a typed-nil *http.Transport was accepted and
// panicked on the first call.
func TestTypedNilTransportIsRefusedAtNew(t *testing.T) {
	var tr *http.Transport
	_, err := collect(banklink.WithTransport(tr))
	assert.ErrorContains(t, err, "WithTransport: nil RoundTripper")
	_, err = collect(banklink.WithHTTPClient(&http.Client{Transport: tr}))
	assert.ErrorContains(t, err, "WithHTTPClient")
	_, err = dfcu.New(banklink.WithBaseURL("https://api.example.com"), dfcu.WithCredentials("u", "p"), banklink.WithTransport(tr))
	assert.Error(t, err)
	_, err = collect(banklink.WithCallTimeout(0))
	assert.ErrorContains(t, err, "WithCallTimeout")
}

func TestProviderOptionRefusesAnotherProvidersClient(t *testing.T) {
	type dfcuConfig struct{ user string }
	opt := transport.ProviderOption("dfcu.WithCredentials", func(c *dfcuConfig) error { c.user = "u"; return nil })
	_, err := collect(opt) // collected for a provider whose config is another type
	assert.ErrorContains(t, err, "dfcu.WithCredentials belongs to another provider")

	var cfg dfcuConfig
	_, err = transport.Collect(&cfg, []banklink.Option{opt})
	require.NoError(t, err)
	assert.Equal(t, "u", cfg.user)

	failing := transport.ProviderOption("x.WithThing", func(*dfcuConfig) error { return errors.New("bad thing") })
	_, err = transport.Collect(&cfg, []banklink.Option{failing})
	assert.ErrorContains(t, err, "option x.WithThing: bad thing")
}

func TestCategoriesAreDistinct(t *testing.T) {
	all := []error{banklink.ErrUnauthorized, banklink.ErrSessionExpired, banklink.ErrForbidden, banklink.ErrNotFound,
		banklink.ErrInvalidRequest, banklink.ErrRateLimited, banklink.ErrServerError, banklink.ErrRetriesExhausted,
		banklink.ErrResponseTooLarge, banklink.ErrInsecureURL, banklink.ErrRedirectRefused, banklink.ErrReauthRequired,
		banklink.ErrUnavailable}
	for i, a := range all {
		for j, b := range all {
			want := i == j || (a == banklink.ErrSessionExpired && b == banklink.ErrUnauthorized)
			assert.Equal(t, want, errors.Is(a, b), "%v is %v", a, b)
		}
	}
}
