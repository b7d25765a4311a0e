package transport

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	banklink "github.com/banklink/banklink-go"
)

// heldRoundTrip is a pool below the shared one whose round trips wait
// until released, and which counts the closes that reach it.
type heldRoundTrip struct {
	started chan struct{}
	release chan struct{}
	mu      sync.Mutex
	closes  int
}

func (h *heldRoundTrip) RoundTrip(*http.Request) (*http.Response, error) {
	h.started <- struct{}{}
	<-h.release
	return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody}, nil
}

func (h *heldRoundTrip) CloseIdleConnections() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closes++
}

func (h *heldRoundTrip) closed() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closes
}

// A close asked for while a round trip is in flight waits for the last
// one to return; with none in flight it happens at once.
func TestSharedPoolClosesIdleConnectionsOnlyWithNothingInFlight(t *testing.T) {
	below := &heldRoundTrip{started: make(chan struct{}), release: make(chan struct{})}
	p := &sharedPool{next: below}
	req := httptest.NewRequest(http.MethodPost, "http://bank.example/pay", nil)

	p.CloseIdleConnections()
	require.Equal(t, 1, below.closed(), "nothing in flight: closed at once")

	done := make(chan struct{}, 2)
	for range 2 {
		go func() {
			resp, err := p.RoundTrip(req)
			assert.NoError(t, err)
			assert.Equal(t, http.StatusNoContent, resp.StatusCode)
			done <- struct{}{}
		}()
		<-below.started
	}
	p.CloseIdleConnections()
	p.CloseIdleConnections()
	assert.Equal(t, 1, below.closed(), "a close while round trips are in flight must wait")

	below.release <- struct{}{}
	<-done
	assert.Equal(t, 1, below.closed(), "one round trip is still in flight")

	below.release <- struct{}{}
	<-done
	assert.Equal(t, 2, below.closed(), "the last round trip to return does the close asked for, once")

	p.CloseIdleConnections()
	assert.Equal(t, 3, below.closed())
}

// Regression: one client's CloseIdleConnections on the shared pool broke
// another client's POST in flight. net/http returns the connection of a
// bodiless answer to the idle pool before it hands the answer over, and
// a close in between lost a 503 the server had sent: the call failed as
// "connection broken: http: CloseIdleConnections called", a POST that had
// reached the server and been answered reported as unanswered. Seen in CI
// in the reliability matrix (parallel tests closing their clients' idle
// connections). The window is narrow: the old code failed this stress in
// about one run of ten under -race; the test above pins the mechanism.
func TestCloseIdleConnectionsOfOneClientNeverBreaksAnothersCall(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer srv.Close()
	caller, _ := newTransport(t, srv.URL, Config{}, banklink.Options{})
	closer, _ := newTransport(t, srv.URL, Config{}, banklink.Options{})

	stop := make(chan struct{})
	var closing sync.WaitGroup
	closing.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
				closer.CloseIdleConnections()
			}
		}
	})
	defer func() { close(stop); closing.Wait() }()

	op := &Op{Name: "pay", Method: http.MethodPost, Path: "pay", Body: []byte(`{"amount": "10"}`)}
	var callers sync.WaitGroup
	for range 8 {
		callers.Go(func() {
			for range 150 {
				err := caller.Do(context.Background(), op, decodeStatus)
				var se *statusError
				if !errors.As(err, &se) {
					t.Errorf("the server answered 503, the call said: %v", err)
					return
				}
			}
		})
	}
	callers.Wait()
}

// slowClose is a pool below the shared one whose close waits until
// released, and which records whether a round trip reached it while a
// close ran.
type slowClose struct {
	closing, release chan struct{}
	running          atomic.Bool
	overlap          atomic.Bool
}

func (s *slowClose) RoundTrip(*http.Request) (*http.Response, error) {
	if s.running.Load() {
		s.overlap.Store(true)
	}
	return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody}, nil
}

func (s *slowClose) CloseIdleConnections() {
	s.running.Store(true)
	s.closing <- struct{}{}
	<-s.release
	s.running.Store(false)
}

// A round trip asked for while a close runs starts only once the close
// is done: the close decided on none being in flight.
func TestSharedPoolStartsNoRoundTripWhileACloseRuns(t *testing.T) {
	below := &slowClose{closing: make(chan struct{}), release: make(chan struct{})}
	p := &sharedPool{next: below}
	req := httptest.NewRequest(http.MethodGet, "http://bank.example/x", nil)
	go p.CloseIdleConnections()
	<-below.closing
	sent := make(chan struct{})
	go func() {
		_, err := p.RoundTrip(req)
		assert.NoError(t, err)
		close(sent)
	}()
	select {
	case <-sent:
		t.Fatal("a round trip went through while the close ran")
	case <-time.After(20 * time.Millisecond): // a round trip that waits, as it should, is still waiting
	}
	close(below.release)
	<-sent
	assert.False(t, below.overlap.Load())
	assert.Zero(t, p.state.Load(), "nothing in flight, nothing pending")
}
