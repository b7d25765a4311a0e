package transport

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/callopt"
	"github.com/banklink/banklink-go/internal/credential"
	"github.com/banklink/banklink-go/internal/errs"
)

// The caller's headers and idempotency key go out; the SDK's own
// headers and the credentials cannot be replaced by them.
func TestCallOptionsHeaders(t *testing.T) {
	var got atomic.Value
	srv := server(t, func(w http.ResponseWriter, r *http.Request) { got.Store(r.Header.Clone()) })
	tr, _ := newTransport(t, srv.URL, Config{Scheme: SchemeBearer}, banklink.Options{})
	ctx := banklink.WithCallOptions(context.Background(), banklink.CallOptions{
		Header:         http.Header{"x-trace": {"t-1"}, "User-Agent": {"evil"}, "Authorization": {"Bearer stolen"}},
		IdempotencyKey: "pay-42",
	})
	require.NoError(t, tr.Do(ctx, &Op{Name: "x", Method: http.MethodPost, Path: "x", Auth: true}, decodeStatus))
	h := got.Load().(http.Header)
	assert.Equal(t, "t-1", h.Get("X-Trace"))
	assert.Equal(t, "pay-42", h.Get("Idempotency-Key"))
	assert.Contains(t, h.Get("User-Agent"), "banklink-go/")
	assert.Equal(t, "Bearer "+secretAccess, h.Get("Authorization"))

	// Without the options, nothing of them.
	require.NoError(t, tr.Do(context.Background(), &Op{Name: "x", Method: http.MethodPost, Path: "x"}, decodeStatus))
	h = got.Load().(http.Header)
	assert.Empty(t, h.Get("Idempotency-Key"))
	assert.Empty(t, h.Get("X-Trace"))
}

func TestCallOptionsRefuseHeaderInjection(t *testing.T) {
	var hits atomic.Int32
	srv := server(t, func(http.ResponseWriter, *http.Request) { hits.Add(1) })
	tr, _ := newTransport(t, srv.URL, Config{}, banklink.Options{})
	for _, o := range []banklink.CallOptions{
		{Header: http.Header{"X-A": {"v\r\nX-Evil: 1"}}},
		{Header: http.Header{"X A": {"v"}}},
		{IdempotencyKey: "k\n"},
	} {
		err := tr.Do(banklink.WithCallOptions(context.Background(), o), &Op{Name: "x", Method: http.MethodGet, Path: "x"}, decodeStatus)
		require.ErrorIs(t, err, banklink.ErrInvalidRequest)
	}
	assert.Zero(t, hits.Load(), "refused before sending")
}

// A POST is not sent again after a 503 (it may have been processed),
// unless the caller gave it an idempotency key.
func TestIdempotencyKeyAllowsRetry(t *testing.T) {
	var hits atomic.Int32
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
	})
	tr, _ := newTransport(t, srv.URL, Config{}, banklink.Options{})
	op := &Op{Name: "pay", Method: http.MethodPost, Path: "pay", Body: []byte(`{}`)}
	require.Error(t, tr.Do(context.Background(), op, decodeStatus))
	assert.EqualValues(t, 1, hits.Load(), "without a key: sent once")

	hits.Store(0)
	ctx := banklink.WithCallOptions(context.Background(), banklink.CallOptions{IdempotencyKey: "pay-1"})
	require.NoError(t, tr.Do(ctx, op, decodeStatus))
	assert.EqualValues(t, 2, hits.Load(), "with a key: retried like an idempotent call")
}

func TestCallRetryPolicyReplacesTheClients(t *testing.T) {
	var hits atomic.Int32
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	tr, _ := newTransport(t, srv.URL, Config{}, banklink.Options{})
	op := &Op{Name: "get", Method: http.MethodGet, Path: "x"}
	ctx := banklink.WithCallOptions(context.Background(), banklink.CallOptions{Retry: &banklink.RetryPolicy{MaxRetries: -1}})
	require.Error(t, tr.Do(ctx, op, decodeStatus))
	assert.EqualValues(t, 1, hits.Load())
	hits.Store(0)
	require.Error(t, tr.Do(context.Background(), op, decodeStatus))
	assert.EqualValues(t, 3, hits.Load(), "the client's policy: 2 retries")
}

// The per-call timeout bounds the call: a server that never answers is
// cut off by it, not by the client's minute-long bounds.
func TestCallTimeoutPerCall(t *testing.T) {
	srv := server(t, func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
	tr, _ := newTransport(t, srv.URL, Config{}, banklink.Options{Timeout: time.Minute, CallTimeout: time.Minute})
	ctx := banklink.WithCallOptions(context.Background(), banklink.CallOptions{Timeout: 50 * time.Millisecond})
	err := tr.Do(ctx, &Op{Name: "slow", Method: http.MethodGet, Path: "x"}, decodeStatus)
	var ce *banklink.CallError
	require.ErrorAs(t, err, &ce)
	assert.ErrorIs(t, err, banklink.ErrUnavailable)
	assert.True(t, ce.Timeout())
}

func TestResponseCapture(t *testing.T) {
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req-9")
		w.Header().Set("X-Access-Token", "ROTATED-secret")
		w.Header().Set("X-Refresh-Token", "ROTATED-secret-2")
		w.Header().Set("X-Ratelimit-Remaining", "7")
		w.WriteHeader(http.StatusCreated)
	})
	tr, _ := newTransport(t, srv.URL, Config{Scheme: SchemeHeaderPair}, banklink.Options{})
	var resp banklink.ResponseInfo
	ctx := banklink.WithCallOptions(context.Background(), banklink.CallOptions{Capture: &resp})
	require.NoError(t, tr.Do(ctx, &Op{Name: "x", Method: http.MethodPost, Path: "things", Auth: true}, decodeStatus))
	assert.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.Equal(t, "req-9", resp.RequestID)
	assert.Equal(t, "7", resp.Header.Get("X-Ratelimit-Remaining"))
	assert.Empty(t, resp.Header.Get("X-Access-Token"), "credential headers never reach the caller")
	assert.Empty(t, resp.Header.Get("X-Refresh-Token"))
	assert.Equal(t, "/things", resp.Path)
	assert.Equal(t, 1, resp.Attempts)
}

// One type for an answer's metadata: a capture and the *banklink.Error of
// the same answer hold the same facts (the error without headers, the
// capture without the body's snippet).
func TestCaptureAndErrorShareOneMetadataType(t *testing.T) {
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Request-Id", "req-7")
		w.Header().Set("Retry-After", "3")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte("slow down"))
	})
	tr, _ := newTransport(t, srv.URL, Config{}, banklink.Options{Retry: banklink.RetryPolicy{MaxRetries: -1}})
	var captured banklink.ResponseInfo
	ctx := banklink.WithCallOptions(context.Background(), banklink.CallOptions{Capture: &captured})
	err := tr.Do(ctx, &Op{Name: "x", Method: http.MethodGet, Path: "things"}, func(r *Response) error {
		return r.Fail(errs.ErrRateLimited, "", "slow down")
	})
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, banklink.ResponseInfo{StatusCode: 429, Method: "GET", Path: "/things", RequestID: "req-7",
		Snippet: "slow down", RetryAfter: 3 * time.Second, Attempts: 1}, e.ResponseInfo)
	assert.Equal(t, "3", captured.Header.Get("Retry-After"))
	captured.Header = nil
	assert.Equal(t, banklink.ResponseInfo{StatusCode: 429, Method: "GET", Path: "/things", RequestID: "req-7",
		RetryAfter: 3 * time.Second, Attempts: 1}, captured)
}

// recordingSource records whether a renewal saw the caller's options.
type recordingSource struct{ sawOptions atomic.Bool }

func (s *recordingSource) Refresh(ctx context.Context, _ *credential.Token) (*credential.Token, error) {
	s.sawOptions.Store(callopt.From(ctx) != nil)
	return &credential.Token{Access: "a2", Refresh: "r2"}, nil
}

func (s *recordingSource) Login(ctx context.Context) (*credential.Token, error) {
	s.sawOptions.Store(callopt.From(ctx) != nil)
	return &credential.Token{Access: "a1", Refresh: "r1"}, nil
}

// A renewal the SDK runs for a call is not shaped by that call's
// options: its idempotency key, headers and timeout are the call's own.
func TestRenewalIgnoresCallOptions(t *testing.T) {
	srv := server(t, func(http.ResponseWriter, *http.Request) {})
	tr, _ := newTransport(t, srv.URL, Config{Scheme: SchemeBearer}, banklink.Options{})
	src := &recordingSource{}
	tr.SetTokens(credential.NewCache(src, credential.Policy{}, nil, "test"))
	ctx := banklink.WithCallOptions(context.Background(), banklink.CallOptions{IdempotencyKey: "k", Header: http.Header{"X-A": {"1"}}})
	require.NoError(t, tr.Do(ctx, &Op{Name: "x", Method: http.MethodGet, Path: "x", Auth: true}, decodeStatus))
	assert.False(t, src.sawOptions.Load(), "the login ran without the call's options")
}

func TestWithCallOptionsMerges(t *testing.T) {
	var got atomic.Value
	srv := server(t, func(w http.ResponseWriter, r *http.Request) { got.Store(r.Header.Clone()) })
	tr, _ := newTransport(t, srv.URL, Config{}, banklink.Options{})
	ctx := banklink.WithCallOptions(context.Background(), banklink.CallOptions{Header: http.Header{"X-A": {"1"}, "X-B": {"1"}}, IdempotencyKey: "k1"})
	ctx2 := banklink.WithCallOptions(ctx, banklink.CallOptions{Header: http.Header{"X-B": {"2"}}})
	require.NoError(t, tr.Do(ctx2, &Op{Name: "x", Method: http.MethodGet, Path: "x"}, decodeStatus))
	h := got.Load().(http.Header)
	assert.Equal(t, "1", h.Get("X-A"))
	assert.Equal(t, "2", h.Get("X-B"))
	assert.Equal(t, "k1", h.Get("Idempotency-Key"))
	// The parent context is unchanged.
	require.NoError(t, tr.Do(ctx, &Op{Name: "x", Method: http.MethodGet, Path: "x"}, decodeStatus))
	assert.Equal(t, "1", got.Load().(http.Header).Get("X-B"))
}

func (*recordingSource) LoginKind() credential.LoginKind { return credential.LoginUnattended }

// The decoder's embedded metadata never holds the raw headers (a rotated
// token pair among them): a provider that copies it into an error or a
// capture copies no credential.
func TestDecoderMetadataHoldsNoRawHeaders(t *testing.T) {
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Access-Token", "ROTATED-access")
		w.Header().Set("X-Refresh-Token", "ROTATED-refresh")
	})
	tr, _ := newTransport(t, srv.URL, Config{}, banklink.Options{})
	require.NoError(t, tr.Do(context.Background(), &Op{Name: "x", Method: http.MethodGet, Path: "p"}, func(r *Response) error {
		assert.Equal(t, "ROTATED-access", r.Header.Get("X-Access-Token"), "the decoder sees the answer's headers")
		assert.Nil(t, r.ResponseInfo.Header, "the metadata an error may copy holds none")
		return nil
	}))
}

// A gateway that echoes the pair the request carried under a name of its
// own, in the answer that rotates the pair: the capture masks the pair the
// attempt sent, not only the session current after the rotation.
func TestCaptureMasksTheRotatedAwayPairAnAnswerEchoes(t *testing.T) {
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Echo", r.Header.Get("X-Access-Token")+" "+r.Header.Get("X-Refresh-Token"))
		w.Header().Set("X-Access-Token", "next-access-secret")
		w.Header().Set("X-Refresh-Token", "next-refresh-secret")
		w.WriteHeader(http.StatusOK)
	})
	tr, _ := newTransport(t, srv.URL, Config{Scheme: SchemeHeaderPair}, banklink.Options{})
	var resp banklink.ResponseInfo
	ctx := banklink.WithCallOptions(context.Background(), banklink.CallOptions{Capture: &resp})
	require.NoError(t, tr.Do(ctx, &Op{Name: "x", Method: http.MethodGet, Path: "things", Auth: true}, decodeStatus))
	echo := resp.Header.Get("X-Echo")
	assert.NotEmpty(t, echo)
	assert.NotContains(t, echo, secretAccess)
	assert.NotContains(t, echo, secretRefresh)
}

// The same for an error's snippet: an answer that rotates the pair and
// echoes the one the request carried in its body.
func TestErrorSnippetMasksTheRotatedAwayPair(t *testing.T) {
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Access-Token", "next-access-secret")
		w.Header().Set("X-Refresh-Token", "next-refresh-secret")
		w.WriteHeader(http.StatusBadRequest)
		_, _ = w.Write([]byte("bad request for " + r.Header.Get("X-Access-Token") + " / " + r.Header.Get("X-Refresh-Token")))
	})
	tr, _ := newTransport(t, srv.URL, Config{Scheme: SchemeHeaderPair}, banklink.Options{})
	err := tr.Do(context.Background(), &Op{Name: "x", Method: http.MethodGet, Path: "things", Auth: true}, func(r *Response) error {
		return r.Fail(errs.ErrInvalidRequest, "", string(r.Body))
	})
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Contains(t, e.Snippet, "bad request for")
	for _, shown := range []string{e.Error(), e.Snippet, e.Message} {
		assert.NotContains(t, shown, secretAccess)
		assert.NotContains(t, shown, secretRefresh)
	}
}
