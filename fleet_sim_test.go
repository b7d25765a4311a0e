package banklink_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/banklinktest"
	"github.com/banklink/banklink-go/merchant"
	"github.com/banklink/banklink-go/merchant/merchanttest"
)

// The fleet simulation's flags: `go test -run TestFleetSimulation
// -sim.seed=N` replays one seed; -sim.seeds and -sim.duration make the
// longer soak (SESSIONS.md).
var (
	simSeed     = flag.Uint64("sim.seed", 0, "TestFleetSimulation: replay this seed only (0: run -sim.seeds seeds)")
	simSeeds    = flag.Int("sim.seeds", defaultSimSeeds, "TestFleetSimulation: how many seeds to run (500; 200 under -race, which runs them 5 times slower)")
	simDuration = flag.Duration("sim.duration", 20*time.Second, "TestFleetSimulation: fake time each seed runs")
	simTrace    = flag.Bool("sim.trace", false, "TestFleetSimulation: log every event and the clients' renewals")
)

// TestFleetSimulation runs the session-sharing protocol as a seeded
// simulation on testing/synctest's fake clock: 3–8 merchant clients (the
// wallet's refresh tokens are single-use, with reuse detection revoking
// the token family, and access tokens living 1–4s) share a MemoryStore
// behind a fault injector, and a scheduler drawn from the seed injects
// store errors, hangs and slow answers (some applied after the client gave
// up), data loss, rollback, unreadable values, replicas killed mid-renewal
// (before or after the wallet processed their refresh), logouts,
// revocations, refresh outages, refreshes answered after the lease's ttl
// and early expiries. Checked throughout:
//
//   - no refresh token is presented twice (the wallet counts reuses);
//   - no logged-out session is adopted;
//   - no call outlives its call timeout;
//   - no call fails while the store is up and holds a valid session (a
//     call that starts once every fault has been over for the lease's ttl
//     and ends before the next one);
//   - logins stay within one per fleet per refusal or store incident, one
//     per replica per store outage, two when the store applies writes late.
//
// (No person is ever asked here: the merchant logs in unattended;
// TestOutageNeverAsksAPerson covers Fintract's OTP callback.) A failing
// seed prints the flag that replays it.
func TestFleetSimulation(t *testing.T) {
	seeds := []uint64{*simSeed}
	if *simSeed == 0 {
		seeds = seeds[:0]
		for i := range *simSeeds {
			seeds = append(seeds, uint64(i+1))
		}
	}
	for _, seed := range seeds {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			t.Parallel() // each seed is a bubble of its own
			synctest.Test(t, func(t *testing.T) { runSim(t, seed, *simDuration) })
		})
	}
}

const (
	simCallTimeout = 10 * time.Second
	simLease       = 3 * time.Second
	simStoreBound  = 500 * time.Millisecond
	simRecovery    = simLease + 2*simStoreBound // after a fault, how long before calls must succeed again
	simAccount     = "merchant-ops"
)

var errSimDead = errors.New("sim: this replica is dead")

type sim struct {
	t      *testing.T
	rng    *rand.Rand // the scheduler's only
	wallet *merchanttest.Wallet
	store  *faultStore
	end    chan struct{} // closed once the run is over: dead replicas' calls return
	stop   atomic.Bool

	mu          sync.Mutex
	replicas    []*simReplica
	loggedOut   map[string]time.Time // access token → when its logout returned
	presented   map[string]string    // refresh token → who presented it first (traced runs)
	untombed    map[int]bool         // replicas whose logout's tombstone missed the store
	quietFrom   time.Time            // calls starting from here on must succeed
	faults      int                  // faults in progress
	budget      int                  // logins allowed
	calls, fail int
	violations  []string
}

type simReplica struct {
	id        int
	c         *merchant.Client
	dead      atomic.Bool
	killArmed atomic.Int32 // 1: die at the next refresh before sending it; 2: after the wallet processed it
}

func (s *sim) trace(format string, args ...any) {
	if *simTrace {
		s.t.Logf("%s "+format, append([]any{time.Now().Format("05.000")}, args...)...)
	}
}

func (s *sim) violate(format string, args ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.violations) < 10 {
		s.violations = append(s.violations, fmt.Sprintf("%s: ", time.Now().Format("05.000"))+fmt.Sprintf(format, args...))
	}
}

// faultBegins and faultEnds bracket a fault: calls are allowed to fail
// from its start until simRecovery after its end.
func (s *sim) faultBegins() {
	s.mu.Lock()
	s.faults++
	s.quietFrom = time.Now().Add(100 * 365 * 24 * time.Hour)
	s.mu.Unlock()
}

func (s *sim) faultEnds() {
	s.mu.Lock()
	s.faults--
	if s.faults == 0 {
		s.quietFrom = time.Now().Add(simRecovery)
	}
	s.mu.Unlock()
}

// instantFault is a fault with no duration (data loss, a kill).
func (s *sim) instantFault() { s.faultBegins(); s.faultEnds() }

// allow adds logins to the budget: a refusal costs the fleet one login,
// or one per replica while the store is failing (each is on its own then).
func (s *sim) allow(logins int) {
	s.mu.Lock()
	if s.store.failing() {
		logins *= len(s.replicas)
	}
	s.budget += logins
	s.mu.Unlock()
}

func runSim(t *testing.T, seed uint64, d time.Duration) {
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	access := time.Duration(1+rng.IntN(4)) * time.Second
	w := merchanttest.NewWallet(merchanttest.InMemory(), merchanttest.WithReuseDetection(), merchanttest.WithTokenLifetimes(access, 0))
	s := &sim{t: t, rng: rng, wallet: w, end: make(chan struct{}), loggedOut: map[string]time.Time{}, presented: map[string]string{}, untombed: map[int]bool{}, budget: 1,
		store: &faultStore{mem: banklink.NewMemoryStore(), rng: rand.New(rand.NewPCG(seed, 0x570e))}}
	n := 3 + rng.IntN(6)
	for i := range n {
		s.replicas = append(s.replicas, s.newReplica(i))
	}
	var callers sync.WaitGroup
	for _, r := range s.replicas {
		for g := range 2 {
			grng := rand.New(rand.NewPCG(seed, uint64(100+r.id*2+g)))
			callers.Go(func() { s.callLoop(r, grng) })
		}
	}
	s.schedule(d)
	s.stop.Store(true)
	callers.Wait()
	close(s.end)
	time.Sleep(time.Minute) // abandoned store calls (a hang lasts 30s) and renewals finish: the bubble ends empty

	s.mu.Lock()
	defer s.mu.Unlock()
	if reuses := w.Reuses(); reuses != 0 {
		s.violations = append(s.violations, fmt.Sprintf("%d refresh tokens presented twice", reuses))
	}
	if logins := w.Calls(merchanttest.RouteLogin); logins > s.budget {
		s.violations = append(s.violations, fmt.Sprintf("%d logins, more than the %d the incidents allow", logins, s.budget))
	}
	if len(s.violations) > 0 {
		t.Errorf("seed %d (%d replicas, %s access tokens, %d calls, %d failed): %s\nreplay it with: go test -run TestFleetSimulation -sim.seed=%d -sim.trace .",
			seed, n, access, s.calls, s.fail, strings.Join(s.violations, "; "), seed)
	}
}

func (s *sim) newReplica(id int) *simReplica {
	t := s.t
	r := &simReplica{id: id}
	opts := []banklink.Option{}
	if *simTrace {
		opts = append(opts, banklink.WithLogger(slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelInfo})).With("replica", id)))
	}
	c, err := merchant.New(append(opts, banklink.WithBaseURL(s.wallet.URL), merchant.WithCredentials(merchanttest.Email, merchanttest.Password),
		banklink.WithTransport(&simTransport{s: s, r: r, next: s.wallet.Transport()}),
		banklink.WithSessionStore(&replicaStore{s: s, r: r}, simAccount, simLease),
		banklink.WithSessionStoreTimeout(simStoreBound),
		banklink.WithCallTimeout(simCallTimeout),
		banklink.WithSessionHook(func(_ context.Context, ch banklink.SessionChange) {
			s.mu.Lock()
			switch {
			case ch.Reason == "logout" && ch.Version == 0:
				// The store missed the tombstone (it was failing): until
				// this client writes it, on its next use of the store,
				// replicas that forked meanwhile may adopt the ended
				// session (the wallet refuses it).
				s.untombed[id] = true
			case ch.Version > 0 && ch.Reason != "adopted":
				delete(s.untombed, id) // it reached the store again: tombstone first
			}
			s.mu.Unlock()
			if ch.Reason != "adopted" {
				return
			}
			var m merchant.Session
			if json.Unmarshal(ch.Session, &m) != nil {
				s.violate("replica %d adopted an unreadable session", id)
				return
			}
			s.mu.Lock()
			at, out := s.loggedOut[m.Access]
			excused := len(s.untombed) > 0
			s.mu.Unlock()
			if out && time.Now().After(at) && !excused {
				s.violate("replica %d adopted a session logged out at %s", id, at.Format("05.000"))
			}
		}))...)
	if err != nil {
		s.t.Fatal(err)
	}
	r.c = c
	return r
}

// callLoop makes calls until the run stops or the replica dies, checking
// each against its timeout and against the store's state.
func (s *sim) callLoop(r *simReplica, rng *rand.Rand) {
	for !s.stop.Load() && !r.dead.Load() {
		time.Sleep(time.Duration(200+rng.IntN(800)) * time.Millisecond)
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), simCallTimeout)
		_, err := merchant.Do[merchant.Merchant](ctx, r.c, banklink.Request{Method: http.MethodGet, Path: "merchant/profile", Auth: true, Idempotent: true})
		cancel()
		took := time.Since(start)
		if r.dead.Load() {
			return
		}
		if took > simCallTimeout {
			s.violate("replica %d: a call took %s, past its %s timeout", r.id, took, simCallTimeout)
		}
		s.mu.Lock()
		s.calls++
		quiet := !start.Before(s.quietFrom) && s.faults == 0
		if err != nil {
			s.fail++
		}
		s.mu.Unlock()
		if err != nil {
			s.trace("replica %d: call failed: %v", r.id, err)
		}
		if err != nil && quiet {
			s.violate("replica %d: a call failed with the store up and no fault since %s: %v", r.id, start.Add(-simRecovery).Format("05.000"), err)
		}
	}
}

// schedule injects faults until d has passed.
func (s *sim) schedule(d time.Duration) {
	end := time.Now().Add(d)
	var pending sync.WaitGroup
	for time.Now().Before(end) {
		time.Sleep(time.Duration(500+s.rng.IntN(3000)) * time.Millisecond)
		ev := s.rng.IntN(14)
		s.trace("event %d", ev)
		switch ev {
		case 0: // access tokens refused early: the stored session is not valid any more
			s.instantFault()
			s.wallet.ExpireAccessTokens()
		case 1: // every refresh token revoked: one login for the fleet
			s.allow(1)
			s.wallet.RevokeRefreshTokens()
		case 2, 3, 4: // the store errs, hangs, or answers slowly (some writes landing after the client gave up)
			mode := []string{"error", "hang", "slow"}[ev-2]
			dur := time.Duration(1+s.rng.IntN(8)) * time.Second
			s.allow(len(s.replicas)) // one login per replica per outage at most
			if mode == "slow" {
				// Writes that land late leave in-flight records whose fate
				// no replica knows; under one a single-use token is never
				// presented: a replica may log in a second time.
				s.allow(len(s.replicas))
			}
			s.faultBegins()
			s.store.setMode(mode)
			pending.Go(func() {
				time.Sleep(dur)
				s.store.setMode("")
				s.faultEnds()
			})
		case 5: // data loss: a FLUSHALL, a restart without persistence
			s.allow(1)
			s.instantFault()
			s.store.lose()
		case 6: // a rollback to an earlier value (a failover that lost writes)
			s.allow(1)
			s.instantFault()
			s.store.rollback()
		case 7: // an unreadable value (a seal key rotated)
			s.allow(1)
			s.instantFault()
			s.store.spoil()
		case 8, 9: // a replica killed at its next refresh, before or after the wallet processed it
			if r := s.victim(); r != nil {
				s.allow(1)
				s.faultBegins()
				r.killArmed.Store(int32(1 + s.rng.IntN(2)))
				pending.Go(func() { // the fault lasts until it died, or a while
					for i := 0; i < 100 && !r.dead.Load(); i++ {
						time.Sleep(100 * time.Millisecond)
					}
					s.faultEnds()
				})
			}
		case 10: // a logout: a tombstone, then one login for the fleet
			if r := s.victim(); r != nil {
				s.allow(1)
				s.faultBegins()
				sess, ok := r.c.Session()
				err := r.c.Logout(context.Background())
				if ok && err == nil {
					s.mu.Lock()
					s.loggedOut[sess.Access] = time.Now()
					s.mu.Unlock()
				}
				s.faultEnds()
			}
		case 11: // the refresh route down for a few presentations
			k := 1 + s.rng.IntN(4)
			s.allow(k)
			s.faultBegins()
			faults := make([]banklinktest.Fault, k)
			for i := range faults {
				faults[i] = banklinktest.Fault{Status: http.StatusServiceUnavailable}
			}
			s.wallet.InjectFaults(merchanttest.RouteRefresh, faults...)
			pending.Go(func() { time.Sleep(5 * time.Second); s.faultEnds() })
		case 12: // a quiet spell
			time.Sleep(time.Duration(s.rng.IntN(5)) * time.Second)
		case 13: // a refresh the wallet spends at once and answers late: past the lease, so the holder must extend it
			delay := time.Duration(2+s.rng.IntN(12)) * time.Second
			s.allow(1) // answered past the call timeout: no answer, the token spent, one login
			s.faultBegins()
			s.wallet.InjectFaults(merchanttest.RouteRefresh, banklinktest.Fault{Pass: true, Delay: delay})
			pending.Go(func() { time.Sleep(delay + 2*simCallTimeout); s.faultEnds() })
		}
	}
	pending.Wait()
}

// victim picks a live replica, keeping at least two alive.
func (s *sim) victim() *simReplica {
	var live []*simReplica
	for _, r := range s.replicas {
		if !r.dead.Load() && r.killArmed.Load() == 0 {
			live = append(live, r)
		}
	}
	if len(live) <= 2 {
		return nil
	}
	return live[s.rng.IntN(len(live))]
}

// await blocks a dead replica's call until the run ends or its caller
// gives up.
func (s *sim) await(ctx context.Context) {
	select {
	case <-s.end:
	case <-ctx.Done():
	}
}

// simTransport is one replica's network: dead, it answers nothing until
// the run ends; armed, it dies at its next refresh.
type simTransport struct {
	s    *sim
	r    *simReplica
	next http.RoundTripper
}

func (t *simTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.r.dead.Load() {
		t.s.await(req.Context())
		return nil, errSimDead
	}
	if strings.HasSuffix(req.URL.Path, "/auth/refresh/token") {
		if *simTrace {
			t.s.mu.Lock()
			tok := req.Header.Get("X-Refresh-Token")
			if first, ok := t.s.presented[tok]; ok {
				t.s.trace("replica %d presents a refresh token replica %s presented", t.r.id, first)
			} else {
				t.s.presented[tok] = fmt.Sprintf("%d at %s", t.r.id, time.Now().Format("05.000"))
			}
			t.s.mu.Unlock()
		}
		switch t.r.killArmed.Swap(0) {
		case 2: // the wallet spends the token; the answer never comes back
			if resp, err := t.next.RoundTrip(req); err == nil {
				resp.Body.Close()
			}
			fallthrough
		case 1:
			t.r.dead.Store(true)
			t.s.await(req.Context())
			return nil, errSimDead
		}
	}
	return t.next.RoundTrip(req)
}

// replicaStore is one replica's view of the shared store: dead, its calls
// never arrive.
type replicaStore struct {
	s *sim
	r *simReplica
}

func (rs *replicaStore) gone() bool {
	if rs.r.dead.Load() {
		<-rs.s.end
		return true
	}
	return false
}

func (rs *replicaStore) LoadSession(ctx context.Context, key string) ([]byte, uint64, error) {
	if rs.gone() {
		return nil, 0, errSimDead
	}
	return rs.s.store.LoadSession(ctx, key)
}

func (rs *replicaStore) CompareAndSwapSession(ctx context.Context, key string, old, fence uint64, data []byte) (uint64, error) {
	if rs.gone() {
		return 0, errSimDead
	}
	return rs.s.store.CompareAndSwapSession(ctx, key, old, fence, data)
}

func (rs *replicaStore) AcquireLease(ctx context.Context, key string, ttl time.Duration) (banklink.Lease, error) {
	if rs.gone() {
		return banklink.Lease{}, errSimDead
	}
	return rs.s.store.AcquireLease(ctx, key, ttl)
}

func (rs *replicaStore) ExtendLease(ctx context.Context, key string, l banklink.Lease, ttl time.Duration) error {
	if rs.gone() {
		return errSimDead
	}
	return rs.s.store.ExtendLease(ctx, key, l, ttl)
}

func (rs *replicaStore) ReleaseLease(ctx context.Context, key string, l banklink.Lease) error {
	if rs.gone() {
		return errSimDead
	}
	return rs.s.store.ReleaseLease(ctx, key, l)
}

// faultStore is a MemoryStore behind a fault injector. Data loss moves
// every key to a new, empty generation (sessions, leases and fences all
// gone, as after FLUSHALL or a restart without persistence); a rollback
// is a failover that lost the last acknowledged write (a replica promoted
// before it was replicated), in a new generation too; an in-flight record
// is never the lost write: the store makes it durable before answering
// (redisstore.WithWaitReplicas), which is what the protocol asks of a
// store that fails over. A spoiled value reads as unreadable until it is
// replaced.
type faultStore struct {
	mem *banklink.MemoryStore

	mu       sync.Mutex
	rng      *rand.Rand
	mode     string // "", "error", "hang", "slow"
	epoch    int
	spoiled  uint64 // the version that reads as unreadable
	prev     []byte // the value before the last write in this generation
	lastSafe bool   // the last write was an in-flight record: durable
}

var errStoreFault = errors.New("sim: the store is failing")

func (f *faultStore) setMode(m string) { f.mu.Lock(); f.mode = m; f.mu.Unlock() }

func (f *faultStore) failing() bool { f.mu.Lock(); defer f.mu.Unlock(); return f.mode != "" }

func (f *faultStore) key(k string) string { return fmt.Sprintf("%s#%d", k, f.epoch) }

func (f *faultStore) lose() {
	f.mu.Lock()
	f.epoch++
	f.spoiled, f.prev = 0, nil
	f.mu.Unlock()
}

func (f *faultStore) rollback() {
	f.mu.Lock()
	if f.lastSafe {
		f.mu.Unlock()
		return // the last write was durable: the failover lost nothing
	}
	restore := f.prev
	f.epoch++
	f.spoiled, f.prev = 0, nil
	k := f.key(simKey)
	f.mu.Unlock()
	if restore != nil {
		_, _ = f.mem.CompareAndSwapSession(context.Background(), k, 0, 0, restore)
	}
}

func (f *faultStore) spoil() {
	f.mu.Lock()
	k := f.key(simKey)
	f.mu.Unlock()
	_, v, _ := f.mem.LoadSession(context.Background(), k)
	f.mu.Lock()
	f.spoiled = v
	f.mu.Unlock()
}

// simKey is the store key the merchant clients use.
const simKey = "merchant:" + simAccount

// fault applies the current mode to one call: an error, a hang (the
// client's own timeout, long after the SDK's bound), or a slow answer,
// the operation applied before or after the wait, whatever the caller's
// context says by then. It returns the key to use and whether to fail.
func (f *faultStore) fault(key string, op func(k string)) error {
	f.mu.Lock()
	mode, k := f.mode, f.key(key)
	delay := time.Duration(f.rng.IntN(1500)) * time.Millisecond
	before := f.rng.IntN(2) == 0
	f.mu.Unlock()
	switch mode {
	case "error":
		return errStoreFault
	case "hang":
		time.Sleep(30 * time.Second)
		return errStoreFault
	case "slow":
		if before {
			op(k)
			time.Sleep(delay)
			return nil
		}
		time.Sleep(delay)
	}
	op(k)
	return nil
}

func (f *faultStore) LoadSession(_ context.Context, key string) (data []byte, v uint64, err error) {
	ferr := f.fault(key, func(k string) {
		data, v, err = f.mem.LoadSession(context.Background(), k)
		f.mu.Lock()
		defer f.mu.Unlock()
		if err == nil && v != 0 && v == f.spoiled {
			data, err = nil, fmt.Errorf("%w: sealed with another key", banklink.ErrSessionUnreadable)
		}
	})
	if ferr != nil {
		return nil, 0, ferr
	}
	return data, v, err
}

func (f *faultStore) CompareAndSwapSession(_ context.Context, key string, old, fence uint64, data []byte) (v uint64, err error) {
	if ferr := f.fault(key, func(k string) {
		before, _, _ := f.mem.LoadSession(context.Background(), k)
		v, err = f.mem.CompareAndSwapSession(context.Background(), k, old, fence, data)
		if err == nil {
			f.mu.Lock()
			f.prev, f.lastSafe = before, bytes.Contains(data, []byte(`"state":"refreshing"`))
			f.mu.Unlock()
		}
	}); ferr != nil {
		return 0, ferr
	}
	return v, err
}

func (f *faultStore) AcquireLease(_ context.Context, key string, ttl time.Duration) (l banklink.Lease, err error) {
	if ferr := f.fault(key, func(k string) { l, err = f.mem.AcquireLease(context.Background(), k, ttl) }); ferr != nil {
		return banklink.Lease{}, ferr
	}
	return l, err
}

func (f *faultStore) ExtendLease(_ context.Context, key string, l banklink.Lease, ttl time.Duration) (err error) {
	if ferr := f.fault(key, func(k string) { err = f.mem.ExtendLease(context.Background(), k, l, ttl) }); ferr != nil {
		return ferr
	}
	return err
}

func (f *faultStore) ReleaseLease(_ context.Context, key string, l banklink.Lease) (err error) {
	if ferr := f.fault(key, func(k string) { err = f.mem.ReleaseLease(context.Background(), k, l) }); ferr != nil {
		return ferr
	}
	return err
}
