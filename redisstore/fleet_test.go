package redisstore_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go/dfcu/dfcutest"
	"github.com/banklink/banklink-go/fintiv/fintivtest"
	"github.com/banklink/banklink-go/merchant/merchanttest"
	"github.com/banklink/banklink-go/redisstore"
	"github.com/banklink/banklink-go/redisstore/internal/redisserver"
)

// fleet is a test's set of replica processes sharing one account.
type fleet struct {
	t        *testing.T
	provider string
	base     string
	redis    string
	sealKey  []byte
	account  string
	stop     string
	lease    time.Duration
	pace     time.Duration // each goroutine's pause between two calls
}

// fleetPace is the pause between two calls of one replica goroutine: a
// fleet's steady traffic (the 40 goroutines of a chaos fleet make a call
// every 2.5ms between them, and an expiry finds every goroutine calling
// within one pace), not a spin that starves the 2 cores the test shares
// with the rest of the suite (under -race a spinning fleet took 1.5 cores
// for the package's 80s).
const fleetPace = 100 * time.Millisecond

func newFleet(t *testing.T, provider, base, redisAddr string) *fleet {
	key := make([]byte, 32)
	_, _ = rand.Read(key)
	return &fleet{t: t, provider: provider, base: base, redis: redisAddr, sealKey: key,
		account: t.Name() + "-" + strconv.FormatInt(time.Now().UnixNano(), 36),
		stop:    filepath.Join(t.TempDir(), "stop"), pace: fleetPace} // lease 0: the SDK's default
}

// replica is one child process.
type replica struct {
	cmd    *exec.Cmd
	ready  chan struct{}
	result chan childResult
}

// start starts a replica with goroutines calling (until the stop file, or
// calls each when calls > 0).
func (f *fleet) start(goroutines, calls int) *replica {
	f.t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(withoutExitSleep(os.Environ()),
		childEnv+"="+f.provider, childBase+"="+f.base, childRedis+"="+f.redis,
		childSealKey+"="+hex.EncodeToString(f.sealKey), childKey+"="+f.account,
		childWorkers+"="+strconv.Itoa(goroutines), childStopFile+"="+f.stop,
		childLease+"="+f.lease.String(), childCalls+"="+strconv.Itoa(calls), childPace+"="+f.pace.String())
	out, err := cmd.StdoutPipe()
	require.NoError(f.t, err)
	cmd.Stderr = os.Stderr
	require.NoError(f.t, cmd.Start())
	r := &replica{cmd: cmd, ready: make(chan struct{}), result: make(chan childResult, 1)}
	go func() {
		sc := bufio.NewScanner(out)
		sc.Buffer(make([]byte, 1<<20), 16<<20)
		var once sync.Once
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "FLEET-READY":
				once.Do(func() { close(r.ready) })
			case strings.HasPrefix(line, "FLEET-RESULT "):
				var res childResult
				_ = json.Unmarshal([]byte(strings.TrimPrefix(line, "FLEET-RESULT ")), &res)
				r.result <- res
			case strings.HasPrefix(line, "FLEET-ERROR"):
				f.t.Errorf("replica: %s", line)
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	f.t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	return r
}

// waitReady waits until r made a successful call.
func (f *fleet) waitReady(r *replica) {
	f.t.Helper()
	select {
	case <-r.ready:
	case <-time.After(2 * time.Minute):
		f.t.Fatal("a replica made no successful call")
	}
}

// finish stops the replicas and returns their results.
func (f *fleet) finish(rs ...*replica) []childResult {
	f.t.Helper()
	require.NoError(f.t, os.WriteFile(f.stop, nil, 0o600))
	var out []childResult
	for _, r := range rs {
		select {
		case res := <-r.result:
			out = append(out, res)
		case <-time.After(2 * time.Minute):
			f.t.Fatal("a replica did not finish")
		}
		require.NoError(f.t, r.cmd.Wait())
	}
	return out
}

// storedVersion reads the version the store holds for the fleet's account.
func (f *fleet) storedVersion(keyPrefix string) uint64 {
	f.t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: f.redis})
	defer rdb.Close()
	s, err := redisstore.New(rdb, f.sealKey)
	require.NoError(f.t, err)
	_, v, err := s.LoadSession(context.Background(), keyPrefix+":"+f.account)
	require.NoError(f.t, err)
	return v
}

// eventually polls cond until it holds, failing the test after a minute.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// fleetCounts are what a fake counted of a fleet's renewals.
type fleetCounts struct{ logins, refreshes func() int }

// runFleet runs 4 replicas × 25 goroutines against a fake whose access
// tokens expire, until the fleet has refreshed rotations times, and
// checks: no failed call, one login, and one refresh per expiry: every
// refresh recorded in flight and stored as the next versions (two
// replicas refreshing the same version would leave one refresh unstored,
// its fenced compare-and-swap refused).
// minInterval, when set, is the least time between two refreshes of a
// provider that renews only when a token is refused.
func runFleet(t *testing.T, f *fleet, minInterval time.Duration, rotations int, counts fleetCounts) {
	began := time.Now()
	var rs []*replica
	for range 4 {
		rs = append(rs, f.start(25, 0))
	}
	for _, r := range rs {
		f.waitReady(r)
	}
	eventually(t, strconv.Itoa(rotations)+" refreshes", func() bool { return counts.refreshes() >= rotations })
	results := f.finish(rs...)
	elapsed := time.Since(began)

	var calls int64
	for i, res := range results {
		assert.Empty(t, res.Failures, "replica %d: failed calls", i)
		assert.Positive(t, res.Calls, "replica %d made calls", i)
		calls += res.Calls
	}
	refreshes := counts.refreshes()
	assert.Equal(t, 1, counts.logins(), "one login for the fleet")
	assert.GreaterOrEqual(t, refreshes, rotations)
	if minInterval > 0 {
		assert.LessOrEqual(t, refreshes, int(elapsed/minInterval)+1, "at most one refresh per expiry")
	}
	assert.EqualValues(t, 1+2*refreshes, f.storedVersion(f.provider), "the login, then per refresh its in-flight record and its result: each once")
	t.Logf("%s fleet: %d calls, %d refreshes in %s", f.provider, calls, refreshes, elapsed.Round(time.Millisecond))
}

func TestFleetMerchant(t *testing.T) {
	t.Parallel() // a fake and a key of its own on the shared redis-server; mostly waiting for expiries
	// Short, with room for a loaded machine's scheduling.
	const ttl = 2 * time.Second
	w := merchanttest.NewWallet(merchanttest.WithTokenLifetimes(ttl, 0), merchanttest.WithReuseDetection())
	t.Cleanup(w.Close)
	f := newFleet(t, "merchant", w.URL, redisserver.Addr(t))
	runFleet(t, f, ttl, 3, fleetCounts{
		logins:    func() int { return w.Calls(merchanttest.RouteLogin) },
		refreshes: func() int { return w.Calls(merchanttest.RouteRefresh) },
	})
	assert.Zero(t, w.Reuses(), "no spent refresh token presented again")
}

// DFCU and Fintiv tokens say when they expire: the fleet refreshes ahead
// of expiry, once.
func TestFleetDFCU(t *testing.T) {
	t.Parallel() // a fake and a key of its own on the shared redis-server; mostly waiting for expiries
	srv := dfcutest.NewServer(dfcutest.WithTokenLifetimes(3*time.Second, time.Hour))
	t.Cleanup(srv.Close)
	f := newFleet(t, "dfcu", srv.URL, redisserver.Addr(t))
	runFleet(t, f, 0, 3, fleetCounts{logins: func() int { return srv.Calls(dfcutest.RouteToken) }, refreshes: func() int { return srv.Calls(dfcutest.RouteRefresh) }})
}

func TestFleetFintiv(t *testing.T) {
	t.Parallel() // a fake and a key of its own on the shared redis-server; mostly waiting for expiries
	srv := fintivtest.NewServer(fintivtest.WithTokenLifetimes(3*time.Second, 0))
	t.Cleanup(srv.Close)
	f := newFleet(t, "fintiv", srv.URL, redisserver.Addr(t))
	runFleet(t, f, 0, 3, fleetCounts{
		logins:    func() int { return srv.Grants("password") },
		refreshes: func() int { return srv.Grants("refresh_token") },
	})
}

// The wallet fake's routes, for the chaos tests.
const (
	walletRouteLogin   = merchanttest.RouteLogin
	walletRouteRefresh = merchanttest.RouteRefresh
)

func newWallet(t *testing.T, opts ...merchanttest.Option) *merchanttest.Wallet {
	w := merchanttest.NewWallet(opts...)
	t.Cleanup(w.Close)
	return w
}

// withoutExitSleep drops the race detector's one-second sleep at exit
// (GORACE's atexit_sleep_ms, 1000 by default) from a replica's
// environment: scenarios wait for their replicas to exit. A race a
// replica hits is still reported and still fails its exit (66); only one
// in its last second would go unseen.
func withoutExitSleep(env []string) []string {
	return append(env, "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
}
