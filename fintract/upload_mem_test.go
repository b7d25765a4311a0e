package fintract_test

import (
	"context"
	"io"
	"runtime"
	"runtime/metrics"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/fintract"
	"github.com/banklink/banklink-go/fintract/fintracttest"
)

// pattern is a generated stream of n bytes that never exists in memory.
type pattern struct{ left int64 }

func (p *pattern) Read(b []byte) (int, error) {
	if p.left <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.left {
		b = b[:p.left]
	}
	for i := range b {
		b[i] = byte(i)
	}
	p.left -= int64(len(b))
	return len(b), nil
}

// peakHeap samples the live heap every few milliseconds until stopped,
// and returns the highest value seen.
func peakHeap() (stop func() uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() uint64 {
		close(done)
		wg.Wait()
		return peak.Load()
	}
}

// uploadGenerated streams size bytes to the fake and returns the peak heap.
func uploadGenerated(t testing.TB, c *fintract.Client, size int64) uint64 {
	runtime.GC()
	stop := peakHeap()
	_, err := c.UploadFile(context.Background(), fintract.File{Name: "big.bin", Body: &pattern{left: size}, Size: size})
	peak := stop()
	require.NoError(t, err)
	return peak
}

func TestUploadMemoryIsFlat(t *testing.T) {
	srv := newFake(t)
	c := newClient(t, srv)
	login(t, c, srv, customerLogin)
	const size = 128 << 20
	peak := uploadGenerated(t, c, size)
	t.Logf("uploaded %d MiB with a peak live heap of %.1f MiB", size>>20, float64(peak)/(1<<20))
	assert.Less(t, peak, uint64(32<<20), "the heap grows with the file")
	ups := srv.Uploads()
	require.Len(t, ups, 1)
	assert.Equal(t, int64(size), ups[0].Size)
}

// BenchmarkUploadPeakHeap uploads generated files of 256 MiB and 1 GiB to
// the fake and reports throughput and the peak live heap.
func BenchmarkUploadPeakHeap(b *testing.B) {
	for _, size := range []int64{256 << 20, 1 << 30} {
		b.Run(sizeName(size), func(b *testing.B) {
			srv := fintracttest.NewServer()
			defer srv.Close()
			c, err := fintract.New(banklink.WithBaseURL(srv.URL))
			require.NoError(b, err)
			defer c.CloseIdleConnections()
			loginTB(b, c, srv)
			b.SetBytes(size)
			var peak uint64
			for b.Loop() {
				peak = max(peak, uploadGenerated(b, c, size))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		})
	}
}

func sizeName(n int64) string {
	if n >= 1<<30 {
		return strconv.FormatInt(n>>30, 10) + "GiB"
	}
	return strconv.FormatInt(n>>20, 10) + "MiB"
}
