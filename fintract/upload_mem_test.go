package fintract_test

import (
	"context"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/banklink/banklink-go/internal/testutil"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go/fintract"
)

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
	_, err := c.UploadFile(context.Background(), fintract.File{Name: "big.bin", Body: &testutil.Pattern{Left: size}, Size: size})
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
