// Package banklinktest holds what the SDK's fake servers share, for tests
// of code that uses the SDK: the Fault type, and the Controls every fake
// embeds to inject faults and latency and to count calls. The fakes
// themselves are in each provider's <provider>test package (dfcutest,
// fintracttest, fintivtest, merchanttest):
//
//	srv := dfcutest.NewServer()
//	defer srv.Close()
//	srv.InjectFaults(dfcutest.RouteLoans, banklinktest.Fault{Status: 503}, banklinktest.Fault{Status: 503})
//	// … your code calls the fake through dfcu.New(banklink.WithBaseURL(srv.URL), …)
//	fmt.Println(srv.Calls(dfcutest.RouteLoans)) // 3: two faults, then the real answer
package banklinktest

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Fault is one injected answer, served instead of the real handler's. The
// zero Fault answers 500 with an empty body.
type Fault struct {
	// Status is the HTTP status to answer with (default 500).
	Status int
	// Body is the response body; ContentType defaults to application/json
	// when Body starts with '{' or '[', else text/html.
	Body        string
	ContentType string
	// RetryAfter, when set, is sent as the Retry-After header (seconds or
	// an HTTP date).
	RetryAfter string
	// Header holds more headers for the answer (an X-Request-Id, say).
	// Nil: none.
	Header http.Header
	// Delay holds the answer back (the request's cancellation still ends it).
	Delay time.Duration
	// Drop closes the connection without answering.
	Drop bool
	// CutAfter, when positive, announces the whole Body (Content-Length)
	// but sends only its first CutAfter bytes, then drops the connection.
	CutAfter int
	// Pass lets the real handler answer (after Delay): a placeholder in a
	// sequence, e.g. {503, 503, Pass}.
	Pass bool
}

// AnyRoute is the route name under which faults apply to every route.
const AnyRoute = ""

// Controls are a fake server's test switches: queues of injected faults per
// route, an added latency, and call counters. Its zero value is ready to
// use, with no fault, no latency and zero counts; its methods are safe for
// concurrent use. Every fake server embeds it, so srv.InjectFaults,
// srv.Calls and the rest work on each of them, with the route names the
// fake's package declares (RouteToken, RouteLoans, …).
type Controls struct {
	mu       sync.Mutex
	faults   map[string][]Fault
	latency  time.Duration
	calls    map[string]int
	total    int
	handlers map[string]http.Handler // routes a test replaced (Handle)
}

// Handle makes h answer route from now on, in place of the fake's own
// handler (nil gives the route back to the fake): one route's answer
// replaced in one line, as azcore's fakes have a function per method.
// Calls to the route are still counted, and injected faults and latency
// still come first.
//
//	srv.Handle(dfcutest.RouteLoans, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
//		w.Header().Set("Content-Type", "application/json")
//		fmt.Fprint(w, `{"response": "Account is dormant"}`)
//	}))
func (b *Controls) Handle(route string, h http.Handler) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.handlers == nil {
		b.handlers = map[string]http.Handler{}
	}
	if h == nil {
		delete(b.handlers, route)
		return
	}
	b.handlers[route] = h
}

// InjectFaults queues faults for the next calls of route (AnyRoute: of any
// route). Each call takes the next fault of its route's queue, else of
// the AnyRoute queue, else is answered normally.
func (b *Controls) InjectFaults(route string, faults ...Fault) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.faults == nil {
		b.faults = make(map[string][]Fault)
	}
	b.faults[route] = append(b.faults[route], faults...)
}

// SetLatency delays every answer by d.
func (b *Controls) SetLatency(d time.Duration) {
	b.mu.Lock()
	b.latency = d
	b.mu.Unlock()
}

// Calls returns how many requests route received, faults included: the
// one way to count a fake's calls (each fake names its routes, e.g.
// dfcutest.RouteLoans). Counts is the same counters for every route at
// once, Requests their total.
func (b *Controls) Calls(route string) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls[route]
}

// Counts returns how many requests each route received (faults
// included), as a new map.
func (b *Controls) Counts() map[string]int {
	b.mu.Lock()
	defer b.mu.Unlock()
	out := make(map[string]int, len(b.calls))
	for k, v := range b.calls {
		out[k] = v
	}
	return out
}

// Requests returns how many requests the server received in all.
func (b *Controls) Requests() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.total
}

// ResetCounts sets every counter back to zero.
func (b *Controls) ResetCounts() {
	b.mu.Lock()
	b.calls, b.total = nil, 0
	b.mu.Unlock()
}

// Route wraps h as route: counted, delayed and faulted as configured. Fake
// servers wrap each of their handlers with it; use it to build a fake of
// your own with the same switches.
func (b *Controls) Route(route string, own http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, faulted, latency, replaced := b.take(route)
		h := own
		if replaced != nil {
			h = replaced.ServeHTTP
		}
		d := latency + f.Delay
		if !faulted || f.Pass {
			if d > 0 {
				// The handler runs at once (a refresh is spent when the
				// request arrives) and its answer is held back until the
				// delay has passed: kept in memory up to 1 MiB, so the
				// handler returns and releases what it holds (a fake's
				// lock: other routes never wait for this one); a larger
				// answer waits in its stream.
				dw := &delayed{ResponseWriter: w, r: r, until: time.Now().Add(d)}
				h(dw, r)
				dw.finish()
				return
			}
			h(w, r)
			return
		}
		if d > 0 && !holdBack(r, time.Now().Add(d)) {
			return
		}
		serve(w, f)
	}
}

func (b *Controls) take(route string) (Fault, bool, time.Duration, http.Handler) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.calls == nil {
		b.calls = make(map[string]int)
	}
	b.calls[route]++
	b.total++
	for _, key := range [...]string{route, AnyRoute} {
		if q := b.faults[key]; len(q) > 0 {
			b.faults[key] = q[1:]
			return q[0], true, b.latency, b.handlers[route]
		}
	}
	return Fault{}, false, b.latency, b.handlers[route]
}

// holdBack waits until until, ending early when the client goes away. It
// first reads the rest of the body, streamed and thrown away (never into
// memory, whatever its size): only once the body has been read does
// net/http watch the connection and cancel the request's context.
func holdBack(r *http.Request, until time.Time) bool {
	_, _ = io.Copy(io.Discard, r.Body)
	return sleep(r, time.Until(until))
}

// delayed holds a handler's answer back until a time. The status and the
// first MiB of the body are kept in memory, sent once the time has come
// (finish); past that, the stream waits for it. A client that went away
// meanwhile gets nothing.
type delayed struct {
	http.ResponseWriter
	r         *http.Request
	until     time.Time
	status    int
	buf       bytes.Buffer
	streaming bool
	waited    bool
	aborted   bool
}

// maxHeld is how much of a delayed answer is held in memory.
const maxHeld = 1 << 20

func (d *delayed) wait() bool {
	if !d.waited {
		d.waited = true
		d.aborted = !holdBack(d.r, d.until)
	}
	return !d.aborted
}

func (d *delayed) WriteHeader(status int) {
	if d.status == 0 {
		d.status = status
	}
}

// stream starts sending: after the delay, the status and what was held.
func (d *delayed) stream() bool {
	if d.streaming {
		return !d.aborted
	}
	d.streaming = true
	if !d.wait() {
		return false
	}
	if d.status != 0 {
		d.ResponseWriter.WriteHeader(d.status)
	}
	_, _ = d.ResponseWriter.Write(d.buf.Bytes())
	d.buf = bytes.Buffer{}
	return true
}

func (d *delayed) Write(p []byte) (int, error) {
	if !d.streaming && d.buf.Len()+len(p) <= maxHeld {
		return d.buf.Write(p)
	}
	if !d.stream() {
		return 0, http.ErrAbortHandler
	}
	return d.ResponseWriter.Write(p)
}

// finish sends a held answer once the delay has passed.
func (d *delayed) finish() { d.stream() }

// Flush flushes once the answer is streaming (held bytes wait for the delay).
func (d *delayed) Flush() {
	if fl, ok := d.ResponseWriter.(http.Flusher); ok && d.streaming && !d.aborted {
		fl.Flush()
	}
}

// Unwrap gives http.ResponseController the writer underneath.
func (d *delayed) Unwrap() http.ResponseWriter { return d.ResponseWriter }

func sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}

// serve writes a fault's answer.
func serve(w http.ResponseWriter, f Fault) {
	if f.Drop {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return
			}
		}
		panic(http.ErrAbortHandler)
	}
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	ct := f.ContentType
	if ct == "" {
		ct = "text/html; charset=utf-8"
		if len(f.Body) > 0 && (f.Body[0] == '{' || f.Body[0] == '[') {
			ct = "application/json"
		}
	}
	w.Header().Set("Content-Type", ct)
	for k, v := range f.Header {
		w.Header()[http.CanonicalHeaderKey(k)] = v
	}
	if f.RetryAfter != "" {
		w.Header().Set("Retry-After", f.RetryAfter)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(f.Body)))
	w.WriteHeader(status)
	if f.CutAfter > 0 && f.CutAfter < len(f.Body) {
		_, _ = w.Write([]byte(f.Body[:f.CutAfter]))
		if fl, ok := w.(http.Flusher); ok {
			fl.Flush()
		}
		serve(w, Fault{Drop: true})
		return
	}
	_, _ = w.Write([]byte(f.Body))
}
