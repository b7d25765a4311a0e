package transport

import (
	"io"
	"sync"
	"time"
)

// reaper cuts off response bodies that stall: one timer per transport,
// armed only while bodies are being read, instead of a timer per call
// (which costs two allocations and, on an idle machine, a wake-up of the
// network poller for every request). A stalled body is closed between one
// and one and a half timeouts after its read began.
type reaper struct {
	mu      sync.Mutex
	timeout time.Duration
	timer   *time.Timer // created on first use; armed while head != nil
	armed   bool
	head    *watch
}

// watch is one body being read; it lives inside the call, so watching
// allocates nothing.
type watch struct {
	prev, next *watch
	deadline   time.Time
	body       io.Closer
	fired      bool
}

// start watches body until stop.
func (r *reaper) start(w *watch, body io.Closer) {
	w.body, w.deadline, w.fired = body, time.Now().Add(r.timeout), false
	r.mu.Lock()
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
	r.mu.Unlock()
}

// stop ends the watch and reports whether the body was cut off.
func (r *reaper) stop(w *watch) bool {
	r.mu.Lock()
	if w.prev != nil {
		w.prev.next = w.next
	} else if r.head == w {
		r.head = w.next
	}
	if w.next != nil {
		w.next.prev = w.prev
	}
	w.prev, w.next, w.body = nil, nil, nil
	fired := w.fired
	r.mu.Unlock()
	return fired
}

// scan closes the bodies past their deadline and re-arms while any remain.
func (r *reaper) scan() {
	now := time.Now()
	var expired []io.Closer
	r.mu.Lock()
	for w := r.head; w != nil; w = w.next {
		if !w.fired && now.After(w.deadline) {
			w.fired = true
			expired = append(expired, w.body)
		}
	}
	if r.head != nil {
		r.timer.Reset(r.timeout / 2)
	} else {
		r.armed = false
	}
	r.mu.Unlock()
	for _, b := range expired {
		b.Close() // unblocks the read, which then fails
	}
}
