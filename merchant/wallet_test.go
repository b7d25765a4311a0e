package merchant_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/banklink/banklink-go/internal/testutil"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/merchant"
	"github.com/banklink/banklink-go/merchant/merchanttest"
)

func profile(c *merchant.Client) (merchant.Merchant, error) {
	return merchant.Do[merchant.Merchant](context.Background(), c, banklink.Request{Auth: true, Method: "GET", Path: "/merchant/profile", Idempotent: true})
}

func TestLoginRefreshLogout(t *testing.T) {
	w := newWallet(t)
	c := newClient(t, w)
	ctx := context.Background()

	s0, err := c.Login(ctx)
	require.NoError(t, err)
	a, _ := c.Account()
	assert.Equal(t, "Samson", a.User.FirstName)
	assert.Equal(t, "SANDBOX", a.Merchant.Mode)
	require.NotNil(t, a.Merchant.Owner)
	s1, ok := c.Session()
	require.True(t, ok)
	assert.Equal(t, s0, s1, "Login returns the session it made")
	assert.Len(t, s1.Access, 48)

	m, err := profile(c)
	require.NoError(t, err)
	assert.Equal(t, "Caleb", m.BusinessName)

	r, err := c.Refresh(ctx)
	require.NoError(t, err)
	a, _ = c.Account()
	assert.Nil(t, a.Merchant.Owner, "owner is absent on refresh")
	s2, _ := c.Session()
	assert.Equal(t, r, s2, "Refresh returns the new session")
	assert.NotEqual(t, s1.Access, s2.Access)
	assert.NotEqual(t, s1.Refresh, s2.Refresh, "both tokens rotate")
	_, err = profile(c)
	require.NoError(t, err)

	require.NoError(t, c.Logout(ctx), "an empty 200 body is fine")
	_, ok = c.Session()
	assert.False(t, ok, "the session is forgotten")
	require.NoError(t, c.Logout(ctx), "logging out twice is a no-op")

	_, err = profile(c)
	require.NoError(t, err, "the next call logs in again")
	assert.Equal(t, 2, w.Calls(merchanttest.RouteLogin))
	assert.Zero(t, w.StaleRefreshUses())
}

func TestEveryAuthenticatedCallCarriesBothHeaders(t *testing.T) {
	w := newWallet(t, merchanttest.WithRotationOnEveryAnswer())
	c := newClient(t, w)
	for range 5 {
		_, err := profile(c)
		require.NoError(t, err, "each answer's pair is taken and sent next")
	}
	current, stale := w.PairUses()
	assert.Equal(t, 5, current)
	assert.Zero(t, stale)
	assert.Equal(t, 1, w.Calls(merchanttest.RouteLogin))
	assert.Zero(t, w.Calls(merchanttest.RouteRefresh))
}

func TestExpiredAccessRefreshesOnceFor100Callers(t *testing.T) {
	for _, status := range []int{http.StatusUnauthorized, http.StatusForbidden} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			w := newWallet(t, merchanttest.WithRefusalStatus(status))
			c := newClient(t, w)
			_, err := c.Login(context.Background())
			require.NoError(t, err)
			w.ExpireAccessTokens()

			testutil.RunConcurrently(t, 100, func() error {
				_, err := profile(c)
				return err
			})
			assert.Equal(t, 1, w.Calls(merchanttest.RouteRefresh), "exactly one refresh")
			assert.Zero(t, w.StaleRefreshUses(), "the spent refresh token is never presented again")
			current, stale := w.PairUses()
			assert.Equal(t, 100, current, "every call ends on the new pair")
			assert.Equal(t, w.Calls(merchanttest.RouteProfile)-100, stale, "only first attempts carried the old pair")
			assert.LessOrEqual(t, stale, 100, "no call was refused twice")

			s, _ := c.Session()
			for range 3 {
				_, err := profile(c)
				require.NoError(t, err)
			}
			s2, _ := c.Session()
			assert.Equal(t, s.Access, s2.Access, "calls afterwards use the new pair")
		})
	}
}

func TestRefusedRefreshLogsInOnce(t *testing.T) {
	w := newWallet(t)
	c := newClient(t, w)
	_, err := c.Login(context.Background())
	require.NoError(t, err)
	w.ExpireAccessTokens()
	w.RevokeRefreshTokens()

	testutil.RunConcurrently(t, 50, func() error {
		_, err := profile(c)
		return err
	})
	assert.Equal(t, 1, w.Calls(merchanttest.RouteRefresh))
	assert.Equal(t, 2, w.Calls(merchanttest.RouteLogin), "the first login and exactly one more")
}

func TestRefusedRefreshWithoutCredentialsIsSessionExpired(t *testing.T) {
	w := newWallet(t)
	first := newClient(t, w)
	_, err := first.Login(context.Background())
	require.NoError(t, err)
	saved, _ := first.Session()
	c, err := merchant.New(banklink.WithBaseURL(w.URL), merchant.WithSession(saved))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	w.ExpireAccessTokens()
	w.RevokeRefreshTokens()

	_, err = profile(c)
	require.ErrorIs(t, err, banklink.ErrSessionExpired)
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 400, e.StatusCode)
	assert.Equal(t, "Invalid refresh token provided.", e.Message)
}

func TestPasswordResetFlow(t *testing.T) {
	w := newWallet(t)
	c := newClient(t, w)
	ctx := context.Background()
	require.NoError(t, c.ForgotPassword(ctx, merchanttest.Email))
	err := c.ResetPassword(ctx, "000", "new-pass")
	require.ErrorIs(t, err, banklink.ErrInvalidRequest)
	assert.ErrorContains(t, err, "Invalid reset code")
	require.NoError(t, c.ResetPassword(ctx, w.ResetCode(), "new-pass"))

	_, err = c.Login(ctx)
	require.ErrorIs(t, err, banklink.ErrInvalidRequest, "the old password no longer works")
	c2 := newClient(t, w, merchant.WithCredentials(merchanttest.Email, "new-pass"))
	_, err = c2.Login(ctx)
	require.NoError(t, err)

	assert.ErrorIs(t, c.ForgotPassword(ctx, "nobody@example.com"), banklink.ErrInvalidRequest)
	before := w.Requests()
	assert.ErrorIs(t, c.ForgotPassword(ctx, "not-an-email"), banklink.ErrInvalidRequest)
	assert.ErrorIs(t, c.ResetPassword(ctx, " ", "x"), banklink.ErrInvalidRequest)
	assert.ErrorIs(t, c.ResetPassword(ctx, "1", ""), banklink.ErrInvalidRequest)
	assert.Equal(t, before, w.Requests())
}

func TestAuthenticatedCallWithSideEffects(t *testing.T) {
	w := newWallet(t)
	c := newClient(t, w)
	out, err := merchant.Do[map[string]string](context.Background(), c, banklink.Request{Auth: true,
		Method: http.MethodPost, Path: "/merchant/callback", Body: map[string]string{"callbackURL": "https://shop.example/hook"}})
	require.NoError(t, err)
	assert.Equal(t, "https://shop.example/hook", out["callbackURL"])
	assert.Equal(t, "https://shop.example/hook", w.CallbackURL())
	p, err := merchant.Do[merchant.Merchant](context.Background(), c, banklink.Request{Auth: true, Idempotent: true,
		Method: http.MethodGet, Path: "merchant/profile"})
	require.NoError(t, err)
	require.NotNil(t, p.CallbackURL, "the profile shows the callback URL set")
	assert.Equal(t, "https://shop.example/hook", *p.CallbackURL)

	_, err = merchant.Do[map[string]string](context.Background(), c, banklink.Request{Auth: true,
		Method: http.MethodPost, Path: "/merchant/callback", Body: map[string]string{"callbackURL": "http://plain.example"}})
	require.ErrorIs(t, err, banklink.ErrInvalidRequest)
	assert.ErrorContains(t, err, "callbackURL must be an https URL")
	assert.Equal(t, 2, w.Calls(merchanttest.RouteCallback), "a refused call is not sent again")
}
