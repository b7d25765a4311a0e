package redisstore_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
	"github.com/banklink/banklink-go/redisstore"
	"github.com/banklink/banklink-go/redisstore/internal/redisserver"
)

// newDFCU is a DFCU client of srv, sharing its session through store when
// store is not nil.
func newDFCU(b *testing.B, srv *dfcutest.Server, store banklink.SessionStore, account string) *dfcu.Client {
	opts := []banklink.Option{banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword)}
	if store != nil {
		opts = append(opts, banklink.WithSessionStore(store, account, 0))
	}
	c, err := dfcu.New(opts...)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.CloseIdleConnections)
	return c
}

// BenchmarkCallWithStore is the cost of a call with a session store
// configured against none: the store is touched only on renewal, so the
// two should not differ.
func BenchmarkCallWithStore(b *testing.B) {
	srv := dfcutest.NewServer()
	b.Cleanup(srv.Close)
	store, err := redisstore.New(client(b, redisserver.Addr(b)), sealKey())
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name  string
		store banklink.SessionStore
	}{{"none", nil}, {"redis", store}} {
		b.Run(bc.name, func(b *testing.B) {
			c := newDFCU(b, srv, bc.store, b.Name())
			ctx := context.Background()
			if _, err := c.Loans(ctx, dfcutest.AccountWithLoans); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Loans(ctx, dfcutest.AccountWithLoans); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRenewal is the latency of calls that find their token refused
// and wait for the renewal: 32 goroutines on one client renewing on its
// own ("single"), against 4 clients × 8 goroutines sharing the session
// through Redis ("fleet": one refresh for all, through the lease). Each
// iteration expires the tokens, then every goroutine calls once; the
// p50 and p99 of those calls are reported.
func BenchmarkRenewal(b *testing.B) {
	rdb := client(b, redisserver.Addr(b))
	store, err := redisstore.New(rdb, sealKey())
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name             string
		clients, workers int
		store            banklink.SessionStore
	}{{"single", 1, 32, nil}, {"fleet", 4, 8, store}} {
		b.Run(bc.name, func(b *testing.B) {
			srv := dfcutest.NewServer()
			b.Cleanup(srv.Close)
			var clients []*dfcu.Client
			for range bc.clients {
				clients = append(clients, newDFCU(b, srv, bc.store, b.Name()))
			}
			ctx := context.Background()
			for _, c := range clients {
				if _, err := c.Loans(ctx, dfcutest.AccountWithLoans); err != nil {
					b.Fatal(err)
				}
			}
			var lat []time.Duration
			var mu sync.Mutex
			for b.Loop() {
				srv.ExpireAccessTokens()
				var wg sync.WaitGroup
				for _, c := range clients {
					for range bc.workers {
						wg.Add(1)
						go func() {
							defer wg.Done()
							t0 := time.Now()
							if _, err := c.Loans(ctx, dfcutest.AccountWithLoans); err != nil {
								b.Error(err)
							}
							d := time.Since(t0)
							mu.Lock()
							lat = append(lat, d)
							mu.Unlock()
						}()
					}
				}
				wg.Wait()
			}
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
			b.ReportMetric(float64(srv.Calls(dfcutest.RouteRefresh))/float64(b.N), "refreshes/expiry")
		})
	}
}
