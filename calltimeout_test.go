package banklink_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
	"github.com/banklink/banklink-go/fintract"
	"github.com/banklink/banklink-go/fintract/fintracttest"
)

// Regression (#21.1): a Fintract client with WithCallTimeout(1s) whose
// renewal needed a 3s OTP returned after 3s: the wait for the renewal
// after a refused token followed the caller's context, not the call's
// bound. It ends at the bound now, named; the renewal goes on for the
// calls after it.
func TestTheCallTimeoutBoundsTheRenewalWait(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := fintracttest.NewServer(fintracttest.InMemory())
		login := fintract.LoginRequest{Email: fintracttest.CustomerEmail, Password: fintracttest.CustomerPassword, OTPType: fintract.OTPByEmail}
		c, err := fintract.New(banklink.WithBaseURL(srv.URL), banklink.WithTransport(srv.Transport()),
			banklink.WithCallTimeout(time.Second), fintract.WithCredentials(login),
			fintract.WithOTPCallback(func(ctx context.Context, ch fintract.Challenge) (string, error) {
				time.Sleep(3 * time.Second) // a person reading a mail
				otp, _ := srv.OTP(fintracttest.CustomerEmail)
				return otp, nil
			}))
		require.NoError(t, err)
		ctx := context.Background()
		s := sessionToRenewWithAnOTP(t, srv, c, login)

		began := time.Now()
		_, err = c.UserInfo(ctx, s.UserID)
		took := time.Since(began)
		require.Error(t, err)
		assert.Equal(t, time.Second, took, "the call ends at its bound")
		assert.ErrorIs(t, err, banklink.ErrUnavailable)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.Contains(t, err.Error(), "1s (call timeout)")

		time.Sleep(3 * time.Second) // the renewal finished meanwhile
		_, err = c.UserInfo(ctx, s.UserID)
		require.NoError(t, err, "the renewal went on for the next call")
	})
}

// The same on the real clock, where a call's bound is the client's one
// timer (outside a synctest bubble): nothing waits on the call's bound
// until the wait for the renewal does, and that wait ends at it.
func TestTheCallTimeoutBoundsTheRenewalWaitOnTheRealClock(t *testing.T) {
	srv := fintracttest.NewServer()
	t.Cleanup(srv.Close)
	slow := make(chan struct{}) // the person reading the mail: until the test ends
	t.Cleanup(func() { close(slow) })
	login := fintract.LoginRequest{Email: fintracttest.CustomerEmail, Password: fintracttest.CustomerPassword, OTPType: fintract.OTPByEmail}
	c, err := fintract.New(banklink.WithBaseURL(srv.URL), fintract.WithCredentials(login),
		fintract.WithOTPCallback(func(ctx context.Context, ch fintract.Challenge) (string, error) {
			select {
			case <-slow:
			case <-ctx.Done():
			case <-time.After(time.Minute): // a bound that failed to end the call fails the test, not hangs it
			}
			return "", errors.New("no code given")
		}))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	ctx := context.Background()
	s := sessionToRenewWithAnOTP(t, srv, c, login)

	// The bound on this call alone: the calls before it have the client's
	// minute, however loaded the machine.
	_, err = c.UserInfo(banklink.WithCallOptions(ctx, banklink.CallOptions{Timeout: 200 * time.Millisecond}), s.UserID)
	require.Error(t, err)
	assert.ErrorIs(t, err, banklink.ErrUnavailable)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "200ms (per-call timeout")
}

// sessionToRenewWithAnOTP logs c in (login, then the OTP the fake sent)
// and leaves the session needing a new login to renew: its access token
// expired, its refresh token revoked, so the renewal waits for c's OTP
// callback.
func sessionToRenewWithAnOTP(t *testing.T, srv *fintracttest.Server, c *fintract.Client, login fintract.LoginRequest) fintract.Session {
	t.Helper()
	ctx := context.Background()
	ch, err := c.Login(ctx, login)
	require.NoError(t, err)
	otp, _ := srv.OTP(fintracttest.CustomerEmail)
	s, err := c.VerifyOTP(ctx, ch.UserID, otp)
	require.NoError(t, err)
	srv.ExpireAccessTokens()
	srv.RevokeRefreshTokens()
	return s
}

// Regression (#21.3): a method called with a context that had already
// ended started a background login. Now nothing starts: no login, no
// refresh, no store call, no request.
func TestACancelledContextStartsNothing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := dfcutest.NewServer(dfcutest.InMemory())
		store := newStallStore()
		c, err := dfcu.New(banklink.WithBaseURL(srv.URL), banklink.WithTransport(srv.Transport()),
			dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword), banklink.WithSessionStore(store, "ops", 0))
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err = c.Loans(ctx, dfcutest.AccountWithLoans)
		require.ErrorIs(t, err, context.Canceled)
		_, err = c.Refresh(ctx)
		require.ErrorIs(t, err, context.Canceled)
		synctest.Wait() // anything started in the background has run
		assert.Zero(t, srv.Requests(), "nothing was sent")
		assert.Zero(t, store.calls.Load(), "the store was not touched")
	})
}

// Regression (#21.2): a call with CallOptions{Timeout: 500ms} failed
// saying it took longer than 1m0s (the client's call timeout). The error
// names the bound that fired and its value.
func TestAPerCallTimeoutNamesItself(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := dfcutest.NewServer(dfcutest.InMemory())
		c, err := dfcu.New(banklink.WithBaseURL(srv.URL), banklink.WithTransport(srv.Transport()),
			dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword))
		require.NoError(t, err)
		_, err = c.Loans(context.Background(), dfcutest.AccountWithLoans)
		require.NoError(t, err)
		srv.InjectFaults(dfcutest.RouteLoans, dfcutest.Fault{Pass: true, Delay: 2 * time.Second})
		ctx := banklink.WithCallOptions(context.Background(), banklink.CallOptions{Timeout: 500 * time.Millisecond})
		_, err = c.Loans(ctx, dfcutest.AccountWithLoans)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "500ms (per-call timeout")
		assert.NotContains(t, err.Error(), "1m0s")
		assert.True(t, errors.Is(err, banklink.ErrUnavailable) && errors.Is(err, context.DeadlineExceeded), "%v", err)
	})
}

// Regression (#21.4): a control character other than CR, LF or NUL in a
// per-call header (here ESC and DEL) passed the SDK's check, net/http
// refused the request, and the call came back as ErrUnavailable after 4
// attempts, though nothing was ever sent. It is an input error now,
// before sending, never retried.
func TestAControlCharacterInAPerCallHeaderIsInvalidInput(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := dfcutest.NewServer(dfcutest.InMemory())
		c, err := dfcu.New(banklink.WithBaseURL(srv.URL), banklink.WithTransport(srv.Transport()),
			dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword))
		require.NoError(t, err)
		for _, h := range []http.Header{{"X-Trace": {"a\x1bb"}}, {"X-Trace": {"a\x7fb"}}, {"X Trace": {"v"}}, {"X-Tr\x01ace": {"v"}}} {
			ctx := banklink.WithCallOptions(context.Background(), banklink.CallOptions{Header: h})
			_, err = c.Loans(ctx, dfcutest.AccountWithLoans)
			assert.ErrorIs(t, err, banklink.ErrInvalidRequest, "%q", h)
			assert.NotErrorIs(t, err, banklink.ErrUnavailable)
		}
		ctx := banklink.WithCallOptions(context.Background(), banklink.CallOptions{IdempotencyKey: "k\x1b"})
		_, err = c.Loans(ctx, dfcutest.AccountWithLoans)
		assert.ErrorIs(t, err, banklink.ErrInvalidRequest)
		assert.Zero(t, srv.Requests(), "nothing was sent")
	})
}
