package transport

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// canceller counts the cancellations of one attempt.
type canceller struct{ n atomic.Int32 }

func (c *canceller) cancel() { c.n.Add(1) }

func TestReaperCancelsOnlyAttemptsPastTheirDeadline(t *testing.T) {
	r := &reaper{timeout: 40 * time.Millisecond}
	var slow, quick watch
	var slowC, quickC canceller
	r.start(&slow, r.begin(&slow), slowC.cancel)
	r.start(&quick, r.begin(&quick), quickC.cancel)
	assert.False(t, r.stop(&quick), "an attempt done in time is not cancelled")
	time.Sleep(250 * time.Millisecond)
	assert.True(t, r.stop(&slow))
	assert.Equal(t, int32(1), slowC.n.Load())
	assert.Zero(t, quickC.n.Load())
	assert.True(t, r.stop(&slow), "stopping twice keeps the verdict")

	// Idle: the timer disarms, and arms again for the next attempt.
	assert.Eventually(t, func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return !r.armed
	}, 2*time.Second, 5*time.Millisecond)
	var again watch
	var againC canceller
	r.start(&again, r.begin(&again), againC.cancel)
	time.Sleep(250 * time.Millisecond)
	assert.True(t, r.stop(&again))
}

// A start that arrives after its attempt ended (a streamed body read to
// its end late) must not leave a watch behind.
func TestLateStartIsIgnored(t *testing.T) {
	r := &reaper{timeout: time.Second}
	var w watch
	var c canceller
	gen := r.begin(&w)
	assert.False(t, r.stop(&w))
	r.start(&w, gen, c.cancel)
	r.mu.Lock()
	defer r.mu.Unlock()
	assert.Nil(t, r.head)
	assert.False(t, w.watching)
}

func TestReaperUnderConcurrency(t *testing.T) {
	r := &reaper{timeout: time.Second}
	var wg sync.WaitGroup
	for range 64 {
		wg.Go(func() {
			for range 200 {
				var w watch
				var c canceller
				r.start(&w, r.begin(&w), c.cancel)
				if r.stop(&w) {
					t.Error("cancelled an attempt done in time")
				}
			}
		})
	}
	wg.Wait()
	r.mu.Lock()
	defer r.mu.Unlock()
	assert.Nil(t, r.head)
}
