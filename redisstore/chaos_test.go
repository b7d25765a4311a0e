package redisstore_test

import (
	"crypto/rand"
	"path/filepath"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go/banklinktest"
	"github.com/banklink/banklink-go/merchant/merchanttest"
	"github.com/banklink/banklink-go/redisstore/internal/redisserver"
)

// Chaos against the real Redis process: a merchant fleet (4 replica
// processes × 10 goroutines; the wallet's refresh tokens are single-use,
// its access tokens live 2s, and a reused refresh token revokes the whole
// token family, RFC 9700 §4.14.2) through a store incident. After each:
// no spent refresh token was presented again, no call failed (a valid
// session existed throughout: the wallet never refused the fleet), and
// logins stayed within one per replica for an outage, one per fleet
// otherwise.

const chaosReplicas = 4

type chaos struct {
	t      *testing.T
	redis  *redisserver.Server
	wallet *merchanttest.Wallet
	fleet  *fleet
	rs     []*replica
}

func startChaos(t *testing.T) *chaos { return startChaosWith(t, 2*time.Second) }

// startChaosWith starts the fleet with the wallet's access tokens living
// access.
func startChaosWith(t *testing.T, access time.Duration) *chaos {
	if testing.Short() {
		t.Skip("chaos against a real redis-server: not in -short")
	}
	t.Parallel() // a redis-server, a wallet and a fleet of its own: mostly waiting, never shared
	c := &chaos{t: t, redis: redisserver.Start(t)}
	c.wallet = newWallet(t, merchanttest.WithTokenLifetimes(access, 0), merchanttest.WithReuseDetection())
	c.fleet = newFleet(t, "merchant", c.wallet.URL, c.redis.Addr)
	for range chaosReplicas {
		c.rs = append(c.rs, c.fleet.start(10, 0))
	}
	for _, r := range c.rs {
		c.fleet.waitReady(r)
	}
	return c
}

// run lets the fleet work for d.
func (c *chaos) run(d time.Duration) { time.Sleep(d) }

// finish stops the fleet and checks the invariants; maxLogins bounds the
// wallet's logins, the first one included.
func (c *chaos) finish(maxLogins int) {
	t := c.t
	results := c.fleet.finish(c.rs...)
	var calls int64
	for i, res := range results {
		assert.Empty(t, res.Failures, "replica %d: calls failed while a valid session existed", i)
		calls += res.Calls
	}
	assert.Zero(t, c.wallet.Reuses(), "a spent single-use refresh token was presented again")
	logins, refreshes := c.wallet.Calls(merchanttest.RouteLogin), c.wallet.Calls(merchanttest.RouteRefresh)
	assert.LessOrEqual(t, logins, maxLogins, "logins")
	t.Logf("%d calls, %d logins, %d refreshes", calls, logins, refreshes)
}

func (c *chaos) flushAll() {
	rdb := redis.NewClient(&redis.Options{Addr: c.redis.Addr})
	defer rdb.Close()
	require.NoError(c.t, rdb.FlushAll(c.t.Context()).Err())
}

// FLUSHALL in the middle of a run: every session, lease and fence gone.
// Replicas that held the lost session never present its refresh token
// (the store lost what they had stored: an in-flight record may have gone
// with it); one logs in for the fleet, the others adopt its session.
func TestChaosFlushAll(t *testing.T) {
	c := startChaos(t)
	c.run(3 * time.Second)
	c.flushAll()
	c.run(4 * time.Second)
	c.flushAll()
	c.run(4 * time.Second)
	c.finish(1 + 2)
}

// Redis refusing connections for 5s, then back empty (a restart without
// persistence): renewals fall back at once (the store's calls are
// bounded), each replica logs in on its own rather than present a token
// the fleet shares, and once Redis is back the fleet shares again.
func TestChaosRefusedThenRestartedEmpty(t *testing.T) {
	c := startChaos(t)
	c.run(2 * time.Second)
	c.redis.Stop()
	c.run(5 * time.Second)
	c.redis.Restart()
	c.run(5 * time.Second)
	c.finish(1 + chaosReplicas + 1)
}

// Redis stalled (SIGSTOP) for 10s, five access-token lifetimes:
// connections open, nothing answers. Calls never wait for it beyond the
// store's bound; renewals go on without it.
func TestChaosStalledRedis(t *testing.T) {
	c := startChaos(t)
	c.run(2 * time.Second)
	c.redis.Pause()
	c.run(10 * time.Second)
	c.redis.Resume()
	c.run(4 * time.Second)
	c.finish(1 + chaosReplicas + 1)
}

// A seal-key rotation, rolled out replica by replica: replicas on the new
// key share sessions under new key names (derived from the key: the new
// replicas find nothing and log in once for their fleet), the old ones go
// on with theirs until they are stopped. Two token families, never one
// token presented by both, no call failed on either side.
func TestChaosSealKeyRotation(t *testing.T) {
	c := startChaos(t)
	c.run(2 * time.Second)
	next := *c.fleet
	next.stop = filepath.Join(t.TempDir(), "stop-rotated")
	next.sealKey = make([]byte, 32)
	_, _ = rand.Read(next.sealKey)
	var rotated []*replica
	for range c.rs {
		r := next.start(10, 0)
		next.waitReady(r)
		rotated = append(rotated, r)
		c.run(time.Second)
	}
	for i, res := range c.fleet.finish(c.rs...) {
		assert.Empty(t, res.Failures, "old replica %d", i)
	}
	c.fleet, c.rs = &next, rotated
	c.run(3 * time.Second)
	c.finish(1 + 1)
}

// A lease holder killed (SIGKILL) after the wallet processed its refresh:
// its answer is lost with it, the token spent. The store's in-flight
// record says so: the replica that takes over logs in instead of
// presenting the spent token, within seconds (the lease is short and was
// never extended again), not after a 15s lease.
func TestChaosHolderKilledAfterTheRefreshWasProcessed(t *testing.T) {
	redisAddr := redisserver.Addr(t)
	w := newWallet(t, merchanttest.WithReuseDetection())
	f := newFleet(t, "merchant", w.URL, redisAddr)
	a := f.start(1, 0)
	f.waitReady(a)

	w.InjectFaults(walletRouteRefresh, banklinktest.Fault{Pass: true, Delay: 5 * time.Minute}) // spent now, answered never
	w.ExpireAccessTokens()
	eventually(t, "A's refresh processed", func() bool { return w.Calls(walletRouteRefresh) == 1 })
	require.NoError(t, a.cmd.Process.Kill())
	_ = a.cmd.Wait()

	began := time.Now()
	b := f.start(1, 3)
	res := <-b.result
	require.NoError(t, b.cmd.Wait())
	took := time.Since(began)
	assert.Empty(t, res.Failures)
	assert.Zero(t, w.Reuses(), "B never presents the token A spent")
	assert.Equal(t, 1, w.Calls(walletRouteRefresh), "A's refresh only")
	assert.Equal(t, 2, w.Calls(walletRouteLogin), "B logged in instead")
	assert.Less(t, took, 10*time.Second, "a dead holder stalls the fleet for its short lease, not 15s")
	t.Logf("B had a session %s after A died", took.Round(time.Millisecond))
}

// A refresh the wallet answers after 16s, longer than the lease's ttl:
// the holder extends its lease while it waits, so no other replica takes
// it and presents the same token; the fleet waits for the one refresh.
// (Access tokens live a minute here: the wallet issues the new pair when
// it processes the refresh, and a 2s token would be dead on arrival.)
func TestChaosRefreshAnsweredAfter16s(t *testing.T) {
	c := startChaosWith(t, time.Minute)
	c.wallet.InjectFaults(walletRouteRefresh, banklinktest.Fault{Pass: true, Delay: 16 * time.Second})
	c.wallet.ExpireAccessTokens()
	c.run(20 * time.Second)
	c.finish(1)
	assert.Equal(t, 1, c.wallet.Calls(merchanttest.RouteRefresh), "one refresh for the fleet, however long it took")
}
