package transport

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
)

// waitDone waits for ctx to end, failing the test (instead of hanging it)
// if it does not within a minute.
func waitDone(t *testing.T, ctx context.Context) time.Time {
	t.Helper()
	select {
	case <-ctx.Done():
		return time.Now()
	case <-time.After(time.Minute):
		t.Fatal("the context never ended")
		return time.Time{}
	}
}

// Every context ends at its own deadline, never before, with its own
// cause, whatever order the deadlines were set in; a released one is
// never ended by its deadline; the heap ends empty.
func TestDeadlinesEndEachContextAtItsDeadlineWithItsCause(t *testing.T) {
	var d deadlines
	start := time.Now()
	const n = 40
	bs := make([]*bounded, n)
	causes := make([]error, n)
	for i, k := range rand.Perm(n) {
		bs[i], causes[i] = new(bounded), &timeoutError{what: "attempt", after: time.Duration(k+1) * 5 * time.Millisecond}
		d.add(bs[i], context.Background(), start.Add(time.Duration(k+1)*5*time.Millisecond), causes[i])
		require.NotNil(t, bs[i].d, "outside a bubble the transport's timer ends it")
	}
	released := map[int]bool{3: true, 17: true, 29: true}
	for i, b := range bs {
		if i%2 == 0 || released[i] {
			b.Done() // waited for: in the heap now, released from it below
		}
	}
	for i := range released {
		d.release(bs[i])
	}
	for i, b := range bs {
		if released[i] {
			continue
		}
		ended := waitDone(t, b)
		assert.False(t, ended.Before(b.at), "context %d ended %s before its deadline", i, b.at.Sub(ended))
		assert.Same(t, causes[i], context.Cause(b), "context %d", i)
		assert.Equal(t, context.DeadlineExceeded, b.Err(), "context %d", i)
		dl, ok := b.Deadline()
		assert.True(t, ok && dl.Equal(b.at), "context %d", i)
		d.release(b)
	}
	for i := range released {
		assert.Equal(t, context.Canceled, context.Cause(bs[i]), "released, not timed out")
		assert.Equal(t, context.Canceled, bs[i].Err())
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	assert.Zero(t, d.waitedOn())
}

// A deadline earlier than the one the timer is armed for moves the timer:
// a 20ms bound added after an hour-long one ends after 20ms, not an hour.
func TestAnEarlierDeadlineMovesTheTimer(t *testing.T) {
	var d deadlines
	long, short := new(bounded), new(bounded)
	d.add(long, context.Background(), time.Now().Add(time.Hour), errors.New("hour"))
	defer d.release(long)
	d.add(short, context.Background(), time.Now().Add(20*time.Millisecond), errors.New("short"))
	waitDone(t, short)
	assert.EqualError(t, context.Cause(short), "short")
	assert.NoError(t, long.Err())
	d.release(short)
}

// The parent's end ends the context as ever, with the parent's error and
// cause, not the bound's.
func TestABoundedContextEndsWithItsParent(t *testing.T) {
	var d deadlines
	parent, cancel := context.WithCancelCause(context.Background())
	b := new(bounded)
	d.add(b, parent, time.Now().Add(time.Hour), errors.New("bound"))
	cancel(errors.New("the caller's"))
	waitDone(t, b)
	assert.Equal(t, context.Canceled, b.Err())
	assert.EqualError(t, context.Cause(b), "the caller's")
	d.release(b)

	// A parent deadline earlier than the bound's is the context's deadline.
	pctx, pcancel := context.WithDeadline(context.Background(), time.Now().Add(time.Minute))
	defer pcancel()
	b = new(bounded)
	d.add(b, pctx, time.Now().Add(time.Hour), errors.New("bound"))
	dl, _ := b.Deadline()
	pdl, _ := pctx.Deadline()
	assert.Equal(t, pdl, dl)
	d.release(b)
}

// Many goroutines adding and releasing at once (under -race): every
// context ends by its deadline or its release, and nothing is left.
func TestDeadlinesAtOnce(t *testing.T) {
	var d deadlines
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for range 100 {
				b := new(bounded)
				d.add(b, context.Background(), time.Now().Add(time.Duration(rand.IntN(3000))*time.Microsecond), errTest)
				if rand.IntN(2) == 0 {
					waitDone(t, b)
					assert.Same(t, errTest, context.Cause(b))
				}
				d.release(b)
			}
		})
	}
	wg.Wait()
	d.mu.Lock()
	defer d.mu.Unlock()
	assert.Zero(t, d.waitedOn())
}

var errTest = errors.New("test bound")

// A bound nothing waits for stays out of the heap (a call's own bound,
// while its one attempt runs), and still reads as ended once its
// deadline passed: Err ends it then and there.
func TestABoundNothingWaitsForCostsNothingShared(t *testing.T) {
	var d deadlines
	ahead, passed := new(bounded), new(bounded)
	d.add(ahead, context.Background(), time.Now().Add(time.Hour), errTest)
	d.add(passed, context.Background(), time.Now().Add(-time.Millisecond), errTest)
	dl, _ := ahead.Deadline()
	assert.Equal(t, ahead.at, dl)
	assert.NoError(t, ahead.Err())

	assert.Equal(t, context.DeadlineExceeded, passed.Err())
	assert.Same(t, errTest, context.Cause(passed))
	select {
	case <-passed.Done():
	default:
		t.Fatal("Err ended it, so Done is closed")
	}
	d.mu.Lock()
	assert.Zero(t, d.waitedOn())
	assert.Nil(t, d.timer, "no timer armed for either")
	d.mu.Unlock()
	d.release(ahead)
	d.release(passed)
	assert.Nil(t, d.timer)
}

// In a testing/synctest bubble a bound has a timer of its own, on the
// bubble's clock: the transport's one timer would mix the bubble's fake
// time with real time.
func TestInABubbleEachBoundHasATimerOfItsOwn(t *testing.T) {
	var d deadlines
	synctest.Test(t, func(t *testing.T) {
		start := time.Now()
		b := new(bounded)
		d.add(b, context.Background(), start.Add(time.Second), errTest)
		assert.Nil(t, b.d)
		<-b.Done()
		assert.Equal(t, time.Second, time.Since(start))
		assert.Same(t, errTest, context.Cause(b))
		assert.Equal(t, context.DeadlineExceeded, b.Err())
		d.release(b)
	})
	assert.Nil(t, d.timer, "the transport's timer was never made")
}

// What a caller's RoundTripper sees of an attempt's context: the
// deadline of the bound that comes first and, once it passed,
// context.DeadlineExceeded with the bound as the cause.
func TestARoundTripperSeesTheAttemptsDeadline(t *testing.T) {
	type seen struct {
		deadline time.Time
		err      error
		cause    error
	}
	got := make(chan seen, 8)
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		dl, _ := r.Context().Deadline()
		<-r.Context().Done()
		got <- seen{dl, r.Context().Err(), context.Cause(r.Context())}
		return nil, r.Context().Err()
	})
	for _, tc := range []struct {
		name             string
		attempt, call    time.Duration
		wantAfter, wants string
	}{
		{"the attempt's bound first", 30 * time.Millisecond, time.Hour, "30ms", "per-attempt timeout"},
		{"the call's bound first", time.Hour, 40 * time.Millisecond, "40ms", "call timeout"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr, _ := newTransport(t, "https://api.example.com", Config{}, banklink.Options{Transport: rt, Timeout: tc.attempt, CallTimeout: tc.call})
			start := time.Now()
			err := tr.Do(context.Background(), &Op{Name: "x", Method: http.MethodPost, Path: "x"}, decodeStatus)
			require.ErrorContains(t, err, tc.wantAfter+" ("+tc.wants)
			s := <-got
			bound, _ := time.ParseDuration(tc.wantAfter)
			assert.WithinRange(t, s.deadline, start, start.Add(bound+time.Second))
			assert.Equal(t, context.DeadlineExceeded, s.err)
			assert.ErrorIs(t, s.cause, context.DeadlineExceeded)
			assert.Contains(t, s.cause.Error(), tc.wants)
		})
	}
}

// A call's own bound joins the transport's heap only once something
// waits on it: during a call's single attempt the heap holds the
// attempt's bound alone; after a backoff (which waits on the call's
// context) it holds the call's too; when the call ends, nothing.
func TestACallsBoundJoinsTheHeapOnlyWhenWaitedOn(t *testing.T) {
	var tr *Transport
	var inHeap []int
	var n int
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		tr.deadlines.mu.Lock()
		inHeap = append(inHeap, tr.deadlines.waitedOn())
		tr.deadlines.mu.Unlock()
		n++
		status := http.StatusOK
		if n == 2 {
			status = http.StatusServiceUnavailable
		}
		return &http.Response{StatusCode: status, Body: http.NoBody, Header: http.Header{}, Request: r}, nil
	})
	tr, _ = newTransport(t, "https://api.example.com", Config{}, banklink.Options{Transport: rt,
		Retry: banklink.RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}})
	op := &Op{Name: "x", Method: http.MethodGet, Path: "x"}
	require.NoError(t, tr.Do(context.Background(), op, decodeStatus))
	require.NoError(t, tr.Do(context.Background(), op, decodeStatus)) // 503, a backoff, 200
	assert.Equal(t, []int{1, 1, 2}, inHeap)
	tr.deadlines.mu.Lock()
	defer tr.deadlines.mu.Unlock()
	assert.Zero(t, tr.deadlines.waitedOn())
}

// The contexts derived from a bound register in it (its AfterFunc, which
// the standard library looks for), not in a goroutine each; they end
// with it, reading context.DeadlineExceeded and the bound's cause as it
// does, or context.Canceled when it is released.
func TestContextsDerivedFromABoundEndWithIt(t *testing.T) {
	var d deadlines
	b := new(bounded)
	d.add(b, context.Background(), time.Now().Add(30*time.Millisecond), errTest)
	before := runtime.NumGoroutine()
	children := make([]context.Context, 200)
	for i := range children {
		var cancel context.CancelFunc
		children[i], cancel = context.WithCancel(b)
		defer cancel()
	}
	assert.Less(t, runtime.NumGoroutine()-before, 100, "a goroutine per derived context")
	for _, child := range children {
		waitDone(t, child)
		assert.Equal(t, context.DeadlineExceeded, child.Err())
		assert.Same(t, errTest, context.Cause(child))
	}
	d.release(b)

	released := new(bounded)
	d.add(released, context.Background(), time.Now().Add(time.Hour), errTest)
	child, cancel := context.WithCancel(released)
	defer cancel()
	d.release(released)
	waitDone(t, child)
	assert.Equal(t, context.Canceled, context.Cause(child))
}

// AfterFunc keeps context.AfterFunc's contract: a callback runs once as
// the context ends, one stopped in time never runs (stop reports true,
// and false once too late), one registered after the end runs at once.
func TestABoundsAfterFuncKeepsTheContract(t *testing.T) {
	var d deadlines
	b := new(bounded)
	d.add(b, context.Background(), time.Now().Add(time.Hour), errTest)
	called := make(chan string, 4)
	stopped := b.AfterFunc(func() { called <- "stopped" })
	kept := b.AfterFunc(func() { called <- "kept" })
	assert.True(t, stopped(), "stopped before the end")
	d.release(b)
	assert.Equal(t, "kept", <-called)
	assert.False(t, kept(), "it ran")
	assert.False(t, stopped(), "already stopped")
	_ = b.AfterFunc(func() { called <- "after the end" })
	assert.Equal(t, "after the end", <-called)
	assert.Empty(t, called, "each callback once, the stopped one never")
}

// However the attempt's context reaches net/http (through the SDK's
// pool, a Transport of the caller's, wrapped in values by an observer or
// by a RoundTripper of the caller's as otelhttp does), net/http watches
// it without a goroutine per request: while 40 calls wait on the server,
// each holds no more goroutines than the same request made by hand.
func TestNetHTTPWatchesAnAttemptWithoutAGoroutine(t *testing.T) {
	const n = 40
	// perCall starts n calls against a server that holds them, and says
	// how many goroutines the process gained per call once all are held
	// (the fewest of many reads: a dialing goroutine may be on its way out).
	perCall := func(t *testing.T, call func(base string) error) float64 {
		var arrived sync.WaitGroup
		arrived.Add(n)
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
			arrived.Done()
			<-release
		}))
		defer srv.Close()
		before := runtime.NumGoroutine()
		var calls sync.WaitGroup
		for range n {
			calls.Go(func() { assert.NoError(t, call(srv.URL)) })
		}
		arrived.Wait()
		during := runtime.NumGoroutine()
		for range 100 {
			runtime.Gosched()
			during = min(during, runtime.NumGoroutine())
		}
		close(release)
		calls.Wait()
		return float64(during-before) / n
	}
	byHand := &http.Transport{}
	defer byHand.CloseIdleConnections()
	hand := perCall(t, func(base string) error {
		resp, err := (&http.Client{Transport: byHand}).Get(base + "/x")
		if err == nil {
			resp.Body.Close()
		}
		return err
	})

	wrap := func(ctx context.Context) context.Context { return context.WithValue(ctx, errTest, 1) }
	callers := &http.Transport{}
	defer callers.CloseIdleConnections()
	for name, opts := range map[string]banklink.Options{
		"the SDK's pool":              {},
		"a Transport of the caller's": {Transport: callers},
		"an observer's values":        {Observer: valueObserver{wrap}},
		"a RoundTripper adding values": {Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			return callers.RoundTrip(r.WithContext(wrap(r.Context())))
		})},
	} {
		t.Run(name, func(t *testing.T) {
			got := perCall(t, func(base string) error {
				tr, _ := newTransport(t, base, Config{}, opts)
				return tr.Do(context.Background(), &Op{Name: "x", Method: http.MethodGet, Path: "x"}, decodeStatus)
			})
			assert.LessOrEqual(t, got, hand+0.5, "goroutines per call held (by hand: %.2f)", hand)
		})
	}
}

// valueObserver wraps each attempt's context with wrap and observes
// nothing else.
type valueObserver struct {
	wrap func(context.Context) context.Context
}

func (o valueObserver) StartOperation(ctx context.Context, _ banklink.Operation) (context.Context, func(banklink.OperationEnd)) {
	return ctx, func(banklink.OperationEnd) {}
}
func (o valueObserver) StartAttempt(ctx context.Context, _ banklink.Attempt) (context.Context, func(banklink.AttemptEnd)) {
	return o.wrap(ctx), func(banklink.AttemptEnd) {}
}
func (o valueObserver) StartRenewal(ctx context.Context, _ banklink.Renewal) (context.Context, func(banklink.RenewalEnd)) {
	return ctx, func(banklink.RenewalEnd) {}
}
func (o valueObserver) SessionChanged(context.Context, banklink.SessionChange) {}

// waitedOn counts the contexts in the heap not yet released. The caller
// holds d.mu.
func (d *deadlines) waitedOn() int {
	n := 0
	for _, b := range d.heap {
		if b.state.Load() != released {
			n++
		}
	}
	return n
}

// Released contexts leave the heap in bulk: after a thousand waited on
// and released, it holds 64 at most, and the one still waited
// on keeps its place at the top (its deadline half an hour ahead, the
// others' an hour: no timer fires during the test, however slow).
func TestReleasedContextsLeaveTheHeapInBulk(t *testing.T) {
	var d deadlines
	keep := new(bounded)
	d.add(keep, context.Background(), time.Now().Add(30*time.Minute), errTest)
	keep.Done()
	for range 1000 {
		b := new(bounded)
		d.add(b, context.Background(), time.Now().Add(time.Hour), errTest)
		b.Done()
		d.release(b)
	}
	d.mu.Lock()
	assert.LessOrEqual(t, len(d.heap), 64)
	assert.Equal(t, 1, d.waitedOn())
	assert.Same(t, keep, d.heap[0], "the earliest deadline heads the compacted heap")
	d.mu.Unlock()
	assert.NoError(t, keep.Err())
	d.release(keep)
}

// A release touches nothing the transport's calls share: it completes
// while another holds the heap's lock.
func TestAReleaseTakesNoSharedLock(t *testing.T) {
	var d deadlines
	b := new(bounded)
	d.add(b, context.Background(), time.Now().Add(time.Hour), errTest)
	b.Done()
	d.mu.Lock()
	defer d.mu.Unlock()
	released := make(chan struct{})
	go func() {
		d.release(b)
		close(released)
	}()
	select {
	case <-released:
	case <-time.After(10 * time.Second): // a release that waits for the lock waits for ever here
		t.Fatal("a release waited for the heap's lock")
	}
	assert.Equal(t, context.Canceled, b.Err())
}
