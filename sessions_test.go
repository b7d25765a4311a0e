package banklink_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
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
	"github.com/banklink/banklink-go/merchant"
	"github.com/banklink/banklink-go/merchant/merchanttest"
)

// Regression (#20): once its session was dead (refresh refused, nothing
// to log in with), a replica failed every call before looking at the
// store, even after another replica stored a valid newer session, until
// the process restarted. A dead session now re-reads the store and
// adopts a valid newer one; nothing is sent meanwhile.
func TestDeadReplicaAdoptsANewerStoredSession(t *testing.T) {
	srv := dfcutest.NewServer()
	t.Cleanup(srv.Close)
	store := banklink.NewMemoryStore()
	ctx := context.Background()
	withCreds, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword),
		banklink.WithSessionStore(store, "ops", 0))
	require.NoError(t, err)
	first, err := withCreds.Login(ctx)
	require.NoError(t, err)

	// A replica with only a session (no credentials) shares the account.
	sessionOnly, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithSession(first), banklink.WithSessionStore(store, "ops", 0))
	require.NoError(t, err)
	srv.ExpireAccessTokens()
	srv.RevokeRefreshTokens()
	_, err = sessionOnly.Loans(ctx, dfcutest.AccountWithLoans)
	require.ErrorIs(t, err, banklink.ErrSessionExpired, "refresh refused, nothing to log in with: dead")
	_, err = sessionOnly.Loans(ctx, dfcutest.AccountWithLoans)
	require.ErrorIs(t, err, banklink.ErrSessionExpired, "still dead: the store has nothing newer")
	loansBefore := srv.Calls(dfcutest.RouteLoans)

	_, err = withCreds.Login(ctx) // another replica (or an operator) stores a new session
	require.NoError(t, err)
	_, err = sessionOnly.Loans(ctx, dfcutest.AccountWithLoans)
	require.NoError(t, err, "the dead replica adopted the stored session")
	assert.Equal(t, loansBefore+1, srv.Calls(dfcutest.RouteLoans))
}

// Regression (#20): Logout left the session in the store, and the next
// call adopted the logged-out pair again. A logout now leaves a
// tombstone: no replica adopts the ended session; the next call logs in.
func TestLogoutIsNotUndoneByTheStore(t *testing.T) {
	w := merchanttest.NewWallet()
	t.Cleanup(w.Close)
	store := banklink.NewMemoryStore()
	var adopted []string // after the logout
	var loggedOut atomic.Bool
	var mu sync.Mutex
	newClient := func() *merchant.Client {
		c, err := merchant.New(banklink.WithBaseURL(w.URL), merchant.WithCredentials(merchanttest.Email, merchanttest.Password),
			banklink.WithSessionStore(store, merchanttest.Email, 0),
			banklink.WithSessionHook(func(_ context.Context, ch banklink.SessionChange) {
				if ch.Reason == "adopted" && loggedOut.Load() {
					var s merchant.Session
					_ = json.Unmarshal(ch.Session, &s)
					mu.Lock()
					adopted = append(adopted, s.Access)
					mu.Unlock()
				}
			}))
		require.NoError(t, err)
		t.Cleanup(c.CloseIdleConnections)
		return c
	}
	a, b := newClient(), newClient()
	ctx := context.Background()
	profile := func(c *merchant.Client) error { return walletProfile(ctx, c) }
	require.NoError(t, profile(a))
	require.NoError(t, profile(b))
	ended, _ := a.Session()
	require.NoError(t, a.Logout(ctx))
	loggedOut.Store(true)

	require.NoError(t, profile(a), "the next call logs in")
	require.NoError(t, profile(b), "the other replica renews past the tombstone")
	now, _ := a.Session()
	assert.NotEqual(t, ended.Access, now.Access)
	mu.Lock()
	defer mu.Unlock()
	assert.NotContains(t, adopted, ended.Access, "the logged-out session was adopted")
	assert.Equal(t, 2, w.Calls(merchanttest.RouteLogin), "one login before, one after the logout")
}

// Regression (#20): after fintiv ChangePassword, replicas adopting the
// stored session still said NeedChangePassword (the facts lived in the
// client, written on every store read) and refused calls with
// ErrPasswordChangeRequired. Facts are part of the session value now, and
// a change of facts is stored like any other change.
func TestChangedFactsReachEveryReplica(t *testing.T) {
	srv := fintivtest.NewServer(fintivtest.WithUser(fintivtest.User{UUID: "u-1", Username: "fresh", Password: "Temp-Passw0rd!", NeedChangePassword: true}))
	t.Cleanup(srv.Close)
	store := banklink.NewMemoryStore()
	newClient := func() *fintiv.Client {
		c, err := fintiv.New(banklink.WithBaseURL(srv.URL), fintiv.WithAPIKey(fintivtest.APIKey), fintiv.WithTenant(fintivtest.Tenant),
			fintiv.WithCredentials("fresh", "Temp-Passw0rd!"), banklink.WithSessionStore(store, "fresh", 0))
		require.NoError(t, err)
		t.Cleanup(c.CloseIdleConnections)
		return c
	}
	a, b := newClient(), newClient()
	ctx := context.Background()
	s, err := a.Login(ctx)
	require.NoError(t, err)
	require.True(t, s.NeedChangePassword)
	require.NoError(t, a.ChangePassword(ctx, "Temp-Passw0rd!", "N3w-Passw0rd!"))
	as, _ := a.Session()
	assert.False(t, as.NeedChangePassword)

	_, err = b.Refresh(ctx) // b renews through the store: it adopts a's session, facts and all
	require.NoError(t, err)
	bs, ok := b.Session()
	require.True(t, ok)
	assert.False(t, bs.NeedChangePassword, "the replica still believes the password must be changed")
}

// stallStore is a store whose calls can be made to hang (never answer,
// whatever the context says, as a stalled Redis with a client that waits
// its own timeout), and that counts its calls.
type stallStore struct {
	banklink.SessionStore
	stalled atomic.Bool
	release chan struct{}
	calls   atomic.Int32
}

func newStallStore() *stallStore {
	return &stallStore{SessionStore: banklink.NewMemoryStore(), release: make(chan struct{})}
}

func (s *stallStore) wait() {
	s.calls.Add(1)
	if s.stalled.Load() {
		<-s.release
	}
}

func (s *stallStore) LoadSession(ctx context.Context, key string) ([]byte, uint64, error) {
	s.wait()
	return s.SessionStore.LoadSession(ctx, key)
}

func (s *stallStore) CompareAndSwapSession(ctx context.Context, key string, old, fence uint64, data []byte) (uint64, error) {
	s.wait()
	return s.SessionStore.CompareAndSwapSession(ctx, key, old, fence, data)
}

func (s *stallStore) AcquireLease(ctx context.Context, key string, ttl time.Duration) (banklink.Lease, error) {
	s.wait()
	return s.SessionStore.AcquireLease(ctx, key, ttl)
}

// Regression (#20): an explicit Login on a store that never answers did
// not return (no bound of its own on store calls), and a hanging store
// held a renewal for the whole renewal timeout. Every store call is now
// bounded (WithSessionStoreTimeout): the login returns, its session kept
// in this process, and a renewal falls back at once.
func TestAHangingStoreHoldsNothingUp(t *testing.T) {
	srv := dfcutest.NewServer()
	t.Cleanup(srv.Close)
	store := newStallStore()
	t.Cleanup(func() { close(store.release) })
	var logs bytes.Buffer
	c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword),
		banklink.WithSessionStore(store, "ops", 0), banklink.WithSessionStoreTimeout(100*time.Millisecond),
		banklink.WithCallTimeout(time.Second), banklink.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	store.stalled.Store(true)

	began := time.Now()
	_, err = c.Login(context.Background()) // a context without deadline
	require.NoError(t, err)
	assert.Less(t, time.Since(began), 2*time.Second, "the login returned though the store never answers")
	assert.Contains(t, logs.String(), "kept in this process only")

	srv.ExpireAccessTokens()
	began = time.Now()
	_, err = c.Loans(context.Background(), dfcutest.AccountWithLoans)
	require.NoError(t, err, "the renewal fell back to this process")
	assert.Less(t, time.Since(began), 2*time.Second)
	assert.Equal(t, 1, srv.Calls(dfcutest.RouteRefresh), "a reusable refresh token is refreshed locally")
}

// Regression (#20): a rotated pair was written to the store inside the
// HTTP attempt, before the body was read: with the store stalled, an
// answer the wallet had already acted on came back as ErrUnavailable. The
// pair is now the client's at once and written to the store after the
// body, bounded: the answer is delivered.
func TestARotatedAnswerIsNeverFailedByTheStore(t *testing.T) {
	w := merchanttest.NewWallet(merchanttest.WithRotationOnEveryAnswer())
	t.Cleanup(w.Close)
	store := newStallStore()
	t.Cleanup(func() { close(store.release) })
	c, err := merchant.New(banklink.WithBaseURL(w.URL), merchant.WithCredentials(merchanttest.Email, merchanttest.Password),
		banklink.WithSessionStore(store, merchanttest.Email, 0), banklink.WithSessionStoreTimeout(200*time.Millisecond),
		banklink.WithTimeout(time.Second))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	ctx := context.Background()
	_, err = c.Login(ctx)
	require.NoError(t, err)

	store.stalled.Store(true)
	for i := range 3 {
		_, err := merchant.Do[merchant.Merchant](ctx, c, banklink.Request{Method: http.MethodGet, Path: "merchant/profile", Auth: true})
		require.NoError(t, err, "call %d: the wallet answered (and rotated the pair): the answer is delivered", i)
	}
	_, stale := w.PairUses()
	assert.Zero(t, stale, "each call carried the pair the last answer rotated")
}

// A background renewal that got no answer is not tried again on the very
// next call: valid tokens keep serving during a hold-off (1s, doubling).
// On the fake clock: 20s tokens, renewed in the background in their last
// quarter; the refresh and login routes down once each.
func TestHoldOffAfterAFailedBackgroundRenewal(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := dfcutest.NewServer(dfcutest.InMemory(), dfcutest.WithTokenLifetimes(20*time.Second, time.Hour))
		c, err := dfcu.New(banklink.WithBaseURL(srv.URL), banklink.WithTransport(srv.Transport()),
			dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword), banklink.WithRetry(banklink.RetryPolicy{MaxRetries: -1}))
		require.NoError(t, err)
		ctx := context.Background()
		_, err = c.Loans(ctx, dfcutest.AccountWithLoans)
		require.NoError(t, err)
		srv.InjectFaults(dfcutest.RouteRefresh, dfcutest.Fault{Status: http.StatusServiceUnavailable})
		srv.InjectFaults(dfcutest.RouteToken, dfcutest.Fault{Status: http.StatusServiceUnavailable})
		time.Sleep(15500 * time.Millisecond) // inside the renewal margin (a quarter of 20s), still valid
		for range 20 {
			_, err = c.Loans(ctx, dfcutest.AccountWithLoans)
			require.NoError(t, err, "a valid token keeps serving while the refresh route is down")
			synctest.Wait() // a background renewal, if one started, has run
			time.Sleep(10 * time.Millisecond)
		}
		assert.Equal(t, 1, srv.Calls(dfcutest.RouteRefresh), "one background renewal, then a hold-off: not one per call")
		assert.Equal(t, 2, srv.Calls(dfcutest.RouteToken), "the first login, then the renewal's (503)")
		time.Sleep(time.Second) // the hold-off is over: the next call renews in the background
		_, err = c.Loans(ctx, dfcutest.AccountWithLoans)
		require.NoError(t, err)
		synctest.Wait()
		assert.Equal(t, 2, srv.Calls(dfcutest.RouteRefresh))
	})
}

// unreadableOnce reads the stored session as unreadable (a value sealed
// with another key) until it is replaced.
type unreadableOnce struct {
	banklink.SessionStore
	spoiled atomic.Uint64
}

func (u *unreadableOnce) LoadSession(ctx context.Context, key string) ([]byte, uint64, error) {
	data, v, err := u.SessionStore.LoadSession(ctx, key)
	if err == nil && v != 0 && v == u.spoiled.Load() {
		return nil, v, errors.Join(banklink.ErrSessionUnreadable, errors.New("sealed with another key"))
	}
	return data, v, err
}

// Regression (#20): a stored value that could not be opened (the seal key
// rotated) was taken for "the store is down", forever: every replica
// renewed on its own. It is now "nothing readable stored", replaced under
// the lease with one warning, and the fleet shares again.
func TestAnUnreadableStoredSessionIsReplaced(t *testing.T) {
	srv := dfcutest.NewServer()
	t.Cleanup(srv.Close)
	store := &unreadableOnce{SessionStore: banklink.NewMemoryStore()}
	var logs bytes.Buffer
	newClient := func() *dfcu.Client {
		c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword),
			banklink.WithSessionStore(store, "ops", 0), banklink.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))))
		require.NoError(t, err)
		t.Cleanup(c.CloseIdleConnections)
		return c
	}
	a, b, c3 := newClient(), newClient(), newClient()
	ctx := context.Background()
	_, err := a.Loans(ctx, dfcutest.AccountWithLoans)
	require.NoError(t, err)
	_, v, _ := store.LoadSession(ctx, "dfcu:ops")
	store.spoiled.Store(v)

	srv.ExpireAccessTokens()
	for _, c := range []*dfcu.Client{a, b, c3} {
		_, err := c.Loans(ctx, dfcutest.AccountWithLoans)
		require.NoError(t, err)
	}
	assert.Equal(t, 1, srv.Calls(dfcutest.RouteToken)+srv.Calls(dfcutest.RouteRefresh)-1, "one renewal replaced the unreadable value; the others adopted it")
	assert.Equal(t, 1, strings.Count(logs.String(), "cannot be read"), "one warning:\n%s", logs.String())
	_, _, err = store.LoadSession(ctx, "dfcu:ops")
	assert.NoError(t, err, "readable again")
}

// lateStore answers its armed compare-and-swaps late: each is stored at
// once, then the answer waits past the client's store timeout (a stalled
// Redis that executes the queued command when it resumes). down makes
// every call fail.
type lateStore struct {
	banklink.SessionStore
	late atomic.Int32 // how many of the next writes answer late
	skip atomic.Int32 // writes to let through first
	down atomic.Bool
}

var errLateStoreDown = errors.New("store down")

func (l *lateStore) LoadSession(ctx context.Context, key string) ([]byte, uint64, error) {
	if l.down.Load() {
		return nil, 0, errLateStoreDown
	}
	return l.SessionStore.LoadSession(ctx, key)
}

func (l *lateStore) AcquireLease(ctx context.Context, key string, ttl time.Duration) (banklink.Lease, error) {
	if l.down.Load() {
		return banklink.Lease{}, errLateStoreDown
	}
	return l.SessionStore.AcquireLease(ctx, key, ttl)
}

func (l *lateStore) CompareAndSwapSession(ctx context.Context, key string, old, fence uint64, data []byte) (uint64, error) {
	if l.down.Load() {
		return 0, errLateStoreDown
	}
	v, err := l.SessionStore.CompareAndSwapSession(ctx, key, old, fence, data)
	if l.skip.Add(-1) < 0 && l.late.Add(-1) >= 0 {
		<-ctx.Done() // stored; the answer never comes in time
		return 0, ctx.Err()
	}
	return v, err
}

// Regression (#20, found by the 20s SIGSTOP chaos test): a renewal whose
// store write timed out kept its session as this replica's own, and
// refreshed it alone while the store was down; but the write had landed,
// and another replica later presented the same single-use token. A
// session whose write may have landed is never refreshed alone: the
// replica logs in on its own instead.
func TestALateWriteNeverLetsTwoReplicasSpendOneToken(t *testing.T) {
	w := merchanttest.NewWallet(merchanttest.WithReuseDetection())
	t.Cleanup(w.Close)
	store := &lateStore{SessionStore: banklink.NewMemoryStore()}
	newClient := func() *merchant.Client {
		c, err := merchant.New(banklink.WithBaseURL(w.URL), merchant.WithCredentials(merchanttest.Email, merchanttest.Password),
			banklink.WithSessionStore(store, merchanttest.Email, 0), banklink.WithSessionStoreTimeout(100*time.Millisecond))
		require.NoError(t, err)
		t.Cleanup(c.CloseIdleConnections)
		return c
	}
	a, b := newClient(), newClient()
	ctx := context.Background()
	profile := func(c *merchant.Client) error { return walletProfile(ctx, c) }
	require.NoError(t, profile(a)) // logged in, stored

	store.skip.Store(1) // the in-flight record answers; the refreshed session's write lands but answers late
	store.late.Store(1)
	w.ExpireAccessTokens()
	require.NoError(t, profile(a), "refreshed; the store write timed out (it landed)")

	store.down.Store(true)
	w.ExpireAccessTokens()
	require.NoError(t, profile(a), "the store is down: a renewal without it")

	store.down.Store(false)
	require.NoError(t, profile(b), "b takes what the store holds")
	assert.Zero(t, w.Reuses(), "a refresh token was presented twice")
}

// walletProfile is an authenticated read on the wallet fake.
func walletProfile(ctx context.Context, c *merchant.Client) error {
	_, err := merchant.Do[merchant.Merchant](ctx, c, banklink.Request{Method: http.MethodGet, Path: "merchant/profile", Auth: true, Idempotent: true})
	return err
}
