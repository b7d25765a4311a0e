package reliability_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

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

// op is one call a probe makes, and the fake route that serves it.
type op struct {
	name  string
	route string
	call  func(context.Context) error
}

// server is what the suite needs of a fake.
type server interface {
	InjectFaults(route string, faults ...banklinktest.Fault)
	Calls(route string) int
	Requests() int
	ResetCounts()
	Close()
}

// probe is a provider's client, logged in, against a fresh fake.
type probe struct {
	provider     string
	srv          server
	read         op  // an idempotent call
	write        *op // a call with side effects, if the provider has one
	expire       func()
	refreshRoute string
	badInput     []op // calls refused before sending
}

// tryTimeout is the suite's per-try timeout: short enough for the row
// that never answers, and far above the work of any other row (reading
// 4 MiB under -race on a loaded 2-core machine takes well under 200 ms).
const tryTimeout = 2 * time.Second

// The clients' settings for the suite: fast retries, tryTimeout.
func common(base string) []banklink.Option {
	return []banklink.Option{
		banklink.WithBaseURL(base),
		banklink.WithRetry(banklink.RetryPolicy{MaxRetries: 3, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}),
		banklink.WithTimeout(tryTimeout),
	}
}

func probes(t *testing.T) []func(t *testing.T) *probe {
	return []func(t *testing.T) *probe{dfcuProbe, fintractProbe, fintivProbe, merchantProbe, nipProbe}
}

func dfcuProbe(t *testing.T) *probe {
	srv := dfcutest.NewServer()
	c, err := dfcu.New(append(common(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword))...)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	_, err = c.Login(context.Background())
	require.NoError(t, err)
	return &probe{
		provider: "dfcu", srv: srv, expire: srv.ExpireAccessTokens, refreshRoute: dfcutest.RouteRefresh,
		read: op{"Loans", dfcutest.RouteLoans, func(ctx context.Context) error {
			_, err := c.Loans(ctx, dfcutest.AccountWithLoans)
			return err
		}},
		badInput: []op{{"Loans(\"  \")", dfcutest.RouteLoans, func(ctx context.Context) error {
			_, err := c.Loans(ctx, "  ")
			return err
		}}},
	}
}

func fintractProbe(t *testing.T) *probe {
	srv := fintracttest.NewServer()
	c, err := fintract.New(common(srv.URL)...)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	ctx := context.Background()
	ch, err := c.Login(ctx, fintract.LoginRequest{Email: fintracttest.CustomerEmail, Password: fintracttest.CustomerPassword})
	require.NoError(t, err)
	otp, _ := srv.OTP(fintracttest.CustomerEmail)
	s, err := c.VerifyOTP(ctx, ch.UserID, otp)
	require.NoError(t, err)
	return &probe{
		provider: "fintract", srv: srv, expire: srv.ExpireAccessTokens, refreshRoute: fintracttest.RouteRefresh,
		read: op{"UserInfo", fintracttest.RouteInfo, func(ctx context.Context) error {
			_, err := c.UserInfo(ctx, s.UserID)
			return err
		}},
		write: &op{"Deactivate", fintracttest.RouteDeactivate, c.Deactivate},
		badInput: []op{
			{"VerifyOTP(id, \"\")", fintracttest.RouteVerifyOTP, func(ctx context.Context) error {
				_, err := c.VerifyOTP(ctx, s.UserID, " ")
				return err
			}},
			{"Register(password2 differs)", fintracttest.RouteRegister, func(ctx context.Context) error {
				_, err := c.Register(ctx, fintract.RegisterRequest{Email: "a@b.co", Username: "a", Name: "A", Password: "x", Password2: "y", Phone: "1"})
				return err
			}},
			{"UploadFile(name with a newline)", fintracttest.RouteUpload, func(ctx context.Context) error {
				_, err := c.UploadFile(ctx, fintract.File{Name: "a\nb", Body: strings.NewReader("x")})
				return err
			}},
			{"UploadFile(content type with CR/LF)", fintracttest.RouteUpload, func(ctx context.Context) error {
				_, err := c.UploadFile(ctx, fintract.File{Name: "a.png", ContentType: "image/png\r\nContent-Disposition: form-data; name=\"x\"", Body: strings.NewReader("x")})
				return err
			}},
		},
	}
}

func fintivProbe(t *testing.T) *probe {
	srv := fintivtest.NewServer()
	c, err := fintiv.New(append(common(srv.URL), fintiv.WithAPIKey(fintivtest.APIKey), fintiv.WithTenant(fintivtest.Tenant),
		fintiv.WithCredentials(fintivtest.Username, fintivtest.Password))...)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	s, err := c.Login(context.Background())
	require.NoError(t, err)
	return &probe{
		provider: "fintiv", srv: srv, expire: srv.ExpireAccessTokens, refreshRoute: fintivtest.RouteToken,
		read: op{"Me", fintivtest.RouteMyInfo, func(ctx context.Context) error {
			_, err := c.Me(ctx)
			return err
		}},
		write: &op{"ChangePIN", fintivtest.RouteChangePIN, func(ctx context.Context) error { return c.ChangePIN(ctx, fintivtest.PIN, "4321") }},
		badInput: []op{{"ValidatePIN(uuid, \"12a4\")", fintivtest.RouteValidatePIN, func(ctx context.Context) error {
			_, err := c.ValidatePIN(ctx, s.UUID, "12a4")
			return err
		}}},
	}
}

func merchantProbe(t *testing.T) *probe {
	srv := merchanttest.NewWallet()
	c, err := merchant.New(append(common(srv.URL), merchant.WithCredentials(merchanttest.Email, merchanttest.Password))...)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	_, err = c.Login(context.Background())
	require.NoError(t, err)
	return &probe{
		provider: "merchant", srv: srv, expire: srv.ExpireAccessTokens, refreshRoute: merchanttest.RouteRefresh,
		read: op{"Do(GET profile)", merchanttest.RouteProfile, func(ctx context.Context) error {
			_, err := merchant.Do[merchant.Merchant](ctx, c, banklink.Request{Auth: true, Method: http.MethodGet, Path: "/merchant/profile"})
			return err
		}},
		write: &op{"Do(POST callback)", merchanttest.RouteCallback, func(ctx context.Context) error {
			_, err := merchant.Do[map[string]string](ctx, c, banklink.Request{Auth: true, Method: http.MethodPost, Path: "/merchant/callback",
				Body: map[string]string{"callbackURL": "https://shop.example/hook"}})
			return err
		}},
		badInput: []op{{"ForgotPassword(\"not-an-email\")", merchanttest.RoutePasswordForget, func(ctx context.Context) error {
			return c.ForgotPassword(ctx, "not-an-email")
		}}},
	}
}

func nipProbe(t *testing.T) *probe {
	srv := merchanttest.NewNIP()
	n, err := merchant.NewNIP(append(common(srv.URL), merchant.WithNIPCredentials(merchanttest.NIPUsername, merchanttest.NIPPassword))...)
	require.NoError(t, err)
	t.Cleanup(n.CloseIdleConnections)
	return &probe{
		provider: "merchant NIP", srv: srv,
		read: op{"AccountName", merchanttest.RouteNIPAccount, func(ctx context.Context) error {
			_, err := n.AccountName(ctx, merchanttest.NIPAccount, merchanttest.NIPBank)
			return err
		}},
		badInput: []op{
			{"AccountName(9 digits)", merchanttest.RouteNIPAccount, func(ctx context.Context) error {
				_, err := n.AccountName(ctx, "101899619", merchanttest.NIPBank)
				return err
			}},
			{"AccountName(bank code with a letter)", merchanttest.RouteNIPAccount, func(ctx context.Context) error {
				_, err := n.AccountName(ctx, merchanttest.NIPAccount, "11000O")
				return err
			}},
		},
	}
}
