package transport

import (
	"container/heap"
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// deadlines ends the contexts of a transport's calls and attempts when
// their bounds pass, with one timer for the whole transport.
//
// Why not a context.WithTimeout per call and per attempt: each is a
// runtime timer, added to the scheduler's heap as the call starts and
// taken out as it ends, and the scheduler checks those heaps as it runs
// goroutines. Measured over loopback at 64 goroutines (DFCU loans), a
// call's two timers cost about 1.5% of its time, more than the SDK's own
// work saves over a request written by hand. A transport's bounds are few (its call and attempt
// timeouts), so its deadlines arrive almost in the order they end: a heap
// whose minimum rarely changes, and one timer armed at it, which a new
// deadline moves only when it comes first. It is OkHttp's AsyncTimeout:
// one watchdog for every pending timeout.
//
// The zero value is ready. A transport that makes no call has no timer;
// once the last deadline is gone the timer fires once more and stays
// unarmed.
//
// Inside a testing/synctest bubble (whose clock has no monotonic reading)
// each deadline is a context.WithDeadlineCause of its own, on the
// bubble's fake clock: one timer shared across bubbles would mix clocks.
type deadlines struct {
	mu    sync.Mutex
	heap  deadlineHeap
	timer *time.Timer
	armed time.Time // when timer fires; zero when it is not armed
}

// bounded is a context that ends at a deadline with a cause: the
// standard library's cancel context (context.Cause, context.AfterFunc and
// the contexts derived from it work as ever), ended by its transport's
// deadlines instead of a timer of its own. Its Deadline and Err read as a
// context.WithDeadlineCause's; a context derived from it reads
// context.Canceled once the deadline passed, with the same cause.
//
// It joins the heap only when something waits for it to end (its Done,
// which net/http and every derived context call); asked through Err once
// its deadline passed, it ends then and there. A call's own bound, which
// nothing waits on while its single attempt runs (the attempt's bound
// ends that attempt at the call's deadline too), costs nothing shared.
type bounded struct {
	context.Context                   // context.WithCancelCause's, or in a bubble context.WithDeadlineCause's
	cancel          func(cause error) // ends it
	at              time.Time         // its deadline
	cause           error             // why it ends at the deadline
	d               *deadlines        // nil in a bubble
	state           atomic.Int32      // lazy, then watched (in the heap until it fires), then released
	i               int               // its index in the heap plus one; 0 when out of it (d.mu)
}

// The states of a bounded context.
const (
	lazy     = iota // not in the heap: nothing waits for it yet
	watched         // the heap has it, or had it until its deadline passed
	released        // its owner is done with it, or its deadline passed unwatched
)

// Deadline is the bound's deadline, or the parent's when that comes first.
func (b *bounded) Deadline() (time.Time, bool) {
	if d, ok := b.Context.Deadline(); ok && d.Before(b.at) {
		return d, true
	}
	return b.at, true
}

// Done is the context's channel: whoever waits on it, the deadline ends it.
func (b *bounded) Done() <-chan struct{} {
	if b.state.Load() == lazy {
		b.d.watch(b)
	}
	return b.Context.Done()
}

// Err is context.DeadlineExceeded once the deadline ended the context.
func (b *bounded) Err() error {
	if b.state.Load() == lazy && !time.Now().Before(b.at) && b.state.CompareAndSwap(lazy, released) {
		b.cancel(b.cause) // passed while nothing waited
	}
	err := b.Context.Err()
	if err != nil && context.Cause(b.Context) == b.cause {
		return context.DeadlineExceeded
	}
	return err
}

// add makes b a context derived from parent that ends at the time at,
// with cause. Its owner releases it when done with it; b is never reused
// (the contexts net/http derives from it may outlive the attempt).
func (d *deadlines) add(b *bounded, parent context.Context, at time.Time, cause error) {
	b.at, b.cause = at, cause
	if at == at.Round(0) { // no monotonic reading: a synctest bubble's clock
		ctx, stop := context.WithDeadlineCause(parent, at, cause)
		b.Context, b.cancel = ctx, func(error) { stop() }
		b.state.Store(released) // nothing for the heap to do
		return
	}
	b.Context, b.cancel = context.WithCancelCause(parent)
	b.d = d
}

// watch puts b in the heap, arming the timer if b comes first.
func (d *deadlines) watch(b *bounded) {
	if !b.state.CompareAndSwap(lazy, watched) {
		return
	}
	d.mu.Lock()
	if b.state.Load() == watched { // else released meanwhile
		heap.Push(&d.heap, b)
		if d.armed.IsZero() || b.at.Before(d.armed) {
			d.arm(b.at)
		}
	}
	d.mu.Unlock()
}

// release ends b, if its deadline has not, and forgets it.
func (d *deadlines) release(b *bounded) {
	if !b.state.CompareAndSwap(lazy, released) && b.d != nil {
		d.mu.Lock()
		b.state.Store(released)
		if b.i != 0 { // else its deadline passed: the timer took it out
			heap.Remove(&d.heap, b.i-1)
		}
		d.mu.Unlock()
	}
	b.cancel(nil)
}

// arm sets the timer to fire at at. The caller holds mu.
func (d *deadlines) arm(at time.Time) {
	d.armed = at
	if d.timer == nil {
		d.timer = time.AfterFunc(time.Until(at), d.fire)
		return
	}
	d.timer.Reset(time.Until(at))
}

// fire ends the contexts whose deadlines have passed, each with its
// cause, and arms the timer for the next.
func (d *deadlines) fire() {
	now := time.Now()
	var due []*bounded
	d.mu.Lock()
	for len(d.heap) > 0 && !d.heap[0].at.After(now) {
		due = append(due, heap.Pop(&d.heap).(*bounded))
	}
	d.armed = time.Time{}
	switch {
	case len(d.heap) > 0:
		d.arm(d.heap[0].at)
	case cap(d.heap) > 1024:
		d.heap = nil // a burst is over: keep no large array
	}
	d.mu.Unlock()
	for _, b := range due {
		b.cancel(b.cause)
	}
}

// deadlineHeap orders bounded contexts by deadline (container/heap).
type deadlineHeap []*bounded

func (h deadlineHeap) Len() int           { return len(h) }
func (h deadlineHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h deadlineHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].i, h[j].i = i+1, j+1
}

func (h *deadlineHeap) Push(x any) {
	b := x.(*bounded)
	*h = append(*h, b)
	b.i = len(*h)
}

func (h *deadlineHeap) Pop() any {
	old := *h
	b := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	b.i = 0
	return b
}
