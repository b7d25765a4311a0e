package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/redisstore"
	"github.com/banklink/banklink-go/redisstore/internal/redisserver"
)

// The store contract as a sequential model, for porcupine. Leases are
// taken for an hour in these histories, so expiry never decides an
// outcome: what is checked is that loads, fenced compare-and-swaps and
// the lease operations of concurrent clients take effect atomically, in
// an order consistent with real time.
type storeState struct {
	version uint64
	data    string
	fence   uint64 // leases taken so far
	holder  string // the lease's owner; "" when free
}

type storeInput struct {
	op    string // load, cas, acquire, extend, release
	old   uint64 // cas
	fence uint64 // cas: 0 or the client's lease's fence
	data  string // cas
	owner string // extend, release
}

type storeOutput struct {
	data    string
	version uint64 // load, cas
	lease   banklink.Lease
	outcome string // ok, conflict, lost, busy, error
}

var storeModel = porcupine.Model{
	Init: func() any { return storeState{} },
	Step: func(state, input, output any) (bool, any) {
		s, in, out := state.(storeState), input.(storeInput), output.(storeOutput)
		switch in.op {
		case "load":
			return out.outcome == "ok" && out.data == s.data && out.version == s.version, s
		case "cas":
			switch {
			case in.fence != 0 && in.fence != s.fence:
				return out.outcome == "lost", s
			case in.old != s.version:
				return out.outcome == "conflict", s
			}
			s.version, s.data = s.version+1, in.data
			return out.outcome == "ok" && out.version == s.version, s
		case "acquire":
			if s.holder != "" {
				return out.outcome == "busy", s
			}
			s.fence++
			s.holder = out.lease.Owner
			return out.outcome == "ok" && out.lease.Fence == s.fence && out.lease.Owner != "", s
		case "extend":
			if s.holder == "" || s.holder != in.owner {
				return out.outcome == "lost", s
			}
			return out.outcome == "ok", s
		case "release":
			if s.holder != "" && s.holder == in.owner {
				s.holder = ""
			}
			return out.outcome == "ok", s
		}
		return false, s
	},
	DescribeOperation: func(input, output any) string {
		in, out := input.(storeInput), output.(storeOutput)
		return fmt.Sprintf("%s(%d,%d,%q,%.6s) -> %s v%d %q fence %d", in.op, in.old, in.fence, in.data, in.owner, out.outcome, out.version, out.data, out.lease.Fence)
	},
}

// history runs clients × ops random operations on one key of store,
// concurrently, and records them for porcupine. Each client plays the
// SDK's part loosely: it loads, swaps from the version it saw (stale
// sometimes), takes, extends and releases the lease, and writes under its
// lease's fence or none.
func history(t *testing.T, store banklink.SessionStore, key string, clients, ops int, seed uint64) []porcupine.Operation {
	t.Helper()
	ctx := context.Background()
	start := time.Now()
	var mu sync.Mutex
	var hist []porcupine.Operation
	var wg sync.WaitGroup
	for id := range clients {
		rng := rand.New(rand.NewPCG(seed, uint64(id)))
		wg.Go(func() {
			var seen uint64
			var mine banklink.Lease
			for n := range ops {
				in := storeInput{}
				switch r := rng.IntN(10); {
				case r < 3:
					in.op = "load"
				case r < 6:
					in.op, in.old, in.data = "cas", seen, strconv.Itoa(id)+"-"+strconv.Itoa(n)
					if rng.IntN(4) == 0 {
						in.old = seen + uint64(rng.IntN(3)) // sometimes a guess
					}
					if mine.Owner != "" && rng.IntN(2) == 0 {
						in.fence = mine.Fence
					}
				case r < 8:
					in.op = "acquire"
				case r < 9:
					in.op, in.owner = "extend", mine.Owner
				default:
					in.op, in.owner = "release", mine.Owner
				}
				call := time.Since(start).Nanoseconds()
				out := storeOutput{outcome: "ok"}
				var err error
				switch in.op {
				case "load":
					var data []byte
					data, out.version, err = store.LoadSession(ctx, key)
					out.data = string(data)
					if err == nil {
						seen = out.version
					}
				case "cas":
					out.version, err = store.CompareAndSwapSession(ctx, key, in.old, in.fence, []byte(in.data))
					if err == nil {
						seen = out.version
					}
				case "acquire":
					out.lease, err = store.AcquireLease(ctx, key, time.Hour)
					if err == nil {
						mine = out.lease
					}
				case "extend":
					err = store.ExtendLease(ctx, key, banklink.Lease{Owner: in.owner}, time.Hour)
				case "release":
					err = store.ReleaseLease(ctx, key, banklink.Lease{Owner: in.owner})
					if err == nil {
						mine = banklink.Lease{}
					}
				}
				switch {
				case err == nil:
				case errors.Is(err, banklink.ErrVersionConflict):
					out.outcome = "conflict"
				case errors.Is(err, banklink.ErrLeaseLost):
					out.outcome = "lost"
				case errors.Is(err, banklink.ErrLeaseBusy):
					out.outcome = "busy"
				default:
					t.Errorf("%s: %v", in.op, err)
					out.outcome = "error"
				}
				ret := time.Since(start).Nanoseconds()
				mu.Lock()
				hist = append(hist, porcupine.Operation{ClientId: id, Input: in, Call: call, Output: out, Return: ret})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return hist
}

func checkLinearizable(t *testing.T, store banklink.SessionStore, name string) {
	for round := range 20 {
		key := fmt.Sprintf("%s-%s-%d-%d", t.Name(), name, round, time.Now().UnixNano())
		hist := history(t, store, key, 6, 40, uint64(round+1))
		if res := porcupine.CheckOperationsTimeout(storeModel, hist, 30*time.Second); res != porcupine.Ok {
			t.Fatalf("%s, round %d: the history of %d operations is %s: not linearizable against the store contract", name, round, len(hist), res)
		}
	}
}

// The store contract holds as a linearizable object on MemoryStore and on
// the Redis store (a real redis-server): 20 histories of 6 concurrent
// clients × 40 operations each.
func TestStoresAreLinearizable(t *testing.T) {
	checkLinearizable(t, banklink.NewMemoryStore(), "memory")
	rdb := client(t, redisserver.Addr(t))
	sealed, err := redisstore.New(rdb, sealKey())
	if err != nil {
		t.Fatal(err)
	}
	checkLinearizable(t, sealed, "redis")
}

// The checker itself: a store that loses a compare-and-swap's write (it
// reports success but keeps the old value) is caught.
func TestLinearizabilityCheckCatchesALostWrite(t *testing.T) {
	store := &losingStore{MemoryStore: banklink.NewMemoryStore()}
	hist := history(t, store, "k", 4, 40, 7)
	if porcupine.CheckOperations(storeModel, hist) {
		t.Fatal("a store that drops writes passed the linearizability check")
	}
}

type losingStore struct {
	*banklink.MemoryStore
	n  int
	mu sync.Mutex
}

func (l *losingStore) CompareAndSwapSession(ctx context.Context, key string, old, fence uint64, data []byte) (uint64, error) {
	l.mu.Lock()
	l.n++
	lose := l.n%5 == 0
	l.mu.Unlock()
	if lose {
		return old + 1, nil // claims the write, stores nothing
	}
	return l.MemoryStore.CompareAndSwapSession(ctx, key, old, fence, data)
}
