package bench

import (
	"context"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
)

// BenchmarkManyClients builds 10,000 DFCU clients in one process (one per
// customer account, as a multi-tenant service holds them), and reports
// heap and goroutines per client, idle and after one call each, and the
// sockets the process holds: connections are bounded by the shared pool,
// not by the number of clients. Each iteration is the whole experiment.
func BenchmarkManyClients(b *testing.B) {
	const n = 10_000
	srv := dfcutest.NewServer()
	b.Cleanup(srv.Close)
	for b.Loop() {
		heap0, g0 := settle()
		clients := make([]*dfcu.Client, n)
		for i := range clients {
			c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword))
			if err != nil {
				b.Fatal(err)
			}
			clients[i] = c
		}
		heap1, g1 := settle()
		for _, c := range clients {
			if _, err := c.Loans(context.Background(), dfcutest.AccountWithLoans); err != nil {
				b.Fatal(err)
			}
		}
		heap2, g2 := settle()
		b.ReportMetric(float64(heap1-heap0)/n, "idle-B/client")
		b.ReportMetric(float64(g1-g0)/n, "idle-goroutines/client")
		b.ReportMetric(float64(heap2-heap0)/n, "called-B/client")
		b.ReportMetric(float64(g2-g0)/n, "called-goroutines/client")
		b.ReportMetric(float64(sockets()), "sockets")
		runtime.KeepAlive(clients)
		clients[0].CloseIdleConnections()
	}
}

// settle collects garbage and returns the live heap and the goroutines.
func settle() (heap uint64, goroutines int) {
	var m runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&m)
	return m.HeapAlloc, runtime.NumGoroutine()
}

// sockets counts the process's open sockets (both ends of a loopback
// connection are in this process); 0 where /proc is not there.
func sockets() int {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	n := 0
	for _, fd := range fds {
		if l, err := os.Readlink("/proc/self/fd/" + fd.Name()); err == nil && strings.HasPrefix(l, "socket:") {
			n++
		}
	}
	return n
}
