package transport

import (
	"container/heap"
	"context"
	"fmt"
	"slices"
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
// work saves over a request written by hand. A transport's bounds are few
// (its call and attempt timeouts), so its deadlines arrive almost in the
// order they end: a heap whose minimum rarely changes, and one timer armed
// at it, which a new deadline moves only when it comes first. It is
// OkHttp's AsyncTimeout: one watchdog for every pending timeout.
//
// The zero value is ready. A transport that makes no call has no timer;
// once the last deadline is gone the timer fires once more and stays
// unarmed.
//
// Inside a testing/synctest bubble (whose clock has no monotonic reading)
// each deadline has a timer of its own, on the bubble's fake clock: one
// timer shared across bubbles would mix clocks.
type deadlines struct {
	mu   sync.Mutex
	heap deadlineHeap
	// compactAt is the heap's length at which a push first drops the
	// released contexts: twice what it kept the last time, 64 at least.
	compactAt int
	timer     *time.Timer
	armed     time.Time // when timer fires; zero when it is not armed
}

// bounded is a context that ends at a deadline with a cause, with its
// parent, or when its owner releases it, whichever comes first. It reads
// as a context.WithDeadlineCause's: Deadline is the earlier of the
// bound's and the parent's; once the deadline ended it, Err is
// context.DeadlineExceeded and context.Cause the bound's cause; a
// context derived from it ends with it, with the same error and cause.
//
// It is a context of its own, not the standard library's cancel context,
// for the contexts derived from it. net/http derives one from each
// request's context; under a cancel context that derived context joins a
// map the parent allocates for it and leaves it under the parent's lock
// as the answer ends. A parent with an AfterFunc method (which the
// standard library looks for) takes it in one slot instead: measured over
// loopback at 64 goroutines, a request under a cancel context costs about
// 4% more than under none, and 1-2% more under such a parent.
//
// It joins its transport's heap only when something waits for it to end
// (its Done or AfterFunc, which net/http and every derived context call);
// asked through Err once its deadline passed, it ends then and there. A
// call's own bound, which nothing waits on while its single attempt runs
// (the attempt's bound ends that attempt at the call's deadline too),
// costs nothing shared and allocates nothing.
//
// Its owner releases it when done with it; it is never reused (the
// contexts net/http derives from it may outlive the attempt).
type bounded struct {
	parent context.Context
	at     time.Time    // its deadline
	cause  error        // why it ends at the deadline
	d      *deadlines   // nil in a bubble
	state  atomic.Int32 // lazy, then watched (in the heap until it fires), then released

	// why, once the deadline ended it, is a canceled context carrying the
	// cause, for context.Cause (which finds it through Value).
	why atomic.Pointer[context.Context]

	mu       sync.Mutex
	err      error         // set once, as it ends
	done     chan struct{} // made by the first Done
	hooks    []hook        // the AfterFunc callbacks of the contexts derived from it
	hookBuf  [1]hook       // hooks' first slot: net/http's
	nextHook uint64
	unhook   func() bool // stops the callback that ends it with its parent
	timer    *time.Timer // in a bubble, its own timer, on the bubble's clock
}

// A hook is a callback AfterFunc registered, and its number for stop.
type hook struct {
	id uint64
	f  func()
}

// The states of a bounded context.
const (
	lazy     = iota // not in the heap: nothing waits for it yet
	watched         // the heap has it, or had it until its deadline passed
	released        // its owner is done with it, or its deadline passed unwatched
)

// Deadline is the bound's deadline, or the parent's when that comes first.
func (b *bounded) Deadline() (time.Time, bool) {
	if d, ok := b.parent.Deadline(); ok && d.Before(b.at) {
		return d, true
	}
	return b.at, true
}

// Done is closed when the context ends: whoever waits on it, the deadline
// ends it.
func (b *bounded) Done() <-chan struct{} {
	b.watch()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done == nil {
		b.done = make(chan struct{})
		if b.err != nil {
			close(b.done)
		}
	}
	return b.done
}

// Err is nil until the context ends; then context.DeadlineExceeded when
// its deadline ended it, the parent's error when the parent did, and
// context.Canceled when its owner released it.
func (b *bounded) Err() error {
	if b.state.Load() == lazy && !time.Now().Before(b.at) && b.state.CompareAndSwap(lazy, released) {
		b.end(context.DeadlineExceeded, b.cause) // passed while nothing waited
	}
	b.mu.Lock()
	err := b.err
	b.mu.Unlock()
	if err == nil {
		if err = b.parent.Err(); err != nil {
			b.end(err, nil) // before the parent's callback, which runs in a goroutine of its own
		}
	}
	return err
}

// Value is the parent's value for key; once the deadline ended the
// context, context.Cause finds the bound's cause through it.
func (b *bounded) Value(key any) any {
	if why := b.why.Load(); why != nil {
		if v := (*why).Value(key); v != nil {
			return v
		}
	}
	return b.parent.Value(key)
}

// AfterFunc arranges for f to be called once, when the context ends (at
// once if it has), as context.AfterFunc does; stop stops that and reports
// whether it did. The contexts derived from it register here.
func (b *bounded) AfterFunc(f func()) (stop func() bool) {
	b.watch()
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		go f()
		return func() bool { return false }
	}
	if b.hooks == nil {
		b.hooks = b.hookBuf[:0]
	}
	b.nextHook++
	id := b.nextHook
	b.hooks = append(b.hooks, hook{id, f})
	return func() bool { return b.stopHook(id) }
}

// stopHook forgets the callback numbered id, reporting whether it was
// still to be called.
func (b *bounded) stopHook(id uint64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, h := range b.hooks {
		if h.id == id {
			b.hooks = slices.Delete(b.hooks, i, i+1)
			return true
		}
	}
	return false
}

// String names the context and its deadline, as the standard library's
// contexts do.
func (b *bounded) String() string {
	return fmt.Sprintf("%v.WithDeadline(%s [%s])", b.parent, b.at, time.Until(b.at))
}

// end ends the context with err, the first time only; cause, if any, is
// what context.Cause reports instead of the parent's.
func (b *bounded) end(err, cause error) {
	b.mu.Lock()
	if b.err != nil {
		b.mu.Unlock()
		return
	}
	if cause != nil {
		why, cancel := context.WithCancelCause(context.Background())
		cancel(cause)
		b.why.Store(&why)
	}
	b.err = err
	if b.done != nil {
		close(b.done)
	}
	hooks, unhook, timer := b.hooks, b.unhook, b.timer
	b.hooks, b.unhook = nil, nil
	b.mu.Unlock()
	if unhook != nil {
		unhook()
	}
	if timer != nil {
		timer.Stop()
	}
	for _, h := range hooks {
		h.f()
	}
}

// add makes b a context derived from parent that ends at the time at,
// with cause.
func (d *deadlines) add(b *bounded, parent context.Context, at time.Time, cause error) {
	b.parent, b.at, b.cause = parent, at, cause
	if at != at.Round(0) { // else no monotonic reading: a synctest bubble's clock
		b.d = d
	}
}

// watch arranges for b to end at its deadline and with its parent, once:
// it puts b in the heap, arming the timer if b comes first (in a bubble,
// arms a timer of b's own), and registers with the parent.
func (b *bounded) watch() {
	if b.state.Load() != lazy || !b.state.CompareAndSwap(lazy, watched) {
		return
	}
	if d := b.d; d != nil {
		d.mu.Lock()
		if b.state.Load() == watched { // else released meanwhile
			if len(d.heap) >= d.compactAt {
				d.compact()
			}
			heap.Push(&d.heap, b)
			if d.armed.IsZero() || b.at.Before(d.armed) {
				d.arm(b.at)
			}
		}
		d.mu.Unlock()
	}
	cancellable := b.parent.Done() != nil
	if !cancellable && b.d != nil {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err != nil {
		return
	}
	if b.d == nil {
		b.timer = time.AfterFunc(time.Until(b.at), func() { b.end(context.DeadlineExceeded, b.cause) })
	}
	if cancellable {
		parent := b.parent
		b.unhook = context.AfterFunc(parent, func() { b.end(parent.Err(), nil) })
	}
}

// release ends b, if its deadline has not, and forgets it, touching
// nothing the transport's other calls share: a released context stays in
// the heap until the timer or a compaction finds it. Taking it out at
// once (it is usually the earliest, whose removal reorders the heap from
// the top) cost more than all the rest of the heap's work, and even
// counting it under the heap's lock moved that lock's cache line between
// cores on every call.
func (d *deadlines) release(b *bounded) {
	b.state.Store(released)
	b.end(context.Canceled, nil)
}

// compact takes the released contexts out of the heap. A push calls it
// once the heap has doubled since the last compaction, so the heap holds
// at most about twice the contexts waited on (64 at least), and the work
// is a constant per push. The caller holds mu.
func (d *deadlines) compact() {
	kept := d.heap[:0]
	for _, b := range d.heap {
		if b.state.Load() == released {
			continue
		}
		kept = append(kept, b)
	}
	clear(d.heap[len(kept):])
	d.heap, d.compactAt = kept, max(2*len(kept), 64)
	heap.Init(&d.heap)
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
		b := heap.Pop(&d.heap).(*bounded)
		if b.state.Load() == released {
			continue
		}
		due = append(due, b)
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
		b.end(context.DeadlineExceeded, b.cause)
	}
}

// deadlineHeap orders bounded contexts by deadline (container/heap).
type deadlineHeap []*bounded

func (h deadlineHeap) Len() int           { return len(h) }
func (h deadlineHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h deadlineHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }

func (h *deadlineHeap) Push(x any) {
	*h = append(*h, x.(*bounded))
}

func (h *deadlineHeap) Pop() any {
	old := *h
	b := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return b
}
