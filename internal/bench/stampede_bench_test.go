package bench

import (
	"context"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
)

const stampede = 1000

// burst makes stampede concurrent loans calls released together and
// returns their latencies, sorted.
func burst(b *testing.B, c *dfcu.Client) []time.Duration {
	// Each burst starts from a collected heap: on a small heap a collection
	// cycle costs as much as a third of a burst, and whether one lands in
	// a burst would otherwise decide the comparison.
	runtime.GC()
	var wg sync.WaitGroup
	start := make(chan struct{})
	lat := make([]time.Duration, stampede)
	for i := range stampede {
		wg.Go(func() {
			<-start
			t0 := time.Now()
			if _, err := c.Loans(context.Background(), dfcutest.AccountWithLoans); err != nil {
				b.Error(err)
			}
			lat[i] = time.Since(t0)
		})
	}
	close(start)
	wg.Wait()
	slices.Sort(lat)
	return lat
}

func quantile(sorted []time.Duration, q float64) time.Duration {
	return sorted[int(q*float64(len(sorted)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkRefreshStampede: 1,000 goroutines call at once with an access
// token whose exp has passed. It reports the refresh calls the server saw
// per burst (must be 1) and the latency the refresh added at p50 and p99,
// against the same burst of a new client with a valid token, and one
// refresh round trip.
func BenchmarkRefreshStampede(b *testing.B) {
	url := separateServer(b)
	login, err := dfcu.New(banklink.WithBaseURL(url), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(login.CloseIdleConnections)
	valid, err := login.Login(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	expired := valid
	expired.AccessExpiry = time.Now().Add(-time.Minute)
	// Every client shares one pool of connections, so bursts measure the
	// refresh, not connection set-up.
	shared := &counting{Transport: pooled()}
	shared.MaxIdleConns, shared.MaxIdleConnsPerHost = stampede, stampede
	b.Cleanup(shared.CloseIdleConnections)
	client := func(s dfcu.Session) *dfcu.Client {
		c, err := dfcu.New(banklink.WithBaseURL(url), dfcu.WithSession(s), banklink.WithTransport(shared))
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	warm := client(valid)
	burst(b, warm)
	burst(b, warm)

	// The control is a burst of a new client whose token is valid, so the
	// two bursts differ only in the token: a new client's first burst has
	// costs of its own (empty buffer pools, connections opened when 1,000
	// calls start at once). On a small machine every call of a burst
	// finishes near its end, so a burst's latencies move together by
	// several milliseconds from one burst to the next: each round compares
	// its two bursts, which go in alternating order (the garbage one burst
	// leaves lands on the next), and the medians of those differences are
	// reported.
	var added50, added99 []time.Duration
	var refreshes, rtt time.Duration
	var refreshCalls, round int
	for b.Loop() {
		var base, stamp []time.Duration
		control := func() { base = burst(b, client(valid)) }
		stampede := func() {
			before := shared.refreshes.Load()
			stamp = burst(b, client(expired))
			refreshCalls = max(refreshCalls, int(shared.refreshes.Load()-before))
		}
		if round++; round%2 == 0 {
			control()
			stampede()
		} else {
			stampede()
			control()
		}
		added50 = append(added50, quantile(stamp, 0.5)-quantile(base, 0.5))
		added99 = append(added99, quantile(stamp, 0.99)-quantile(base, 0.99))

		one := client(expired) // one call that must refresh first, alone
		t0 := time.Now()
		if _, err := one.Loans(context.Background(), dfcutest.AccountWithLoans); err != nil {
			b.Fatal(err)
		}
		withRefresh := time.Since(t0)
		t0 = time.Now()
		_, _ = one.Loans(context.Background(), dfcutest.AccountWithLoans)
		rtt += withRefresh - time.Since(t0)
		refreshes++
	}
	slices.Sort(added50)
	slices.Sort(added99)
	b.ReportMetric(float64(refreshCalls), "refresh-calls/burst")
	b.ReportMetric(ms(quantile(added50, 0.5)), "p50-added-ms")
	b.ReportMetric(ms(quantile(added99, 0.5)), "p99-added-ms")
	b.ReportMetric(ms(rtt/refreshes), "refresh-rtt-ms")
}
