package banklink_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/banklinktest"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
	"github.com/banklink/banklink-go/merchant"
	"github.com/banklink/banklink-go/merchant/merchanttest"
)

func TestMemoryStoreCASAndLease(t *testing.T) {
	ctx := context.Background()
	m := banklink.NewMemoryStore()
	data, v, err := m.LoadSession(ctx, "k")
	require.NoError(t, err)
	assert.Nil(t, data)
	assert.Zero(t, v)

	v, err = m.CompareAndSwapSession(ctx, "k", 0, 0, []byte("one"))
	require.NoError(t, err)
	assert.EqualValues(t, 1, v)
	_, err = m.CompareAndSwapSession(ctx, "k", 0, 0, []byte("stale"))
	assert.ErrorIs(t, err, banklink.ErrVersionConflict)
	data, v, _ = m.LoadSession(ctx, "k")
	assert.Equal(t, "one", string(data))
	assert.EqualValues(t, 1, v)

	l1, err := m.AcquireLease(ctx, "k", time.Hour)
	require.NoError(t, err)
	_, err = m.AcquireLease(ctx, "k", time.Hour)
	assert.ErrorIs(t, err, banklink.ErrLeaseBusy)
	require.NoError(t, m.ReleaseLease(ctx, "k", banklink.Lease{Owner: "someone else"}))
	_, err = m.AcquireLease(ctx, "k", time.Hour)
	assert.ErrorIs(t, err, banklink.ErrLeaseBusy, "only the holder releases")
	require.NoError(t, m.ReleaseLease(ctx, "k", l1))
	l2, err := m.AcquireLease(ctx, "k", time.Nanosecond)
	require.NoError(t, err)
	assert.Greater(t, l2.Fence, l1.Fence)
	time.Sleep(time.Millisecond)
	l3, err := m.AcquireLease(ctx, "k", time.Hour)
	require.NoError(t, err, "an expired lease is free")
	assert.Greater(t, l3.Fence, l2.Fence)
}

// fleetOf runs clients × goroutines calls of call in rounds; between
// rounds, expire ends every access token the server issued. It returns
// the failed calls.
func fleetRounds(t *testing.T, rounds, goroutines int, calls []func(context.Context) error, expire func()) []error {
	t.Helper()
	var mu sync.Mutex
	var failed []error
	for r := 0; r < rounds; r++ {
		expire()
		var wg sync.WaitGroup
		for _, call := range calls {
			for g := 0; g < goroutines; g++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := call(context.Background()); err != nil {
						mu.Lock()
						failed = append(failed, err)
						mu.Unlock()
					}
				}()
			}
		}
		wg.Wait()
	}
	return failed
}

// Four clients of one merchant account share a store: one login for all,
// one refresh per expiry, and never a spent refresh token presented again
// (the wallet's are single-use).
func TestSharedStoreMerchantOneRenewalPerExpiry(t *testing.T) {
	w := merchanttest.NewWallet()
	t.Cleanup(w.Close)
	store := banklink.NewMemoryStore()
	var changes sync.Map
	var calls []func(context.Context) error
	for i := 0; i < 4; i++ {
		c, err := merchant.New(banklink.WithBaseURL(w.URL), merchant.WithCredentials(merchanttest.Email, merchanttest.Password),
			banklink.WithSessionStore(store, merchanttest.Email, 0),
			banklink.WithSessionHook(func(_ context.Context, ch banklink.SessionChange) {
				n, _ := changes.LoadOrStore(ch.Reason, new(atomic.Int32))
				n.(*atomic.Int32).Add(1)
			}))
		require.NoError(t, err)
		t.Cleanup(c.CloseIdleConnections)
		calls = append(calls, func(ctx context.Context) error {
			_, err := merchant.Do[merchant.Merchant](ctx, c, banklink.Request{Method: "GET", Path: "merchant/profile", Auth: true, Idempotent: true})
			return err
		})
	}
	const rounds = 5
	failed := fleetRounds(t, rounds, 25, calls, w.ExpireAccessTokens)
	require.Empty(t, failed)
	assert.Equal(t, 1, w.Calls(merchanttest.RouteLogin), "one login for the fleet")
	assert.Equal(t, rounds-1, w.Calls(merchanttest.RouteRefresh), "one refresh per expiry (the first round logs in)")
	assert.Zero(t, w.StaleRefreshUses(), "no spent refresh token presented again")
	_, v, err := store.LoadSession(context.Background(), "merchant:"+merchanttest.Email)
	require.NoError(t, err)
	assert.EqualValues(t, 1+2*(rounds-1), v, "the login, then per refresh its in-flight record and its result: each once")
	count := func(reason string) int32 {
		n, ok := changes.Load(reason)
		if !ok {
			return 0
		}
		return n.(*atomic.Int32).Load()
	}
	assert.EqualValues(t, 1, count("login"))
	assert.EqualValues(t, rounds-1, count("refresh"))
	assert.Positive(t, count("adopted"), "the other clients adopted what one renewed")
}

func TestSharedStoreDFCUAdoptsWithoutLoggingIn(t *testing.T) {
	srv := dfcutest.NewServer()
	t.Cleanup(srv.Close)
	store := banklink.NewMemoryStore()
	newClient := func() *dfcu.Client {
		c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword),
			banklink.WithSessionStore(store, "loans-ops", 0))
		require.NoError(t, err)
		t.Cleanup(c.CloseIdleConnections)
		return c
	}
	a, b := newClient(), newClient()
	ctx := context.Background()
	_, err := a.Loans(ctx, dfcutest.AccountWithLoans)
	require.NoError(t, err)
	_, err = b.Loans(ctx, dfcutest.AccountWithLoans)
	require.NoError(t, err)
	assert.Equal(t, 1, srv.Calls(dfcutest.RouteToken), "b adopted a's session")
	sa, _ := a.Session()
	sb, _ := b.Session()
	assert.Equal(t, sa.Access, sb.Access)

	srv.ExpireAccessTokens()
	var calls []func(context.Context) error
	for _, c := range []*dfcu.Client{a, b} {
		calls = append(calls, func(ctx context.Context) error { _, err := c.Loans(ctx, dfcutest.AccountWithLoans); return err })
	}
	require.Empty(t, fleetRounds(t, 3, 20, calls, srv.ExpireAccessTokens))
	assert.Equal(t, 3, srv.Calls(dfcutest.RouteRefresh), "one refresh per expiry for both clients")
	assert.Equal(t, 1, srv.Calls(dfcutest.RouteToken))
}

// flakyStore is a store that can be switched off.
type flakyStore struct {
	banklink.SessionStore
	down atomic.Bool
}

var errStoreDown = errors.New("connection refused")

func (f *flakyStore) LoadSession(ctx context.Context, key string) ([]byte, uint64, error) {
	if f.down.Load() {
		return nil, 0, errStoreDown
	}
	return f.SessionStore.LoadSession(ctx, key)
}

func (f *flakyStore) CompareAndSwapSession(ctx context.Context, key string, old, fence uint64, data []byte) (uint64, error) {
	if f.down.Load() {
		return 0, errStoreDown
	}
	return f.SessionStore.CompareAndSwapSession(ctx, key, old, fence, data)
}

func (f *flakyStore) AcquireLease(ctx context.Context, key string, ttl time.Duration) (banklink.Lease, error) {
	if f.down.Load() {
		return banklink.Lease{}, errStoreDown
	}
	return f.SessionStore.AcquireLease(ctx, key, ttl)
}

// A store that goes down: calls with a valid token go on without it; a
// renewal falls back to this process's own, with one warning; when the
// store is back, renewals share again.
func TestSharedStoreDownDegradesToLocalRenewal(t *testing.T) {
	srv := dfcutest.NewServer()
	t.Cleanup(srv.Close)
	store := &flakyStore{SessionStore: banklink.NewMemoryStore()}
	var logs bytes.Buffer
	c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword),
		banklink.WithSessionStore(store, "loans-ops", 0),
		banklink.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	ctx := context.Background()
	_, err = c.Loans(ctx, dfcutest.AccountWithLoans)
	require.NoError(t, err)

	store.down.Store(true)
	for i := 0; i < 3; i++ {
		_, err = c.Loans(ctx, dfcutest.AccountWithLoans)
		require.NoError(t, err, "a valid token needs no store")
	}
	for i := 0; i < 3; i++ {
		srv.ExpireAccessTokens()
		_, err = c.Loans(ctx, dfcutest.AccountWithLoans)
		require.NoError(t, err, "the renewal degrades to this process")
	}
	assert.Equal(t, 3, srv.Calls(dfcutest.RouteRefresh))
	assert.Equal(t, 1, strings.Count(logs.String(), "session store unavailable"), "one warning, not one per renewal:\n%s", logs.String())
	assert.Contains(t, logs.String(), "level=WARN")

	store.down.Store(false)
	srv.ExpireAccessTokens()
	_, err = c.Loans(ctx, dfcutest.AccountWithLoans)
	require.NoError(t, err)
	_, v, _ := store.LoadSession(ctx, "dfcu:loans-ops")
	assert.EqualValues(t, 3, v, "the store is written again once it is back (the in-flight record, then the renewed session)")
}

func TestSessionStoreKeyNeverACredential(t *testing.T) {
	_, err := dfcu.New(banklink.WithBaseURL("https://x.example/"), dfcu.WithCredentials("ops", "s3cret-pw"),
		banklink.WithSessionStore(banklink.NewMemoryStore(), "s3cret-pw", 0))
	assert.ErrorIs(t, err, banklink.ErrInvalidConfig)
	_, err = dfcu.New(banklink.WithBaseURL("https://x.example/"), dfcu.WithCredentials("ops", "pw"),
		banklink.WithSessionStore(nil, "k", 0))
	assert.ErrorIs(t, err, banklink.ErrInvalidConfig)
}

// A wallet that rotates the pair on every answer: each client stores the
// pair it received, and the other adopts it instead of refreshing.
func TestSharedStoreCarriesRotatedPairs(t *testing.T) {
	w := merchanttest.NewWallet(merchanttest.WithRotationOnEveryAnswer())
	t.Cleanup(w.Close)
	store := banklink.NewMemoryStore()
	var clients []*merchant.Client
	for i := 0; i < 2; i++ {
		c, err := merchant.New(banklink.WithBaseURL(w.URL), merchant.WithCredentials(merchanttest.Email, merchanttest.Password),
			banklink.WithSessionStore(store, merchanttest.Email, 0))
		require.NoError(t, err)
		t.Cleanup(c.CloseIdleConnections)
		clients = append(clients, c)
	}
	for i := 0; i < 10; i++ {
		_, err := merchant.Do[merchant.Merchant](context.Background(), clients[i%2], banklink.Request{Method: "GET", Path: "merchant/profile", Auth: true})
		require.NoError(t, err, "call %d", i)
	}
	assert.Equal(t, 1, w.Calls(merchanttest.RouteLogin))
	assert.Zero(t, w.Calls(merchanttest.RouteRefresh), "a rotated pair in the store needs no refresh")
	assert.Zero(t, w.StaleRefreshUses())
	_, v, _ := store.LoadSession(context.Background(), "merchant:"+merchanttest.Email)
	assert.EqualValues(t, 11, v, "the login and ten rotations")
}

func TestMemoryStoreKeepsTheContract(t *testing.T) {
	banklinktest.SessionStoreContract(t, banklink.NewMemoryStore())
}
