package banklink_test

import (
	"context"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
	"github.com/banklink/banklink-go/fintiv"
	"github.com/banklink/banklink-go/fintiv/fintivtest"
	"github.com/banklink/banklink-go/fintract"
	"github.com/banklink/banklink-go/fintract/fintracttest"
	"github.com/banklink/banklink-go/merchant"
	"github.com/banklink/banklink-go/merchant/merchanttest"
)

// Every fake serves without a socket (InMemory, Transport), so clients and
// fakes run inside a testing/synctest bubble: here each provider's session
// expires on the bubble's fake clock and is renewed, with no real wait.
func TestEveryFakeRunsInASynctestBubble(t *testing.T) {
	ctx := context.Background()
	t.Run("dfcu", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			srv := dfcutest.NewServer(dfcutest.InMemory(), dfcutest.WithTokenLifetimes(time.Minute, time.Hour))
			c, err := dfcu.New(banklink.WithBaseURL(srv.URL), banklink.WithTransport(srv.Transport()),
				dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword))
			require.NoError(t, err)
			for range 3 {
				_, err := c.Loans(ctx, dfcutest.AccountWithLoans)
				require.NoError(t, err)
				time.Sleep(time.Hour / 2)
			}
			assert.Equal(t, 3, srv.Calls(dfcutest.RouteLoans))
			assert.Positive(t, srv.Calls(dfcutest.RouteRefresh)+srv.Calls(dfcutest.RouteToken)-1, "renewed on the fake clock")
		})
	})
	t.Run("fintiv", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			srv := fintivtest.NewServer(fintivtest.InMemory(), fintivtest.WithTokenLifetimes(time.Minute, 0))
			c, err := fintiv.New(banklink.WithBaseURL(srv.URL), banklink.WithTransport(srv.Transport()),
				fintiv.WithAPIKey(fintivtest.APIKey), fintiv.WithTenant(fintivtest.Tenant), fintiv.WithCredentials(fintivtest.Username, fintivtest.Password))
			require.NoError(t, err)
			_, err = c.Me(ctx)
			require.NoError(t, err)
			time.Sleep(2 * time.Minute)
			_, err = c.Me(ctx)
			require.NoError(t, err)
			assert.Equal(t, 1, srv.Grants("refresh_token"))
		})
	})
	t.Run("fintract", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			srv := fintracttest.NewServer(fintracttest.InMemory())
			c, err := fintract.New(banklink.WithBaseURL(srv.URL), banklink.WithTransport(srv.Transport()))
			require.NoError(t, err)
			ch, err := c.Login(ctx, fintract.LoginRequest{Email: fintracttest.CustomerEmail, Password: fintracttest.CustomerPassword, OTPType: fintract.OTPByEmail})
			require.NoError(t, err)
			otp, ok := srv.OTP(fintracttest.CustomerEmail)
			require.True(t, ok)
			s, err := c.VerifyOTP(ctx, ch.UserID, otp)
			require.NoError(t, err)
			_, err = c.UserInfo(ctx, s.UserID)
			require.NoError(t, err)
		})
	})
	t.Run("merchant", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			w := merchanttest.NewWallet(merchanttest.InMemory(), merchanttest.WithTokenLifetimes(time.Minute, 0))
			c, err := merchant.New(banklink.WithBaseURL(w.URL), banklink.WithTransport(w.Transport()),
				merchant.WithCredentials(merchanttest.Email, merchanttest.Password))
			require.NoError(t, err)
			for range 3 {
				_, err := merchant.Do[merchant.Merchant](ctx, c, banklink.Request{Method: "GET", Path: "merchant/profile", Auth: true, Idempotent: true})
				require.NoError(t, err)
				time.Sleep(2 * time.Minute)
			}
			assert.Equal(t, 2, w.Calls(merchanttest.RouteRefresh), "refused on the fake clock, refreshed")
		})
	})
}
