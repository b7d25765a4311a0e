package bench

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

// BenchmarkHeadToHead: the SDK's call and the same request by hand at
// once, half the goroutines each, against one server. Both meet the
// machine in the same state at the same moment, so its drift, which
// moves the separate runs of BenchmarkLoans and BenchmarkProviders by a
// few percent, cancels. The metric raw-calls/sdk-call is the number of
// calls the hand-written client completed for each the SDK completed:
// the SDK's cost per call over the raw call's (above 1, the SDK's cost
// more). The raw-raw pairs run the raw call against itself: the
// measure's own spread.
func BenchmarkHeadToHead(b *testing.B) {
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
	}
	for _, n := range []int{16, 64} {
		for _, p := range pairs {
			b.Run(fmt.Sprintf("%s/conc=%d", p.name, n), func(b *testing.B) { headToHead(b, n, p.raw(b), p.sdk(b)) })
		}
	}
}

// headToHead runs b.N calls, raw's and sdk's, on n goroutines, half
// each, taking calls from one budget, and reports how many raw
// completed for each sdk did.
func headToHead(b *testing.B, n int, raw, sdk call) {
	ctx := context.Background()
	for _, c := range []call{raw, sdk} {
		if err := c(ctx); err != nil { // warm the pools, check the calls work
			b.Fatal(err)
		}
	}
	var left, raws, sdks atomic.Int64
	left.Store(int64(b.N))
	b.ResetTimer()
	var wg sync.WaitGroup
	for i := range n {
		c, done := raw, &raws
		if i%2 == 1 {
			c, done = sdk, &sdks
		}
		wg.Go(func() {
			for left.Add(-1) >= 0 {
				if err := c(ctx); err != nil {
					b.Error(err)
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	b.StopTimer()
	if sdks.Load() > 0 {
		b.ReportMetric(float64(raws.Load())/float64(sdks.Load()), "raw-calls/sdk-call")
	}
}
