package transport

import (
	"context"
	"sync"
	"time"
)

// reaper enforces the per-attempt timeout: one timer per transport, armed
// only while attempts are in flight, cancels the context of any attempt
// that outlives its deadline, which aborts it wherever it waits (response
// headers or body). A timer per request instead (http.Client.Timeout,
// Transport.ResponseHeaderTimeout, an AfterFunc) costs allocations and, on
// an idle machine, a wake-up of the network poller for every request. An
// attempt is cancelled between one and one and a half timeouts after its
// deadline started.
type reaper struct {
	mu      sync.Mutex
	timeout time.Duration
	timer   *time.Timer // created on first use; armed while head != nil
	armed   bool
	head    *watch
}

// watch is one call's attempts in flight, one at a time; it lives inside
// the call, so watching allocates nothing. All fields are guarded by the
// reaper's mutex.
type watch struct {
	prev, next *watch
	deadline   time.Time
	cancel     context.CancelFunc
	gen        uint64 // the attempt being watched; a start for another is ignored
	watching   bool
	fired      bool
}

// begin prepares w for a new attempt and returns its generation.
func (r *reaper) begin(w *watch) uint64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	w.gen++
	w.fired = false
	return w.gen
}

// start watches attempt gen until stop; cancel aborts it. A start for an
// attempt that has already ended (a streamed body whose last byte was
// read late) is ignored.
func (r *reaper) start(w *watch, gen uint64, cancel context.CancelFunc) {
	r.mu.Lock()
	r.startLocked(w, gen, cancel)
	r.mu.Unlock()
}

// watchNow begins a new attempt and watches it at once: begin and start
// under one lock.
func (r *reaper) watchNow(w *watch, cancel context.CancelFunc) {
	r.mu.Lock()
	w.gen++
	r.startLocked(w, w.gen, cancel)
	r.mu.Unlock()
}

func (r *reaper) startLocked(w *watch, gen uint64, cancel context.CancelFunc) {
	if w.gen != gen || w.watching {
		return
	}
	w.cancel, w.deadline, w.fired = cancel, time.Now().Add(r.timeout), false
	w.watching = true
	w.prev, w.next = nil, r.head
	if r.head != nil {
		r.head.prev = w
	}
	r.head = w
	if !r.armed {
		r.armed = true
		if r.timer == nil {
			r.timer = time.AfterFunc(r.timeout/2, r.scan)
		} else {
			r.timer.Reset(r.timeout / 2)
		}
	}
}

// stop ends the watch of the current attempt (if any), so that no later
// start for it takes effect, and reports whether the attempt was
// cancelled for running out of time.
func (r *reaper) stop(w *watch) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	w.gen++ // a late start for the ended attempt is ignored
	if !w.watching {
		return w.fired
	}
	if w.prev != nil {
		w.prev.next = w.next
	} else {
		r.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	}
	w.prev, w.next, w.cancel, w.watching = nil, nil, nil, false
	return w.fired
}

// scan cancels the attempts past their deadline and re-arms while any
// remain.
func (r *reaper) scan() {
	now := time.Now()
	var expired []context.CancelFunc
	r.mu.Lock()
	for w := r.head; w != nil; w = w.next {
		if !w.fired && now.After(w.deadline) {
			w.fired = true
			expired = append(expired, w.cancel)
		}
	}
	if r.head != nil {
		r.timer.Reset(r.timeout / 2)
	} else {
		r.armed = false
	}
	r.mu.Unlock()
	for _, cancel := range expired {
		cancel()
	}
}
