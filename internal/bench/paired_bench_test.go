package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// BenchmarkPaired: the SDK's call and the same request by hand, in
// alternating windows of pairedWindow calls each (raw, SDK, SDK, raw, ...:
// a drift of the machine's speed within a pair of windows cancels), n
// goroutines sharing each window's calls. Each window is timed in the
// process's CPU time, which the machine's other tenants do not add to (its
// wall time they do). The metric sdk-cpu/raw-cpu is the CPU time of the
// SDK's windows over the raw call's: the SDK's cost per call over the raw
// call's, the server's share included (it is the same for both).
//
// Three controls: the raw call against itself (the measure's own spread),
// against itself plus a microsecond of busy work per call (what one
// microsecond more per call reads as), and against itself bounded by a
// context.WithTimeout per call, as a service bounds a call written by
// hand (what a bound costs that call: the raw call the SDK's rows compare
// with is bounded by nothing, every SDK attempt is). A measure that runs
// both clients at once instead, half the goroutines each, cannot see such
// a difference: each goroutine's share of the machine is its share of the
// scheduler's turns, not of the work its calls make, and 4 µs more per
// call (a tenth of one) read there as 0.99-1.03x.
func BenchmarkPaired(b *testing.B) {
	srv := newServer(b)
	bearer := map[string]string{"Authorization": "Bearer " + access}
	loans := func(b *testing.B) call { return rawCall(b, srv.URL) }
	pairs := []struct {
		name     string
		raw, sdk func(*testing.B) call
	}{
		{"loans", loans, func(b *testing.B) call { return banklinkCall(b, srv.URL) }},
		{"fintract-UserInfo", func(b *testing.B) call { return rawGet[rawInfo](b, srv.URL+"/auth/info/93/", bearer) },
			func(b *testing.B) call { return fintractCall(b, srv.URL) }},
		{"fintiv-Me", func(b *testing.B) call {
			return rawGet[rawMyinfo](b, srv.URL+"/auth/api/myinfo", map[string]string{"Authorization": "Bearer " + access, "api-key": apiKey})
		}, func(b *testing.B) call { return fintivCall(b, srv.URL) }},
		{"merchant-Do", func(b *testing.B) call {
			return rawGet[rawProfile](b, srv.URL+"/api/v1/merchant/profile", map[string]string{"X-Access-Token": access, "X-Refresh-Token": refresh})
		}, func(b *testing.B) call { return merchantCall(b, srv.URL) }},
		{"loans-raw-raw", loans, loans},
		{"loans-raw-raw+1us", loans, func(b *testing.B) call {
			c := loans(b)
			return func(ctx context.Context) error { busy(time.Microsecond); return c(ctx) }
		}},
		{"loans-raw-raw+timeout", loans, func(b *testing.B) call {
			c := loans(b)
			return func(ctx context.Context) error {
				ctx, cancel := context.WithTimeout(ctx, 30*time.Second) // the SDK's attempt timeout
				defer cancel()
				return c(ctx)
			}
		}},
	}
	for _, n := range []int{1, 16, 64} {
		for _, p := range pairs {
			b.Run(fmt.Sprintf("%s/conc=%d", p.name, n), func(b *testing.B) { paired(b, n, p.raw(b), p.sdk(b)) })
		}
	}
}

// pairedWindow is the calls in one window: tens of milliseconds, short
// against the machine's drift, long against a window's start and end.
const pairedWindow = 1000

// paired runs b.N calls, raw's and sdk's in alternating windows, and
// reports the CPU time of sdk's windows over raw's.
func paired(b *testing.B, n int, raw, sdk call) {
	for _, c := range []call{raw, sdk} {
		if err := c(context.Background()); err != nil { // check the calls work
			b.Fatal(err)
		}
		// One window of each untimed: the timed ones start with n
		// connections open on both sides (the raw call's transport is
		// new, the SDK's pool is the process's) and each client past its
		// first calls, so that they measure a call, not a start.
		if _, err := window(n, pairedWindow, c); err != nil {
			b.Fatal(err)
		}
	}
	var cpu [2]time.Duration // raw's, sdk's
	b.ResetTimer()
	for round, done := 0, 0; done < b.N; round++ {
		k := max(1, min(pairedWindow, (b.N-done)/2))
		order := [2]int{0, 1}
		if round%2 == 1 {
			order = [2]int{1, 0}
		}
		for _, side := range order {
			c := raw
			if side == 1 {
				c = sdk
			}
			d, err := window(n, k, c)
			if err != nil {
				b.Fatal(err)
			}
			cpu[side] += d
		}
		done += 2 * k
	}
	b.StopTimer()
	if cpu[0] > 0 {
		b.ReportMetric(float64(cpu[1])/float64(cpu[0]), "sdk-cpu/raw-cpu")
	}
}

// window makes k calls of c on n goroutines and returns the CPU time the
// process spent meanwhile.
func window(n, k int, c call) (time.Duration, error) {
	var left atomic.Int64
	left.Store(int64(k))
	var failed atomic.Pointer[error]
	var wg sync.WaitGroup
	start := processCPU()
	for range n {
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				if err := c(context.Background()); err != nil {
					failed.CompareAndSwap(nil, &err)
					return
				}
			}
		})
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		return 0, *err
	}
	return processCPU() - start, nil
}

// processCPU is the CPU time the process has used, user and system.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		panic(err) // RUSAGE_SELF with a valid pointer cannot fail
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// busy spins for d: work the CPU does, as a client's own would be.
func busy(d time.Duration) {
	for end := time.Now().Add(d); time.Now().Before(end); {
	}
}
