package bench

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"
)

// concurrency levels: goroutines making calls at once.
var levels = []int{1, 16, 64}

// run measures c at a concurrency level and reports requests per second.
func run(b *testing.B, goroutines int, c call) {
	ctx := context.Background()
	if err := c(ctx); err != nil { // warm the connection pool, check the call works
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	if goroutines == 1 {
		for b.Loop() {
			if err := c(ctx); err != nil {
				b.Fatal(err)
			}
		}
	} else {
		b.SetParallelism(max(1, goroutines/runtime.GOMAXPROCS(0)))
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := c(ctx); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
}

// BenchmarkLoans: the same authenticated JSON call through four clients.
func BenchmarkLoans(b *testing.B) {
	srv := newServer(b)
	clients := []struct {
		name string
		make func(*testing.B, string) call
	}{
		{"raw", rawCall}, {"raw-bounded", rawBoundedCall}, {"retryablehttp", retryableCall}, {"resty", restyCall}, {"banklink", banklinkCall},
	}
	for _, n := range levels {
		for _, cl := range rotate(clients) {
			b.Run(fmt.Sprintf("conc=%d/%s", n, cl.name), func(b *testing.B) { run(b, n, cl.make(b, srv.URL)) })
		}
	}
}

// rotateEnv rotates the order in which the clients run: on a small shared
// machine the position in the sequence moves a result by several percent
// (what ran just before, the machine's load drifting over minutes), so
// the report runs each rotation in turn and takes medians across them.
const rotateEnv = "BANKLINK_BENCH_ROTATE"

// rotate returns s rotated left by the number in rotateEnv.
func rotate[T any](s []T) []T {
	k, _ := strconv.Atoi(os.Getenv(rotateEnv))
	k = ((k % len(s)) + len(s)) % len(s)
	return append(slices.Clone(s[k:]), s[:k]...)
}

// BenchmarkProviders: one call of each other provider against the same
// request made by hand.
func BenchmarkProviders(b *testing.B) {
	srv := newServer(b)
	bearer := map[string]string{"Authorization": "Bearer " + access}
	providers := []struct {
		name     string
		raw      func(*testing.B) call
		banklink func(*testing.B, string) call
	}{
		{"fintract-UserInfo", func(b *testing.B) call { return rawGet[rawInfo](b, srv.URL+"/auth/info/93/", bearer) }, fintractCall},
		{"fintiv-Me", func(b *testing.B) call {
			return rawGet[rawMyinfo](b, srv.URL+"/auth/api/myinfo", map[string]string{"Authorization": "Bearer " + access, "api-key": apiKey})
		}, fintivCall},
		{"merchant-Do", func(b *testing.B) call {
			return rawGet[rawProfile](b, srv.URL+"/api/v1/merchant/profile", map[string]string{"X-Access-Token": access, "X-Refresh-Token": refresh})
		}, merchantCall},
	}
	for _, n := range levels {
		for _, p := range providers {
			runs := []func(){
				func() { b.Run(fmt.Sprintf("%s/conc=%d/raw", p.name, n), func(b *testing.B) { run(b, n, p.raw(b)) }) },
				func() {
					b.Run(fmt.Sprintf("%s/conc=%d/banklink", p.name, n), func(b *testing.B) { run(b, n, p.banklink(b, srv.URL)) })
				},
			}
			for _, r := range rotate(runs) {
				r()
			}
		}
	}
}
