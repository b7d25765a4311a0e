package transport

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

type closer struct{ closed atomic.Int32 }

func (c *closer) Close() error { c.closed.Add(1); return nil }

func TestReaperClosesOnlyStalledBodies(t *testing.T) {
	r := &reaper{timeout: 40 * time.Millisecond}
	var slow, quick watch
	var slowBody, quickBody closer
	r.start(&slow, &slowBody)
	r.start(&quick, &quickBody)
	assert.False(t, r.stop(&quick), "a body read in time is not cut off")
	time.Sleep(100 * time.Millisecond)
	assert.True(t, r.stop(&slow))
	assert.Equal(t, int32(1), slowBody.closed.Load())
	assert.Zero(t, quickBody.closed.Load())

	// Idle: the timer disarms, and arms again for the next read.
	time.Sleep(50 * time.Millisecond)
	r.mu.Lock()
	armed := r.armed
	r.mu.Unlock()
	assert.False(t, armed)
	var again watch
	var againBody closer
	r.start(&again, &againBody)
	time.Sleep(100 * time.Millisecond)
	assert.True(t, r.stop(&again))
}

func TestReaperUnderConcurrency(t *testing.T) {
	r := &reaper{timeout: time.Second}
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for range 200 {
				var w watch
				var b closer
				r.start(&w, &b)
				if r.stop(&w) {
					t.Error("cut off a body read in time")
				}
			}
		})
	}
	wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	assert.Nil(t, r.head)
}
