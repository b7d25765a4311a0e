package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/banklink/banklink-go/internal/testutil"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/fintract"
)

// peaks samples the live heap and the resident set every 2ms until stopped.
func peaks() (stop func() (heap, rss uint64)) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var heap, rss atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			heap.Store(max(heap.Load(), sample[0].Value.Uint64()))
			rss.Store(max(rss.Load(), residentSet()))
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	})
	return func() (uint64, uint64) {
		close(done)
		wg.Wait()
		return heap.Load(), rss.Load()
	}
}

// residentSet reads the process's resident set size from /proc (Linux);
// 0 elsewhere.
func residentSet() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

// rawUpload streams the same multipart body with net/http and io.Copy's
// machinery: framing around a reader, a known Content-Length.
func rawUpload(hc *http.Client, url string, size int64) error {
	var rnd [16]byte
	_, _ = rand.Read(rnd[:])
	boundary := hex.EncodeToString(rnd[:])
	head := "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n"
	tail := "\r\n--" + boundary + "--\r\n"
	body := io.MultiReader(strings.NewReader(head), &testutil.Pattern{Left: size}, strings.NewReader(tail))
	req, err := http.NewRequest(http.MethodPost, url, body)
	if err != nil {
		return err
	}
	req.ContentLength = int64(len(head)) + size + int64(len(tail))
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	req.Header.Set("Authorization", "Bearer "+access)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return err
}

// BenchmarkUpload streams 256 MiB and 1 GiB to the same handler through a
// raw net/http request and through fintract.UploadFile, and reports
// throughput and the peak live heap and resident set during the upload.
func BenchmarkUpload(b *testing.B) {
	srv := newServer(b)
	c, err := fintract.New(banklink.WithBaseURL(srv.URL), fintract.WithSession(fintract.Session{Access: access, Refresh: refresh}))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.CloseIdleConnections)
	hc := &http.Client{Transport: pooled()}
	b.Cleanup(hc.CloseIdleConnections)

	for _, size := range []int64{256 << 20, 1 << 30} {
		name := strconv.FormatInt(size>>20, 10) + "MiB"
		uploads := map[string]func() error{
			"raw": func() error { return rawUpload(hc, srv.URL+"/auth/upload/", size) },
			"banklink": func() error {
				_, err := c.UploadFile(context.Background(), fintract.File{Name: "big.bin", Body: &testutil.Pattern{Left: size}, Size: size})
				return err
			},
		}
		for _, who := range []string{"raw", "banklink"} {
			b.Run(name+"/"+who, func(b *testing.B) {
				b.SetBytes(size)
				var heap, rss uint64
				for b.Loop() {
					runtime.GC()
					stop := peaks()
					err := uploads[who]()
					h, r := stop()
					if err != nil {
						b.Fatal(err)
					}
					heap, rss = max(heap, h), max(rss, r)
				}
				b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
				b.ReportMetric(float64(rss)/(1<<20), "peak-rss-MiB")
			})
		}
	}
}
