package transport

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// pooledTransport is what a pool the clients share must offer.
type pooledTransport interface {
	http.RoundTripper
	CloseIdleConnections()
}

// sharedPool is the pool every client of the process shares unless its
// caller supplies a RoundTripper. It closes idle connections only while
// no round trip is in flight on it, because net/http's own window makes
// that close unsafe for a round trip under way: after a bodiless answer
// (a 503 or a 204 with Content-Length 0) the transport returns the
// connection to the idle pool before it hands the answer to RoundTrip;
// closing it in between loses the answer, and the caller gets
// "connection broken: http: CloseIdleConnections called" for a request
// the server has processed (golang/go#41600 is a neighbour of this race).
// With a pool of its own, a client's CloseIdleConnections could only break
// its own calls; on the shared pool it would break other clients' calls,
// a POST among them, which is never sent twice. A close asked for while
// round trips are in flight is done by the last of them to return.
type sharedPool struct {
	next pooledTransport
	// state counts the round trips in flight (its low bits) and carries
	// two flags: a close was asked for while some were (poolPending), a
	// close is running (poolClosing). A round trip starting or ending is
	// one atomic add on it.
	state atomic.Int64
	// closer is held by a close while it decides and runs; a round trip
	// that finds one running steps back and waits on it.
	closer sync.Mutex
}

// The flags of sharedPool.state, above any count of round trips.
const (
	poolPending = 1 << 40
	poolClosing = 1 << 41
	poolCount   = poolPending - 1
)

// newSharedPool returns the process's pool: net/http's defaults, TLS 1.2
// at least, a proxy for https only, dial and handshake bounds as
// backstops (per-client timeouts are enforced by each attempt's context)
// and room for many clients' idle connections.
func newSharedPool() *sharedPool {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	tr.Proxy = proxyForTLSOnly
	dialer := &net.Dialer{Timeout: DefaultTimeout, KeepAlive: 30 * time.Second}
	tr.DialContext = dialer.DialContext
	tr.TLSHandshakeTimeout = 10 * time.Second
	tr.MaxIdleConns = 256
	tr.MaxIdleConnsPerHost = 64
	return &sharedPool{next: tr}
}

// RoundTrip sends req, counted as in flight until the answer's headers
// (or the failure) are back; past that point the connection is no longer
// in the window a close could break. A round trip never starts while a
// close runs.
func (p *sharedPool) RoundTrip(req *http.Request) (*http.Response, error) {
	for p.state.Add(1)&poolClosing != 0 {
		p.done() // a close is running: step back, wait for it, count again
		p.closer.Lock()
		//lint:ignore SA2001 waiting for the close to end is the point
		p.closer.Unlock()
	}
	resp, err := p.next.RoundTrip(req)
	p.done()
	return resp, err
}

// done counts a round trip out; the last one out does the close asked for
// meanwhile. (A count left under a running close never reads as pending:
// the closing flag is still in it.)
func (p *sharedPool) done() {
	if p.state.Add(-1) == poolPending {
		p.CloseIdleConnections()
	}
}

// CloseIdleConnections closes the pool's idle connections now when no
// round trip is in flight, else as soon as the last one in flight returns.
func (p *sharedPool) CloseIdleConnections() {
	p.closer.Lock()
	defer p.closer.Unlock()
	for {
		s := p.state.Load()
		if s&poolCount != 0 {
			if p.state.CompareAndSwap(s, s|poolPending) {
				return
			}
			continue
		}
		if p.state.CompareAndSwap(s, poolClosing) { // none in flight: the pending close is this one
			break
		}
	}
	p.next.CloseIdleConnections()
	p.state.Add(-poolClosing)
}

// proxyForTLSOnly takes the proxy from the environment for https only.
// Through a proxy, plain http travels in clear to the proxy, credentials
// included (a proxy sees only the tunnelled bytes of https); net/http's
// own exemptions know "localhost" but not "api.localhost" or a loopback
// name in capitals.
func proxyForTLSOnly(req *http.Request) (*url.URL, error) {
	if req.URL.Scheme != "https" {
		return nil, nil
	}
	return http.ProxyFromEnvironment(req)
}
