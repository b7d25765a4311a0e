package transport

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/credential"
	"github.com/banklink/banklink-go/internal/errs"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	secretAccess  = "ACCESS-canary-7f3a9"
	secretRefresh = "REFRESH-canary-1b2c8"
	secretAPIKey  = "APIKEY-canary-55d0e"
)

// staticSource hands out fixed tokens and counts its calls.
type staticSource struct{ refreshes, logins atomic.Int32 }

func (s *staticSource) Refresh(context.Context, *credential.Token) (*credential.Token, error) {
	s.refreshes.Add(1)
	return &credential.Token{Access: secretAccess + "-2", Refresh: secretRefresh}, nil
}

func (s *staticSource) Login(context.Context) (*credential.Token, error) {
	s.logins.Add(1)
	return &credential.Token{Access: secretAccess, Refresh: secretRefresh}, nil
}

// statusError is the test decoder's error.
type statusError struct{ status int }

func (e *statusError) Error() string { return fmt.Sprintf("status %d", e.status) }
func (e *statusError) Is(target error) bool {
	return target == errs.ForStatus(e.status)
}

func decodeStatus(r *Response) error {
	if r.StatusCode >= 300 {
		return &statusError{r.StatusCode}
	}
	return nil
}

func newTransport(t *testing.T, base string, cfg Config, s banklink.Options) (*Transport, *staticSource) {
	t.Helper()
	s.BaseURL = base
	if s.Retry == (banklink.RetryPolicy{}) {
		s.Retry = banklink.RetryPolicy{MaxRetries: 2, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond}
	}
	if cfg.Provider == "" {
		cfg.Provider = "test"
	}
	if cfg.Rejected == nil {
		cfg.Rejected = func(err error) bool { return errors.Is(err, errs.ErrUnauthorized) }
	}
	tr, err := New(cfg, s)
	require.NoError(t, err)
	src := &staticSource{}
	tr.SetTokens(credential.NewCache(src, credential.Policy{}, s.Logger, cfg.Provider))
	t.Cleanup(tr.CloseIdleConnections)
	return tr, src
}

func server(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

var credentialHeaders = []string{"Authorization", "Api-Key", "Tenantname", "X-Access-Token", "X-Refresh-Token"}

// Every auth scheme, redirected to another host with every redirect
// status: the other host receives nothing at all.
func TestCrossHostRedirectCarriesNoCredentials(t *testing.T) {
	schemes := map[string]Config{
		"bearer":      {Scheme: SchemeBearer},
		"api-key":     {Scheme: SchemeBearer, SecretHeaders: http.Header{"Api-Key": {secretAPIKey}, "Tenantname": {"JANUS"}}},
		"header pair": {Scheme: SchemeHeaderPair},
	}
	for name, cfg := range schemes {
		for _, status := range []int{301, 302, 303, 307, 308} {
			t.Run(fmt.Sprintf("%s/%d", name, status), func(t *testing.T) {
				var evilHits atomic.Int32
				var leaked atomic.Value
				evil := server(t, func(w http.ResponseWriter, r *http.Request) {
					evilHits.Add(1)
					for _, h := range credentialHeaders {
						if r.Header.Get(h) != "" {
							leaked.Store(h)
						}
					}
				})
				origin := server(t, func(w http.ResponseWriter, r *http.Request) {
					http.Redirect(w, r, evil.URL+"/steal", status)
				})
				tr, _ := newTransport(t, origin.URL, cfg, banklink.Options{})
				err := tr.Do(context.Background(), &Op{Method: "POST", Path: "x/", Body: []byte(`{"password":"` + secretAPIKey + `"}`), Auth: true, Idempotent: true}, decodeStatus)
				require.ErrorIs(t, err, errs.ErrRedirectRefused)
				assert.Zero(t, evilHits.Load(), "the other host got a request")
				assert.Nil(t, leaked.Load())
				assert.NotContains(t, err.Error(), secretAPIKey)
			})
		}
	}
}

func TestSameOriginRedirectKeepsCredentials(t *testing.T) {
	var got string
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/old/" {
			http.Redirect(w, r, "/new/", http.StatusTemporaryRedirect)
			return
		}
		got = r.Header.Get("Authorization")
	})
	tr, _ := newTransport(t, srv.URL, Config{Scheme: SchemeBearer}, banklink.Options{})
	require.NoError(t, tr.Do(context.Background(), &Op{Method: "GET", Path: "old/", Auth: true}, decodeStatus))
	assert.Equal(t, "Bearer "+secretAccess, got)
}

func TestStaticHeadersOnEveryCallTokensOnlyOnAuthCalls(t *testing.T) {
	var seen []http.Header
	srv := server(t, func(w http.ResponseWriter, r *http.Request) { seen = append(seen, r.Header.Clone()) })
	tr, _ := newTransport(t, srv.URL, Config{Scheme: SchemeBearer, SecretHeaders: http.Header{"Api-Key": {secretAPIKey}, "Tenantname": {"JANUS"}}}, banklink.Options{})
	ctx := context.Background()
	require.NoError(t, tr.Do(ctx, &Op{Method: "POST", Path: "/auth/oauth/token"}, decodeStatus))
	require.NoError(t, tr.Do(ctx, &Op{Method: "GET", Path: "/auth/api/myinfo", Auth: true}, decodeStatus))
	require.Len(t, seen, 2)
	for _, h := range seen {
		assert.Equal(t, secretAPIKey, h.Get("Api-Key"))
		assert.Equal(t, "JANUS", h.Get("Tenantname"))
	}
	assert.Empty(t, seen[0].Get("Authorization"), "token endpoints go without the session token")
	assert.Equal(t, "Bearer "+secretAccess, seen[1].Get("Authorization"))
}

func TestHeaderPairIsSentAndRotatedFromAnyResponse(t *testing.T) {
	var calls atomic.Int32
	var sent [][2]string
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		sent = append(sent, [2]string{r.Header.Get("X-Access-Token"), r.Header.Get("X-Refresh-Token")})
		if calls.Add(1) == 1 {
			w.Header().Set("X-Access-Token", "rotated-access-000000000000")
			w.Header().Set("X-Refresh-Token", "rotated-refresh-00000000000")
			w.WriteHeader(400)
			io.WriteString(w, `{"status":false,"message":"bad input"}`)
		}
	})
	tr, _ := newTransport(t, srv.URL, Config{Scheme: SchemeHeaderPair}, banklink.Options{})
	ctx := context.Background()
	require.Error(t, tr.Do(ctx, &Op{Method: "POST", Path: "a", Auth: true}, decodeStatus))
	require.NoError(t, tr.Do(ctx, &Op{Method: "POST", Path: "a", Auth: true}, decodeStatus))
	assert.Equal(t, [2]string{secretAccess, secretRefresh}, sent[0])
	assert.Equal(t, [2]string{"rotated-access-000000000000", "rotated-refresh-00000000000"}, sent[1], "the pair from the 400 was taken")
}

func TestLateAnswerNeverBringsBackAReplacedPair(t *testing.T) {
	tokens := credential.NewCache(&staticSource{}, credential.Policy{}, nil, "t")
	p1 := &credential.Token{Access: "a1", Refresh: "r1"}
	p2 := &credential.Token{Access: "a2", Refresh: "r2"}
	tokens.Store(p2) // a refresh replaced p1 while a request with p1 was in flight
	rotate(context.Background(), tokens, p1, http.Header{"X-Access-Token": {"a1b"}, "X-Refresh-Token": {"r1b"}})
	assert.Same(t, p2, tokens.Current())

	rotate(context.Background(), tokens, p2, http.Header{"X-Access-Token": {"a3"}})
	assert.Same(t, p2, tokens.Current(), "half a pair is ignored")
	rotate(context.Background(), tokens, p2, http.Header{"X-Access-Token": {"a3"}, "X-Refresh-Token": {"r3"}})
	assert.Equal(t, "a3", tokens.Current().Access)
	assert.Equal(t, "r3", tokens.Current().Refresh)
}

func TestSecretHeadersOnlyToTheOrigin(t *testing.T) {
	var got string
	srv := server(t, func(w http.ResponseWriter, r *http.Request) { got = r.Header.Get("X-Refresh-Token") })
	tr, _ := newTransport(t, srv.URL, Config{Scheme: SchemeHeaderPair}, banklink.Options{})
	require.NoError(t, tr.Do(context.Background(), &Op{Method: "POST", Path: "auth/refresh/token", SecretHeaders: map[string][]string{"X-Refresh-Token": {"r-9"}}}, decodeStatus))
	assert.Equal(t, "r-9", got)
}

func TestRefusedTokenIsRenewedAndReplayedOnce(t *testing.T) {
	var auths []string
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		auths = append(auths, r.Header.Get("Authorization"))
		if r.Header.Get("Authorization") != "Bearer "+secretAccess+"-2" {
			w.WriteHeader(401)
		}
	})
	tr, src := newTransport(t, srv.URL, Config{Scheme: SchemeBearer}, banklink.Options{})
	// A non-idempotent call is replayed too: the 401 says it was not processed.
	require.NoError(t, tr.Do(context.Background(), &Op{Method: "POST", Path: "a", Auth: true}, decodeStatus))
	assert.Equal(t, []string{"Bearer " + secretAccess, "Bearer " + secretAccess + "-2"}, auths)
	assert.Equal(t, int32(1), src.refreshes.Load())

	// Refused again after the renewal: one replay only, then the error.
	var n atomic.Int32
	always401 := server(t, func(w http.ResponseWriter, r *http.Request) { n.Add(1); w.WriteHeader(401) })
	tr2, src2 := newTransport(t, always401.URL, Config{Scheme: SchemeBearer}, banklink.Options{})
	err := tr2.Do(context.Background(), &Op{Method: "GET", Path: "a", Auth: true}, decodeStatus)
	require.ErrorIs(t, err, errs.ErrUnauthorized)
	assert.Equal(t, int32(2), n.Load())
	assert.Equal(t, int32(1), src2.refreshes.Load()+src2.logins.Load()-1, "one login, one renewal")
}

func TestNonIdempotentIsNeverResentOnceItMayHaveArrived(t *testing.T) {
	cases := []struct {
		name   string
		handle func(w http.ResponseWriter, r *http.Request)
		want   int32
	}{
		{"503", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(503) }, 1},
		{"500", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) }, 1},
		{"504", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(504) }, 1},
		{"connection dropped", dropConnection, 1},
		{"429 is refused unprocessed", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(429) }, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var n atomic.Int32
			srv := server(t, func(w http.ResponseWriter, r *http.Request) { n.Add(1); tc.handle(w, r) })
			tr, _ := newTransport(t, srv.URL, Config{}, banklink.Options{})
			err := tr.Do(context.Background(), &Op{Method: "POST", Path: "register/", Body: []byte(`{}`)}, decodeStatus)
			require.Error(t, err)
			assert.Equal(t, tc.want, n.Load())
		})
	}
}

func TestIdempotentIsRetriedAfterDropsAndCutBodies(t *testing.T) {
	var n atomic.Int32
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) {
		case 1:
			dropConnection(w, r)
		case 2: // headers and half a body, then the connection dies
			w.Header().Set("Content-Length", "100")
			w.WriteHeader(200)
			io.WriteString(w, `{"half":`)
			w.(http.Flusher).Flush()
			dropConnection(w, r)
		default:
			io.WriteString(w, `{}`)
		}
	})
	tr, _ := newTransport(t, srv.URL, Config{}, banklink.Options{})
	require.NoError(t, tr.Do(context.Background(), &Op{Method: "POST", Path: "q", Idempotent: true}, decodeStatus))
	assert.Equal(t, int32(3), n.Load())
}

func TestDialFailureIsRetriedEvenForNonIdempotent(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now

	tr, _ := newTransport(t, "http://"+addr, Config{}, banklink.Options{})
	err = tr.Do(context.Background(), &Op{Method: "POST", Path: "register/", Query: map[string][]string{"token": {secretAccess}}}, decodeStatus)
	var rx *errs.RetriesExhaustedError
	require.ErrorAs(t, err, &rx)
	assert.Equal(t, 3, rx.Attempts, "a refused connection never reached the server")
	assert.NotContains(t, err.Error(), secretAccess, "the query string is stripped from errors")
}

func TestResponseBodyLimit(t *testing.T) {
	big := strings.Repeat("x", 2048)
	for _, chunked := range []bool{false, true} {
		srv := server(t, func(w http.ResponseWriter, r *http.Request) {
			if chunked {
				w.(http.Flusher).Flush()
			}
			io.WriteString(w, big)
		})
		tr, _ := newTransport(t, srv.URL, Config{}, banklink.Options{MaxResponseBytes: 1024})
		err := tr.Do(context.Background(), &Op{Method: "GET", Path: "big", Idempotent: true}, decodeStatus)
		require.ErrorIs(t, err, errs.ErrResponseTooLarge, "chunked=%v", chunked)
	}
}

func TestPerAttemptTimeoutIsRetried(t *testing.T) {
	var n atomic.Int32
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			select {
			case <-r.Context().Done():
			case <-time.After(30 * time.Second):
			}
			return
		}
	})
	tr, _ := newTransport(t, srv.URL, Config{}, banklink.Options{Timeout: time.Second})
	require.NoError(t, tr.Do(context.Background(), &Op{Method: "GET", Path: "slow", Idempotent: true}, decodeStatus))
	assert.Equal(t, int32(2), n.Load())
}

func TestStalledBodyIsCutOffAndRetried(t *testing.T) {
	var n atomic.Int32
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Content-Length", "100")
			io.WriteString(w, `{"slow":`)
			w.(http.Flusher).Flush()
			select {
			case <-r.Context().Done():
			case <-time.After(30 * time.Second):
			}
			return
		}
		io.WriteString(w, `{}`)
	})
	tr, _ := newTransport(t, srv.URL, Config{}, banklink.Options{Timeout: time.Second})
	start := time.Now()
	require.NoError(t, tr.Do(context.Background(), &Op{Method: "GET", Path: "slow", Idempotent: true}, decodeStatus))
	assert.Equal(t, int32(2), n.Load())
	assert.Less(t, time.Since(start), 20*time.Second)

	// Not idempotent: the stall is reported, not retried.
	n.Store(0)
	err := tr.Do(context.Background(), &Op{Method: "POST", Path: "slow"}, decodeStatus)
	require.ErrorIs(t, err, os.ErrDeadlineExceeded)
	assert.Equal(t, int32(1), n.Load())
}

func TestCancellingAnInFlightRequestReturnsAtOnce(t *testing.T) {
	arrived := make(chan struct{})
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		close(arrived)
		<-r.Context().Done() // never answers
	})
	tr, _ := newTransport(t, srv.URL, Config{}, banklink.Options{Timeout: time.Minute})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-arrived
		cancel()
	}()
	start := time.Now()
	err := tr.Do(ctx, &Op{Method: "GET", Path: "hang", Idempotent: true}, decodeStatus)
	require.ErrorIs(t, err, context.Canceled)
	assert.Less(t, time.Since(start), 5*time.Second)
}

func TestCancellingWhileWaitingForARefreshReturnsAtOnce(t *testing.T) {
	release := make(chan struct{})
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {})
	tr, _ := newTransport(t, srv.URL, Config{Scheme: SchemeBearer}, banklink.Options{})
	tr.SetTokens(credential.NewCache(blockingSource{release}, credential.Policy{}, nil, "t"))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := tr.Do(ctx, &Op{Method: "GET", Path: "x", Auth: true, Idempotent: true}, decodeStatus)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	close(release)
}

// blockingSource logs in only once released.
type blockingSource struct{ release chan struct{} }

func (b blockingSource) Refresh(context.Context, *credential.Token) (*credential.Token, error) {
	return nil, errors.New("no refresh")
}

func (b blockingSource) Login(ctx context.Context) (*credential.Token, error) {
	select {
	case <-b.release:
		return &credential.Token{Access: "a"}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Connections are reused across successes, error answers and retries:
// every body is read to its end (within the limit) and closed.
func TestConnectionsAreReusedOnEveryPath(t *testing.T) {
	var n, conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) % 4 {
		case 1:
			w.WriteHeader(400)
			io.WriteString(w, `{"detail":"bad"}`)
		case 2:
			w.WriteHeader(503) // retried
			io.WriteString(w, strings.Repeat("x", 2000))
		default:
			io.WriteString(w, `{"ok":true}`)
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	tr, _ := newTransport(t, srv.URL, Config{Scheme: SchemeBearer}, banklink.Options{})
	for range 40 {
		_ = tr.Do(context.Background(), &Op{Method: "GET", Path: "x", Auth: true}, decodeStatus)
	}
	assert.Equal(t, int32(1), conns.Load(), "one connection for every call")
	assert.GreaterOrEqual(t, n.Load(), int32(40))
}

// slowReader yields n chunks, pausing before each.
type slowReader struct {
	n     int
	pause time.Duration
}

func (s *slowReader) Read(p []byte) (int, error) {
	if s.n == 0 {
		return 0, io.EOF
	}
	time.Sleep(s.pause)
	s.n--
	return copy(p, "chunk"), nil
}

// A streamed upload ends when no byte has moved for the timeout, never
// because it takes long; the call timeout does not cut it either.
func TestALongUploadIsNotCutOffByTheTimeout(t *testing.T) {
	var got atomic.Int64
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		got.Store(n)
		io.WriteString(w, `{}`)
	})
	// Each pause is a twentieth of the timeout (margin for a loaded
	// machine); together they last half as long again as the timeout.
	tr, _ := newTransport(t, srv.URL, Config{}, banklink.Options{Timeout: 500 * time.Millisecond, CallTimeout: 600 * time.Millisecond})
	err := tr.Do(context.Background(), &Op{Method: "POST", Path: "upload", NoRetry: true,
		BodyFunc: func() (io.Reader, error) { return &slowReader{n: 30, pause: 25 * time.Millisecond}, nil }}, decodeStatus)
	require.NoError(t, err, "750ms of upload under a 500ms timeout and a 600ms call timeout")
	assert.Equal(t, int64(150), got.Load())
}

func TestRetryAfterAsHTTPDate(t *testing.T) {
	var n atomic.Int32
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.Header().Set("Retry-After", time.Now().Add(-time.Second).UTC().Format(http.TimeFormat))
			w.WriteHeader(503)
		}
	})
	tr, _ := newTransport(t, srv.URL, Config{}, banklink.Options{})
	require.NoError(t, tr.Do(context.Background(), &Op{Method: "GET", Path: "x", Idempotent: true}, decodeStatus))
	assert.Equal(t, int32(2), n.Load())

	d, ok := retryAfter(http.Header{"Retry-After": {time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)}}, time.Now())
	require.True(t, ok)
	assert.InDelta(t, 90, d.Seconds(), 2)
	_, ok = retryAfter(http.Header{"Retry-After": {"soon"}}, time.Now())
	assert.False(t, ok)
}

func TestLoggingIsQuietByDefaultAndNeverPrintsSecrets(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	var n atomic.Int32
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			w.WriteHeader(503)
			io.WriteString(w, "token "+secretAccess)
			return
		}
		w.WriteHeader(401)
		io.WriteString(w, `{"detail":"`+secretRefresh+`"}`)
	})
	tr, _ := newTransport(t, srv.URL, Config{Scheme: SchemeBearer, SecretHeaders: http.Header{"Api-Key": {secretAPIKey}}, Secrets: []string{secretAPIKey}}, banklink.Options{Logger: log})
	_ = tr.Do(context.Background(), &Op{Name: "probe", Method: "GET", Path: "p", Query: map[string][]string{"token": {secretAccess}}, Auth: true, Idempotent: true}, decodeStatus)
	out := buf.String()
	assert.Contains(t, out, "banklink: http attempt")
	assert.Contains(t, out, "op=probe")
	for _, s := range []string{secretAccess, secretRefresh, secretAPIKey} {
		assert.NotContains(t, out, s)
	}
}

func TestDefaultTransportRequiresTLS12(t *testing.T) {
	assert.Equal(t, uint16(tls.VersionTLS12), sharedTransport().next.(*http.Transport).TLSClientConfig.MinVersion)
}

// Clients without a RoundTripper of their own share one pool: a thousand
// clients of one host never hold a thousand pools of connections.
func TestDefaultClientsShareOnePool(t *testing.T) {
	a, err := New(Config{Provider: "a"}, banklink.Options{BaseURL: "https://a.example/", Timeout: time.Second})
	require.NoError(t, err)
	b, err := New(Config{Provider: "b"}, banklink.Options{BaseURL: "https://b.example/", Timeout: time.Minute})
	require.NoError(t, err)
	pool := func(t *Transport) http.RoundTripper { return t.rt.next }
	assert.Same(t, pool(a), pool(b))
	assert.Same(t, sharedTransport(), pool(a))

	own := &http.Transport{}
	c, err := New(Config{Provider: "c"}, banklink.Options{BaseURL: "https://c.example/", Transport: own})
	require.NoError(t, err)
	assert.Same(t, own, pool(c), "a caller's RoundTripper is kept")
}

func TestBaseURLChecks(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://api.example.com":        true,
		"https://api.example.com/v1":     true,
		"http://127.0.0.1:9000":          true,
		"http://localhost":               true,
		"http://api.example.com":         false,
		"ftp://api.example.com":          false,
		"https://":                       false,
		"https://u:p@api.example.com":    false,
		"https://api.example.com/?a=b":   false,
		"":                               false,
		"http://154.113.16.142:8882/x/y": false,
	} {
		u, err := parseBaseURL(raw, false)
		if ok {
			require.NoError(t, err, raw)
			assert.True(t, strings.HasSuffix(u.Path, "/"))
		} else {
			assert.Error(t, err, raw)
		}
	}
	_, err := parseBaseURL("http://154.113.16.142:8882/postingrest", true)
	assert.NoError(t, err)
}

func TestBackoffIsCappedAndJittered(t *testing.T) {
	p := withDefaults(policy{MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second})
	seen := map[time.Duration]bool{}
	for n := 1; n <= 40; n++ {
		d := p.backoff(n)
		assert.GreaterOrEqual(t, d, 50*time.Millisecond)
		assert.LessOrEqual(t, d, time.Second)
		seen[d] = true
	}
	assert.Greater(t, len(seen), 5, "waits are jittered")
	assert.LessOrEqual(t, p.backoff(1), 100*time.Millisecond)
}

func dropConnection(w http.ResponseWriter, _ *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		conn.Close()
	}
}

func (*staticSource) LoginKind() credential.LoginKind  { return credential.LoginUnattended }
func (blockingSource) LoginKind() credential.LoginKind { return credential.LoginUnattended }
