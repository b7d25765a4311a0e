package redisstore_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/banklinktest"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
	"github.com/banklink/banklink-go/redisstore"
	"github.com/banklink/banklink-go/redisstore/internal/redisserver"
)

func client(t testing.TB, addr string) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: addr})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

func sealKey() []byte {
	k := make([]byte, 32)
	_, _ = rand.Read(k)
	return k
}

func TestStoreKeepsTheContract(t *testing.T) {
	rdb := client(t, redisserver.Addr(t))
	sealed, err := redisstore.New(rdb, sealKey())
	require.NoError(t, err)
	banklinktest.SessionStoreContract(t, sealed)
	plain, err := redisstore.New(rdb, nil, redisstore.WithPlaintext(), redisstore.WithKeySalt(sealKey()), redisstore.WithPrefix("plain:"))
	require.NoError(t, err)
	banklinktest.SessionStoreContract(t, plain)
}

func TestNewRefusesUnsealedByDefault(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1"})
	defer rdb.Close()
	_, err := redisstore.New(rdb, nil)
	assert.ErrorContains(t, err, "no seal key")
	_, err = redisstore.New(rdb, []byte("short"))
	assert.ErrorContains(t, err, "seal key")
	_, err = redisstore.New(rdb, sealKey(), redisstore.WithPlaintext())
	assert.ErrorContains(t, err, "choose one")
	_, err = redisstore.New(rdb, nil, redisstore.WithPlaintext())
	assert.ErrorContains(t, err, "WithKeySalt", "plaintext key names are keyed too")
	_, err = redisstore.New(rdb, nil, redisstore.WithPlaintext(), redisstore.WithKeySalt([]byte("short")))
	assert.Error(t, err)
	_, err = redisstore.New(nil, sealKey())
	assert.Error(t, err)
}

// What Redis holds never shows a token, a password or the account name,
// in any encoding a reader might try; a sealed session opens only with
// its key, under its own account and version.
func TestSealedAtRest(t *testing.T) {
	addr := redisserver.Addr(t)
	rdb := client(t, addr)
	key := sealKey()
	store, err := redisstore.New(rdb, key, redisstore.WithPrefix("sealtest:"))
	require.NoError(t, err)
	srv := dfcutest.NewServer()
	t.Cleanup(srv.Close)
	const account = "treasury-ops@example.com"
	c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword),
		banklink.WithSessionStore(store, account, 0))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	ctx := context.Background()
	_, err = c.Loans(ctx, dfcutest.AccountWithLoans)
	require.NoError(t, err)
	s, ok := c.Session()
	require.True(t, ok)

	var raw bytes.Buffer
	keys, err := rdb.Keys(ctx, "sealtest:*").Result()
	require.NoError(t, err)
	require.NotEmpty(t, keys)
	for _, k := range keys {
		raw.WriteString(k + "\n")
		switch rdb.Type(ctx, k).Val() {
		case "hash":
			for f, v := range rdb.HGetAll(ctx, k).Val() {
				raw.WriteString(f + "=" + v + "\n")
			}
		default:
			raw.WriteString(rdb.Get(ctx, k).Val() + "\n")
		}
	}
	for _, secret := range []string{s.Access, s.Refresh, dfcutest.DefaultPassword, account} {
		js, _ := json.Marshal(secret)
		for _, form := range []string{secret, string(js), base64.StdEncoding.EncodeToString([]byte(secret)),
			base64.RawURLEncoding.EncodeToString([]byte(secret)), hex.EncodeToString([]byte(secret)), secret[:min(len(secret), 24)]} {
			assert.NotContains(t, raw.String(), form, "Redis holds a secret or the account name")
		}
	}

	data, v, err := store.LoadSession(ctx, "dfcu:"+account)
	require.NoError(t, err)
	assert.EqualValues(t, 1, v)
	assert.Contains(t, string(data), s.Access, "the owner of the key reads it back")

	// Key names are keyed: the plain SHA-256 of the account key (what an
	// attacker guessing account numbers would compute) names nothing.
	sum := sha256.Sum256([]byte("dfcu:" + account))
	for _, k := range keys {
		assert.NotContains(t, k, hex.EncodeToString(sum[:16]))
	}

	other, err := redisstore.New(rdb, sealKey(), redisstore.WithPrefix("sealtest:"))
	require.NoError(t, err)
	data, v, err = other.LoadSession(ctx, "dfcu:"+account)
	assert.True(t, err == nil && data == nil && v == 0, "another key finds nothing under its own names: %q %d %v", data, v, err)

	// A sealed session moved to another account does not open there: it
	// reads as unreadable, with its version, so a renewal replaces it.
	_, err = store.CompareAndSwapSession(ctx, "victim", 0, 0, []byte(`{"version":1}`))
	require.NoError(t, err)
	mine := rdb.Keys(ctx, "sealtest:*:session").Val()
	require.Len(t, mine, 2)
	a, b := mine[0], mine[1]
	rdb.HSet(ctx, b, "d", rdb.HGet(ctx, a, "d").Val())
	_, _, errA := store.LoadSession(ctx, "victim")
	_, _, errB := store.LoadSession(ctx, "dfcu:"+account)
	assert.True(t, errors.Is(errA, banklink.ErrSessionUnreadable) || errors.Is(errB, banklink.ErrSessionUnreadable),
		"a value copied to another key does not open: %v / %v", errA, errB)
}

// Redis stopped in the middle of a run: calls with a valid token go on,
// a renewal falls back to the client's own with one warning, and once
// Redis is back the fleet's store is written again.
func TestRedisDownThenBack(t *testing.T) {
	rs := redisserver.Start(t)
	rdb := client(t, rs.Addr)
	store, err := redisstore.New(rdb, sealKey())
	require.NoError(t, err)
	srv := dfcutest.NewServer()
	t.Cleanup(srv.Close)
	var logs bytes.Buffer
	c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword),
		banklink.WithSessionStore(store, "loans", 0),
		banklink.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelWarn}))))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	ctx := context.Background()
	loans := func() error { _, err := c.Loans(ctx, dfcutest.AccountWithLoans); return err }
	require.NoError(t, loans())

	rs.Stop()
	for range 3 {
		require.NoError(t, loans(), "a valid token needs no store")
	}
	for range 2 {
		srv.ExpireAccessTokens()
		require.NoError(t, loans(), "the renewal degrades to this process")
	}
	assert.Equal(t, 2, srv.Calls(dfcutest.RouteRefresh))
	assert.Equal(t, 1, strings.Count(logs.String(), "session store unavailable"), "one warning:\n%s", logs.String())

	rs.Restart() // empty: no persistence
	srv.ExpireAccessTokens()
	require.NoError(t, loans())
	_, v, err := store.LoadSession(ctx, "dfcu:loans")
	require.NoError(t, err)
	assert.EqualValues(t, 2, v, "coordination resumed: the renewal was stored (its in-flight record, then the session)")
	assert.Equal(t, 1, srv.Calls(dfcutest.RouteToken), "never a new login")
}

// A lease whose holder dies mid-renewal, its refresh in flight: another
// replica renews after the lease's ttl. The store says A's refresh token
// was being presented, and the wallet's are single-use: B logs in
// instead of presenting it, so nothing is ever spent twice.
func TestLeaseHolderKilledMidRenewal(t *testing.T) {
	w := newWallet(t)
	f := newFleet(t, "merchant", w.URL, redisserver.Addr(t))
	f.lease = time.Second
	a := f.start(1, 0)
	f.waitReady(a)

	// A's refresh will hang, unprocessed, until A is gone.
	w.InjectFaults(walletRouteRefresh, banklinktest.Fault{Status: 503, Delay: 5 * time.Minute})
	w.ExpireAccessTokens()
	eventually(t, "A's refresh", func() bool { return w.Calls(walletRouteRefresh) == 1 })
	require.NoError(t, a.cmd.Process.Kill()) // SIGKILL: no release, no cleanup
	_ = a.cmd.Wait()

	began := time.Now()
	b := f.start(1, 3)
	res := <-b.result
	require.NoError(t, b.cmd.Wait())
	assert.Empty(t, res.Failures)
	assert.EqualValues(t, 3, res.Calls)
	assert.Equal(t, 1, w.Calls(walletRouteRefresh), "A's lost refresh only: B never presents a token that may be spent")
	assert.Zero(t, w.StaleRefreshUses())
	assert.Equal(t, 2, w.Calls(walletRouteLogin), "B logged in instead")
	assert.EqualValues(t, 3, f.storedVersion("merchant"), "A's login, A's in-flight record, B's login")
	t.Logf("B renewed %s after A died (lease %s)", time.Since(began).Round(time.Millisecond), f.lease)
}

// WithWaitReplicas: a write the replicas did not acknowledge is reported
// as failed, never as durable (a standalone Redis has no replica).
func TestWaitReplicasRefusesAWriteNoReplicaHas(t *testing.T) {
	rdb := client(t, redisserver.Addr(t))
	store, err := redisstore.New(rdb, sealKey(), redisstore.WithWaitReplicas(1, 50*time.Millisecond))
	require.NoError(t, err)
	_, err = store.CompareAndSwapSession(context.Background(), t.Name(), 0, 0, []byte(`{}`))
	assert.ErrorContains(t, err, "not durable")
	_, err = redisstore.New(rdb, sealKey(), redisstore.WithWaitReplicas(0, time.Second))
	assert.Error(t, err)
}
