package banklink_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/banklinktest"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
	"github.com/banklink/banklink-go/fintiv"
	"github.com/banklink/banklink-go/fintiv/fintivtest"
	"github.com/banklink/banklink-go/fintract"
	"github.com/banklink/banklink-go/fintract/fintracttest"
	"github.com/banklink/banklink-go/merchant"
	"github.com/banklink/banklink-go/merchant/merchanttest"
)

// faulty is a fake with its Controls, and the first call a client makes.
type faulty struct {
	controls interface {
		InjectFaults(route string, faults ...banklinktest.Fault)
	}
	call func(ctx context.Context) error
	op   string
}

// One failure, a 429 asking for a two-minute wait with a request id,
// driven through every provider and read through the one errors.As
// target: the same fields, the same category, the provider's name and
// operation, no secret.
func TestOneFailureReadsTheSameThroughEveryProvider(t *testing.T) {
	ctx := context.Background()
	common := []banklink.Option{banklink.WithRetry(banklink.RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond})}
	with := func(base string, opts ...banklink.Option) []banklink.Option {
		return append(append([]banklink.Option{banklink.WithBaseURL(base)}, common...), opts...)
	}
	providers := map[string]func(t *testing.T) faulty{
		"dfcu": func(t *testing.T) faulty {
			srv := dfcutest.NewServer()
			t.Cleanup(srv.Close)
			c, err := dfcu.New(with(srv.URL, dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword))...)
			require.NoError(t, err)
			t.Cleanup(c.CloseIdleConnections)
			return faulty{srv, func(ctx context.Context) error { _, err := c.Loans(ctx, dfcutest.AccountWithLoans); return err }, "token"}
		},
		"fintract": func(t *testing.T) faulty {
			srv := fintracttest.NewServer()
			t.Cleanup(srv.Close)
			c, err := fintract.New(with(srv.URL)...)
			require.NoError(t, err)
			t.Cleanup(c.CloseIdleConnections)
			return faulty{srv, func(ctx context.Context) error {
				_, err := c.Login(ctx, fintract.LoginRequest{Email: fintracttest.CustomerEmail, Password: fintracttest.CustomerPassword})
				return err
			}, "login"}
		},
		"fintiv": func(t *testing.T) faulty {
			srv := fintivtest.NewServer()
			t.Cleanup(srv.Close)
			c, err := fintiv.New(with(srv.URL, fintiv.WithAPIKey(fintivtest.APIKey), fintiv.WithTenant(fintivtest.Tenant),
				fintiv.WithCredentials(fintivtest.Username, fintivtest.Password))...)
			require.NoError(t, err)
			t.Cleanup(c.CloseIdleConnections)
			return faulty{srv, func(ctx context.Context) error { _, err := c.Me(ctx); return err }, "token"}
		},
		"merchant": func(t *testing.T) faulty {
			srv := merchanttest.NewWallet()
			t.Cleanup(srv.Close)
			c, err := merchant.New(with(srv.URL, merchant.WithCredentials(merchanttest.Email, merchanttest.Password))...)
			require.NoError(t, err)
			t.Cleanup(c.CloseIdleConnections)
			return faulty{srv, func(ctx context.Context) error { _, err := c.Login(ctx); return err }, "login"}
		},
	}
	secrets := []string{dfcutest.DefaultPassword, fintracttest.CustomerPassword, fintivtest.Password, fintivtest.APIKey, merchanttest.Password}
	for provider, setup := range providers {
		t.Run(provider, func(t *testing.T) {
			f := setup(t)
			f.controls.InjectFaults(banklinktest.AnyRoute, banklinktest.Fault{
				Status: http.StatusTooManyRequests, RetryAfter: "120",
				Header: http.Header{"X-Request-Id": {"req-" + provider}},
				Body:   `{"detail":"Request was throttled."}`,
			})
			err := f.call(ctx)

			var e *banklink.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, provider, e.Provider)
			assert.Contains(t, e.Op, f.op)
			assert.Equal(t, banklink.ErrRateLimited, e.Category)
			assert.ErrorIs(t, err, banklink.ErrRateLimited)
			assert.False(t, errors.Is(err, banklink.ErrUnauthorized), "an outage is never bad credentials")
			assert.Equal(t, http.StatusTooManyRequests, e.StatusCode)
			assert.Equal(t, http.MethodPost, e.Method)
			assert.NotEmpty(t, e.Path)
			assert.Equal(t, "req-"+provider, e.RequestID)
			assert.Equal(t, 2*time.Minute, e.RetryAfter)
			assert.Contains(t, e.Snippet, "throttled")
			assert.True(t, strings.HasPrefix(e.Error(), provider+" "), e.Error())
			for _, s := range secrets {
				assert.NotContains(t, err.Error(), s)
			}
		})
	}
}

// Configuration and input mistakes are typed too, for every provider.
func TestConfigAndInputErrorsAreTyped(t *testing.T) {
	news := map[string]func() error{
		"dfcu":     func() error { _, err := dfcu.New(banklink.WithBaseURL("https://x.example/")); return err },
		"fintract": func() error { _, err := fintract.New(banklink.WithBaseURL("ftp://x")); return err },
		"fintiv":   func() error { _, err := fintiv.New(banklink.WithBaseURL("https://x.example/")); return err },
		"merchant": func() error { _, err := merchant.NewNIP(banklink.WithBaseURL("https://x.example/")); return err },
	}
	for provider, build := range news {
		err := build()
		var ce *banklink.ConfigError
		require.ErrorAs(t, err, &ce, provider)
		assert.Equal(t, provider, ce.Provider)
		assert.ErrorIs(t, err, banklink.ErrInvalidConfig)
	}
	_, err := dfcu.New(banklink.WithBaseURL("http://loans.example.com/"), dfcu.WithCredentials("u", "p"))
	assert.ErrorIs(t, err, banklink.ErrInvalidConfig)
	assert.ErrorIs(t, err, banklink.ErrInsecureURL)
	_, err = dfcu.New(fintiv.WithAPIKey("k"))
	assert.ErrorIs(t, err, banklink.ErrInvalidConfig, "another provider's option")

	c, err := dfcu.New(banklink.WithBaseURL("https://loans.example.com/"), dfcu.WithCredentials("u", "p"))
	require.NoError(t, err)
	_, err = c.Loans(context.Background(), " ")
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, banklink.ErrInvalidRequest, e.Category)
	assert.Equal(t, "loans", e.Op)
	assert.Zero(t, e.StatusCode, "refused before sending")
	assert.Contains(t, e.FieldErrors, "account")
}
