package dfcu_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/banklink/banklink-go/internal/testutil"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
)

func TestLoansLogsInOnFirstUseAndDecodes(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)

	got, err := c.Loans(context.Background(), "  "+dfcutest.AccountWithLoans+"\n")
	require.NoError(t, err)
	assert.Equal(t, "C001", got.CustomerID)
	assert.Equal(t, "Paul Logan", got.CustomerName)
	assert.Equal(t, dfcutest.AccountWithLoans, got.Account)
	require.Len(t, got.Loans, 2)
	assert.Equal(t, dfcu.Loan{ID: "L000001", Disbursed: time.Date(2023, 3, 1, 12, 9, 5, 0, time.UTC), Outstanding: 2000000}, got.Loans[0])
	assert.Equal(t, 1, srv.Calls(dfcutest.RouteToken))

	_, err = c.Loans(context.Background(), dfcutest.AccountWithLoans)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Calls(dfcutest.RouteToken), "the session is reused")
	assert.Equal(t, 0, srv.Calls(dfcutest.RouteRefresh))
}

func TestLoansStringResponses(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()

	none, err := c.Loans(ctx, dfcutest.AccountWithoutLoans)
	require.NoError(t, err, "no loans is an empty result, not an error")
	assert.Empty(t, none.Loans)
	assert.NotNil(t, none.Loans)
	assert.Equal(t, dfcutest.AccountWithoutLoans, none.Account)

	_, err = c.Loans(ctx, dfcutest.UnknownAccount)
	require.ErrorIs(t, err, banklink.ErrNotFound)
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 200, e.StatusCode)
	assert.Contains(t, e.Message, "provided does not exist")

	before := srv.Calls(dfcutest.RouteLoans)
	for _, acct := range []string{"", "   ", "\t"} {
		_, err = c.Loans(ctx, acct)
		require.ErrorIs(t, err, banklink.ErrInvalidRequest)
		require.ErrorAs(t, err, &e)
		assert.Equal(t, 0, e.StatusCode)
		assert.Contains(t, e.FieldErrors, "account")
	}
	_, err = c.Loans(ctx, "10020 00989")
	require.ErrorIs(t, err, banklink.ErrInvalidRequest)
	assert.Equal(t, before, srv.Calls(dfcutest.RouteLoans), "invalid input sends nothing")
}

func TestWrongPasswordIsUnauthorized(t *testing.T) {
	srv := newFake(t)
	c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, "wrong-secret-pw"))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)

	_, err = c.Login(context.Background())
	require.ErrorIs(t, err, banklink.ErrUnauthorized)
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 401, e.StatusCode)
	assert.Equal(t, "No active account found with the given credentials", e.Message)
	assert.NotContains(t, err.Error(), "wrong-secret-pw")

	// There never was a session: the refused first login is a refusal,
	// not an expired session (#22).
	_, err = c.Loans(context.Background(), dfcutest.AccountWithLoans)
	require.ErrorIs(t, err, banklink.ErrUnauthorized)
	assert.NotErrorIs(t, err, banklink.ErrSessionExpired)
	assert.NotContains(t, err.Error(), "session expired")
	assert.Contains(t, err.Error(), "login refused")
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 401, e.StatusCode)
	assert.Equal(t, 2, srv.Calls(dfcutest.RouteToken), "a 401 on login is never retried")
}

func TestExpiredAccessTokenRefreshesOnceFor100Callers(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	_, err := c.Login(ctx)
	require.NoError(t, err)
	srv.ExpireAccessTokens() // the server refuses the token the client still trusts

	testutil.RunConcurrently(t, 100, func() error {
		_, err := c.Loans(ctx, dfcutest.AccountWithLoans)
		return err
	})
	assert.Equal(t, 1, srv.Calls(dfcutest.RouteRefresh), "exactly one refresh")
	assert.Equal(t, 1, srv.Calls(dfcutest.RouteToken), "no new login")
}

func TestAccessTokenPastExpRefreshesBeforeSending(t *testing.T) {
	srv := newFake(t)
	saved := loggedInSession(t, srv)
	saved.AccessExpiry = time.Now().Add(-time.Minute) // as the client reads exp: expired

	c := newClient(t, srv, dfcu.WithSession(saved))
	testutil.RunConcurrently(t, 100, func() error {
		_, err := c.Loans(context.Background(), dfcutest.AccountWithLoans)
		return err
	})
	assert.Equal(t, 1, srv.Calls(dfcutest.RouteRefresh), "exactly one refresh, proactively")
	assert.Equal(t, 100, srv.Calls(dfcutest.RouteLoans), "no call was sent with the expired token")
	s, ok := c.Session()
	require.True(t, ok)
	assert.NotEqual(t, saved.Access, s.Access)
	assert.Equal(t, saved.Refresh, s.Refresh, "DFCU keeps the refresh token")
}

func TestShortLivedTokenIsRefreshedBeforeExpiry(t *testing.T) {
	// 8s tokens: the last quarter (2s) is the aging window, the last tenth
	// (0.8s) counts as expired. The call below goes 1.5s before expiry, on
	// the fake clock: no sleep overshoots, however loaded the machine.
	synctest.Test(t, func(t *testing.T) {
		srv := dfcutest.NewServer(dfcutest.InMemory(), dfcutest.WithTokenLifetimes(8*time.Second, time.Hour))
		c := newClient(t, srv, banklink.WithTransport(srv.Transport()))
		ctx := context.Background()
		_, err := c.Loans(ctx, dfcutest.AccountWithLoans)
		require.NoError(t, err)
		first, _ := c.Session()

		// Inside the last quarter of the token's life a call still uses the
		// valid token and starts a background refresh.
		time.Sleep(time.Until(first.AccessExpiry.Add(-1500 * time.Millisecond)))
		_, err = c.Loans(ctx, dfcutest.AccountWithLoans)
		require.NoError(t, err)
		synctest.Wait() // the background refresh is done
		assert.Equal(t, 1, srv.Calls(dfcutest.RouteRefresh))
		renewed, _ := c.Session()
		require.NotEqual(t, first.Access, renewed.Access, "the background refresh replaced the token")
		assert.True(t, time.Now().Before(first.AccessExpiry), "and it did so before the token expired")

		_, err = c.Loans(ctx, dfcutest.AccountWithLoans)
		require.NoError(t, err)
		assert.Equal(t, 1, srv.Calls(dfcutest.RouteRefresh))
		assert.Equal(t, 1, srv.Calls(dfcutest.RouteToken))
		assert.Equal(t, 3, srv.Calls(dfcutest.RouteLoans), "no call was refused")
	})
}

func TestRejectedRefreshLogsInAgainOnce(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	_, err := c.Login(ctx)
	require.NoError(t, err)
	srv.ExpireAccessTokens()
	srv.RevokeRefreshTokens()

	testutil.RunConcurrently(t, 50, func() error {
		_, err := c.Loans(ctx, dfcutest.AccountWithLoans)
		return err
	})
	assert.Equal(t, 1, srv.Calls(dfcutest.RouteRefresh))
	assert.Equal(t, 2, srv.Calls(dfcutest.RouteToken), "the first login and exactly one re-login")
}

func TestRejectedRefreshWithoutCredentialsIsSessionExpired(t *testing.T) {
	srv := newFake(t)
	saved := loggedInSession(t, srv)
	c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithSession(saved))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	srv.ExpireAccessTokens()
	srv.RevokeRefreshTokens()

	_, err = c.Loans(context.Background(), dfcutest.AccountWithLoans)
	require.ErrorIs(t, err, banklink.ErrSessionExpired)
	require.ErrorIs(t, err, banklink.ErrUnauthorized)
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "token_not_valid", e.Code)
	assert.Equal(t, 1, srv.Calls(dfcutest.RouteRefresh))
}

func TestDeletedUserIsFinal(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	ctx := context.Background()
	_, err := c.Login(ctx)
	require.NoError(t, err)
	srv.DeleteUser(dfcutest.DefaultUsername)

	_, err = c.Loans(ctx, dfcutest.AccountWithLoans)
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "user_not_found", e.Code)
	assert.ErrorIs(t, err, banklink.ErrUnauthorized)
	assert.Equal(t, 0, srv.Calls(dfcutest.RouteRefresh), "user_not_found is not cured by a refresh")
	assert.Equal(t, 1, srv.Calls(dfcutest.RouteLoans))
}

func TestSessionRoundTrip(t *testing.T) {
	srv := newFake(t)
	saved := loggedInSession(t, srv)
	assert.False(t, saved.AccessExpiry.IsZero(), "exp is read from the JWT")
	assert.True(t, saved.RefreshExpiry.After(saved.AccessExpiry))

	c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithSession(dfcu.Session{Access: saved.Access, Refresh: saved.Refresh}))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	_, err = c.Loans(context.Background(), dfcutest.AccountWithLoans)
	require.NoError(t, err)
	assert.Equal(t, 0, srv.Calls(dfcutest.RouteToken), "the restored session needs no login")
	restored, _ := c.Session()
	// Saved: on this machine's clock at arrival; restored: the exp claim.
	assert.WithinDuration(t, saved.AccessExpiry, restored.AccessExpiry, 2*time.Second)
}

func TestRetriesThroughTransientFailures(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	srv.InjectFaults(dfcutest.RouteLoans, dfcutest.Fault{Status: 502, Body: "<html>Bad Gateway</html>"}, dfcutest.Fault{Status: 503})

	got, err := c.Loans(context.Background(), dfcutest.AccountWithLoans)
	require.NoError(t, err)
	assert.Len(t, got.Loans, 2)
	assert.Equal(t, 3, srv.Calls(dfcutest.RouteLoans))
}

func TestRetriesStopAtTheMaximum(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv, banklink.WithRetry(banklink.RetryPolicy{MaxRetries: 2, MinBackoff: time.Millisecond}))
	_, err := c.Login(context.Background())
	require.NoError(t, err)
	for range 5 {
		srv.InjectFaults(dfcutest.RouteLoans, dfcutest.Fault{Status: 503, Body: `{"error": "Something went wrong. Please try again later."}`})
	}

	_, err = c.Loans(context.Background(), dfcutest.AccountWithLoans)
	require.ErrorIs(t, err, banklink.ErrRetriesExhausted)
	require.ErrorIs(t, err, banklink.ErrServerError)
	var rx *banklink.RetriesExhaustedError
	require.ErrorAs(t, err, &rx)
	assert.Equal(t, 3, rx.Attempts)
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 503, e.StatusCode)
	assert.Equal(t, "Something went wrong. Please try again later.", e.Message)
	assert.Equal(t, 3, srv.Calls(dfcutest.RouteLoans))
}

func TestRetryAfterIsHonoured(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	_, err := c.Login(context.Background())
	require.NoError(t, err)
	srv.InjectFaults(dfcutest.RouteLoans, dfcutest.Fault{Status: 429, RetryAfter: "1", Body: `{"detail":"Request was throttled."}`})

	start := time.Now()
	_, err = c.Loans(context.Background(), dfcutest.AccountWithLoans)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(start), time.Second, "waited as the server asked, not the 1ms backoff")
	assert.Equal(t, 2, srv.Calls(dfcutest.RouteLoans))
}

func TestRetryAfterBeyondTheCapIsReturned(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv, banklink.WithRetry(banklink.RetryPolicy{MaxRetryAfter: 2 * time.Second}))
	_, err := c.Login(context.Background())
	require.NoError(t, err)
	srv.InjectFaults(dfcutest.RouteLoans, dfcutest.Fault{Status: 429, RetryAfter: "3600", Body: `{"detail":"Request was throttled."}`})

	start := time.Now()
	_, err = c.Loans(context.Background(), dfcutest.AccountWithLoans)
	require.ErrorIs(t, err, banklink.ErrRateLimited)
	assert.NotErrorIs(t, err, banklink.ErrRetriesExhausted)
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, time.Hour, e.RetryAfter)
	assert.Less(t, time.Since(start), time.Second, "did not sleep")
	assert.Equal(t, 1, srv.Calls(dfcutest.RouteLoans))
}

func TestCancelledContextStopsBackoffAtOnce(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv, banklink.WithRetry(banklink.RetryPolicy{MinBackoff: time.Minute, MaxBackoff: time.Minute}))
	_, err := c.Login(context.Background())
	require.NoError(t, err)
	srv.InjectFaults(dfcutest.RouteLoans, dfcutest.Fault{Status: 503})

	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		for srv.Calls(dfcutest.RouteLoans) == 0 {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(20 * time.Millisecond) // now inside the one-minute backoff
		cancel()
	}()
	start := time.Now()
	_, err = c.Loans(ctx, dfcutest.AccountWithLoans)
	require.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Equal(t, 1, srv.Calls(dfcutest.RouteLoans))
}

func TestDeadlineShorterThanBackoffReturnsTheLastError(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv, banklink.WithRetry(banklink.RetryPolicy{MinBackoff: time.Minute, MaxBackoff: time.Minute}))
	_, err := c.Login(context.Background())
	require.NoError(t, err)
	srv.InjectFaults(dfcutest.RouteLoans, dfcutest.Fault{Status: 503})

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	_, err = c.Loans(ctx, dfcutest.AccountWithLoans)
	require.ErrorIs(t, err, banklink.ErrServerError, "the 503, not a deadline error after a pointless sleep")
	assert.Less(t, time.Since(start), 5*time.Second)
}

// loggedInSession logs a separate client in and returns its session.
func loggedInSession(t *testing.T, srv *dfcutest.Server) dfcu.Session {
	t.Helper()
	c := newClient(t, srv)
	s, err := c.Login(context.Background())
	require.NoError(t, err)
	srv.ResetCounts()
	return s
}

func TestRedirectToAnotherHostCarriesNoAuthorization(t *testing.T) {
	var stolen atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			stolen.Add(1)
		}
		w.WriteHeader(200)
	}))
	t.Cleanup(evil.Close)
	srv := newFake(t)
	c := newClient(t, srv)
	_, err := c.Login(context.Background())
	require.NoError(t, err)
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, evil.URL+r.URL.Path, http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirecting.Close)
	s, _ := c.Session()
	c2, err := dfcu.New(banklink.WithBaseURL(redirecting.URL), dfcu.WithSession(s))
	require.NoError(t, err)
	t.Cleanup(c2.CloseIdleConnections)
	_, err = c2.Loans(context.Background(), dfcutest.AccountWithLoans)
	require.ErrorIs(t, err, banklink.ErrRedirectRefused)
	assert.Zero(t, stolen.Load())
}
