package transport

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/credential"
	"github.com/banklink/banklink-go/internal/errs"
)

// roundTripFunc is a RoundTripper from a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// lateBody yields more than the limit, but only once the attempt's
// context is done: the read ends "too large" after the timer fired.
type lateBody struct {
	ctx  context.Context
	rest *strings.Reader
}

func (b *lateBody) Read(p []byte) (int, error) {
	if b.rest == nil {
		<-b.ctx.Done()
		b.rest = strings.NewReader(strings.Repeat("x", 2048))
	}
	return b.rest.Read(p)
}
func (b *lateBody) Close() error { return nil }

// Regression (#11.1): a body over the limit was reported as a timeout,
// and retried, whenever the attempt's timer fired during the read. Only
// an error the cancellation caused may become a timeout.
func TestTooLargeBodyStaysTooLargeWhenTheTimerFires(t *testing.T) {
	var n atomic.Int32
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		if n.Add(1) > 1 {
			return &http.Response{StatusCode: 200, Header: http.Header{}, Body: io.NopCloser(strings.NewReader("{}")), Request: r}, nil
		}
		return &http.Response{StatusCode: 200, Header: http.Header{}, ContentLength: -1, Body: &lateBody{ctx: r.Context()}, Request: r}, nil
	})
	tr, _ := newTransport(t, "http://127.0.0.1:1", Config{}, banklink.Options{Transport: rt, Timeout: 20 * time.Millisecond, MaxResponseBytes: 1024})
	err := tr.Do(context.Background(), &Op{Name: "big", Method: "GET", Path: "big"}, decodeStatus)
	require.ErrorIs(t, err, errs.ErrResponseTooLarge)
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, int32(1), n.Load(), "a body over the limit is not retried")
}

// Regression (#11.3): with no deadline on the caller's context, a server
// that accepts and never answers ended only after every attempt's
// timeout and every backoff. The call timeout bounds them together.
func TestCallTimeoutBoundsAllAttempts(t *testing.T) {
	release := make(chan struct{})
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	tr, _ := newTransport(t, srv.URL, Config{Provider: "dfcu"}, banklink.Options{Timeout: time.Hour, CallTimeout: 200 * time.Millisecond})
	err := tr.Do(context.Background(), &Op{Name: "loans", Method: "GET", Path: "loans/1/"}, decodeStatus)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.ErrorIs(t, err, errs.ErrUnavailable)
	var ce *errs.CallError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, 1, ce.Attempts)
	assert.True(t, ce.Timeout())
	assert.Equal(t, "dfcu loans: GET /loans/1/: no answer after 1 attempt: the call took longer than 200ms (call timeout)", err.Error())

	def, err := New(Config{Provider: "x"}, banklink.Options{BaseURL: srv.URL})
	require.NoError(t, err)
	assert.Equal(t, DefaultCallTimeout, def.callTimeout)
	assert.Equal(t, 60*time.Second, DefaultCallTimeout)
}

// Regression (#11.2): the caller's deadline and cancellation name the
// call and still match the context's errors.
func TestCallersDeadlineNamesTheCall(t *testing.T) {
	arrived := make(chan struct{}, 1)
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done()
	})
	tr, _ := newTransport(t, srv.URL, Config{Provider: "fintiv"}, banklink.Options{Timeout: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	err := tr.Do(ctx, &Op{Name: "me", Method: "GET", Path: "users/me"}, decodeStatus)
	require.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, errs.ErrUnavailable, "the caller's own cancellation is not an outage")
	assert.Equal(t, "fintiv me: GET /users/me: cancelled after 1 attempt: context canceled", err.Error())
}

// Regression (#11.3): a 101 reaching the client was taken for an answer
// and its body, a raw connection, read until the timeout.
func TestSwitchingProtocolsIsAnErrorAndItsBodyIsNeverRead(t *testing.T) {
	var n atomic.Int32
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		conn, buf, err := w.(http.Hijacker).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: Upgrade\r\n\r\npartial")
		buf.Flush()
		io.Copy(io.Discard, conn) // until the client lets go
	})
	tr, _ := newTransport(t, srv.URL, Config{}, banklink.Options{Timeout: time.Hour})
	err := tr.Do(context.Background(), &Op{Name: "x", Method: "GET", Path: "x"}, decodeStatus)
	require.ErrorIs(t, err, errs.ErrServerError)
	assert.Contains(t, err.Error(), "101 Switching Protocols")
	assert.Equal(t, int32(1), n.Load(), "not retried")
}

// Regression (#11.3): an upload answered early with a partial body, then
// stalled, hung: the old watch started only once the body was sent,
// which never happened. No byte moving for the timeout ends the attempt.
func TestEarlyAnswerThenStallCutsAnUpload(t *testing.T) {
	release := make(chan struct{})
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100")
		io.WriteString(w, `{"partial":`)
		w.(http.Flusher).Flush()
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	defer close(release)
	tr, _ := newTransport(t, srv.URL, Config{}, banklink.Options{Timeout: 100 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second) // the test's own bound
	defer cancel()
	pr, pw := io.Pipe()
	defer pw.Close()
	err := tr.Do(ctx, &Op{Name: "upload", Method: "POST", Path: "upload", NoRetry: true,
		BodyFunc: func() (io.Reader, error) { return pr, nil }}, decodeStatus) // a body that never ends
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	assert.Contains(t, err.Error(), "stall timeout")
	require.NoError(t, ctx.Err(), "cut by the stall timeout, not by the test's bound")
}

// Regression (#11.5): redirect hops were counted as attempts, so a
// redirect doubled the backoff and the attempts reported.
func TestRedirectHopsAreNotAttempts(t *testing.T) {
	var a, b atomic.Int32
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/a" {
			a.Add(1)
			http.Redirect(w, r, "/b", http.StatusFound)
			return
		}
		b.Add(1)
		w.WriteHeader(503)
	})
	tr, _ := newTransport(t, srv.URL, Config{}, banklink.Options{}) // 2 retries
	err := tr.Do(context.Background(), &Op{Name: "x", Method: "GET", Path: "a"}, decodeStatus)
	var rx *errs.RetriesExhaustedError
	require.ErrorAs(t, err, &rx)
	assert.Equal(t, 3, rx.Attempts, "three attempts, each with its redirect")
	assert.Equal(t, int32(3), a.Load())
	assert.Equal(t, int32(3), b.Load())
}

// Regression (#11.4): plain http to a loopback name net/http does not
// exempt ("api.localhost", in any case) went through HTTP_PROXY, password
// and all, in clear. The environment proxy is read once per process, so
// the client runs in a child process with the variable set.
func TestPlainHTTPNeverGoesThroughAProxy(t *testing.T) {
	if os.Getenv("BANKLINK_PROXY_CHILD") == "1" {
		tr, _ := newTransport(t, "http://api.localhost:1/", Config{}, banklink.Options{Retry: banklink.RetryPolicy{MaxRetries: -1}})
		_ = tr.Do(context.Background(), &Op{Name: "x", Method: "POST", Path: "token/", Body: []byte(`{"password":"p"}`)}, decodeStatus)
		return
	}
	var proxied atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { proxied.Add(1) }))
	defer proxy.Close()
	cmd := exec.Command(os.Args[0], "-test.run=^TestPlainHTTPNeverGoesThroughAProxy$", "-test.count=1")
	cmd.Env = append(os.Environ(), "BANKLINK_PROXY_CHILD=1", "HTTP_PROXY="+proxy.URL, "http_proxy="+proxy.URL, "NO_PROXY=", "no_proxy=")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, int32(0), proxied.Load(), "the proxy saw the request")

	req, _ := http.NewRequest("GET", "https://api.example.com/", nil)
	_, err = proxyForTLSOnly(req) // https still honours the environment
	assert.NoError(t, err)
}

func TestLoopbackNamesInAnyCase(t *testing.T) {
	for _, raw := range []string{"http://API.LocalHost:8080", "http://LOCALHOST", "http://localhost.:9"} {
		_, err := parseBaseURL(raw, false)
		assert.NoError(t, err, raw)
	}
}

// Regression (#11.4): values bound for headers or the path reach the
// wire only as values: CR, LF and dot segments are refused before sending.
func TestStructureInValuesIsRefusedBeforeSending(t *testing.T) {
	var n atomic.Int32
	srv := server(t, func(w http.ResponseWriter, r *http.Request) { n.Add(1) })
	tr, _ := newTransport(t, srv.URL, Config{}, banklink.Options{})
	for name, op := range map[string]*Op{
		"content type": {Method: "POST", Path: "x", Body: []byte("{}"), ContentType: "application/json\r\nX-Evil: 1"},
		"secret":       {Method: "POST", Path: "x", SecretHeaders: map[string][]string{"X-Refresh-Token": {"a\nb"}}},
		"path CRLF":    {Method: "GET", Path: "x\r\nHost: evil"},
		"path dots":    {Method: "GET", Path: "loans/../admin"},
		"method":       {Method: "GET /x HTTP/1.1\r\n", Path: "x"},
	} {
		err := tr.Do(context.Background(), op, decodeStatus)
		require.ErrorIs(t, err, errs.ErrInvalidRequest, name)
		var ce *errs.CallError
		require.ErrorAs(t, err, &ce, name)
		assert.Zero(t, ce.Attempts, name)
	}
	assert.Zero(t, n.Load(), "nothing was sent")
}

// A refused connection is an outage with the call's name, never a bare
// net error; it unwraps to the cause.
func TestRefusedConnectionIsUnavailable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close()
	tr, _ := newTransport(t, base, Config{Provider: "dfcu"}, banklink.Options{})
	err := tr.Do(context.Background(), &Op{Name: "token", Method: "POST", Path: "token/", Body: []byte("{}")}, decodeStatus)
	require.ErrorIs(t, err, errs.ErrUnavailable)
	assert.NotErrorIs(t, err, errs.ErrUnauthorized)
	assert.True(t, strings.HasPrefix(err.Error(), "gave up after 3 attempts: dfcu token: POST /token/: no answer after 3 attempts: "), err.Error())
}

// gatedRefresh refreshes only once released.
type gatedRefresh struct{ release chan struct{} }

func (g gatedRefresh) Refresh(context.Context, *credential.Token) (*credential.Token, error) {
	<-g.release
	return &credential.Token{Access: "new"}, nil
}
func (g gatedRefresh) Login(context.Context) (*credential.Token, error) {
	return &credential.Token{Access: "old", Refresh: "r"}, nil
}

// Regression (#11.2): a caller whose deadline passed while it waited for
// the renewal of a refused token got a bare context error.
func TestGivingUpOnARenewalNamesTheCall(t *testing.T) {
	srv := server(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(401) })
	tr, _ := newTransport(t, srv.URL, Config{Provider: "dfcu", Scheme: SchemeBearer}, banklink.Options{})
	g := gatedRefresh{release: make(chan struct{})}
	defer close(g.release)
	tr.SetTokens(credential.NewCache(g, credential.Policy{}, nil, "dfcu"))
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	err := tr.Do(ctx, &Op{Name: "loans", Method: "POST", Path: "api/accounts/loans/", Auth: true}, decodeStatus)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	var ce *errs.CallError
	require.ErrorAs(t, err, &ce)
	assert.Equal(t, "loans", ce.Op)
	assert.Equal(t, "/api/accounts/loans/", ce.Path)
}
func (gatedRefresh) LoginKind() credential.LoginKind { return credential.LoginUnattended }

// A bodiless request goes out framed as net/http frames one made by hand
// with a nil body: a POST says Content-Length: 0 (servers behind some
// proxies answer 411 without it), a GET says nothing, neither is chunked.
func TestABodilessRequestIsFramedAsByHand(t *testing.T) {
	type framing struct {
		length  string
		chunked bool
	}
	got := make(chan framing, 1)
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		got <- framing{r.Header.Get("Content-Length"), len(r.TransferEncoding) > 0}
	})
	tr, _ := newTransport(t, srv.URL, Config{}, banklink.Options{})
	for method, want := range map[string]framing{http.MethodPost: {length: "0"}, http.MethodGet: {}} {
		require.NoError(t, tr.Do(context.Background(), &Op{Name: "x", Method: method, Path: "x"}, decodeStatus))
		assert.Equal(t, want, <-got, method)
	}
}

// An answer read in full is the call's outcome, even when the context
// ends before the loop looks at it: a payment that went through is not
// reported as cancelled or timed out (a caller would send it again).
func TestAnAnswerInHandOutlivesTheContextEndingAfterIt(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
		cancel() // the caller gives up just as the answer arrives
		return &http.Response{StatusCode: http.StatusCreated, Body: io.NopCloser(strings.NewReader(`{"id":7}`)),
			Header: http.Header{}, Request: r}, nil
	})
	tr, _ := newTransport(t, "https://api.example.com", Config{}, banklink.Options{Transport: rt})
	var body string
	err := tr.Do(ctx, &Op{Name: "pay", Method: http.MethodPost, Path: "pay", Body: []byte(`{}`)}, func(r *Response) error {
		body = string(r.Body)
		return decodeStatus(r)
	})
	require.NoError(t, err)
	assert.Equal(t, `{"id":7}`, body)
}
