// Package testutil holds helpers the SDK's own tests and benchmarks share.
// It is not for users.
package testutil

import (
	"errors"
	"io"
	"sync"
	"testing"
)

// RunConcurrently runs f in n goroutines released together and fails the
// test unless every call succeeded.
func RunConcurrently(t testing.TB, n int, f func() error) {
	t.Helper()
	var wg sync.WaitGroup
	start := make(chan struct{})
	errc := make(chan error, n)
	for range n {
		wg.Go(func() {
			<-start
			errc <- f()
		})
	}
	close(start)
	wg.Wait()
	close(errc)
	var all []error
	for err := range errc {
		if err != nil {
			all = append(all, err)
		}
	}
	if err := errors.Join(all...); err != nil {
		t.Fatalf("%d of %d calls failed: %v", len(all), n, err)
	}
}

// Pattern is a generated stream of Left bytes that never exists in memory,
// for upload tests and benchmarks.
type Pattern struct{ Left int64 }

// Read fills b with a repeating byte pattern.
func (p *Pattern) Read(b []byte) (int, error) {
	if p.Left <= 0 {
		return 0, io.EOF
	}
	if int64(len(b)) > p.Left {
		b = b[:p.Left]
	}
	for i := range b {
		b[i] = byte(i)
	}
	p.Left -= int64(len(b))
	return len(b), nil
}
