package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"time"

	retryablehttp "github.com/hashicorp/go-retryablehttp"

	"github.com/banklink/banklink-go/internal/credential"
	"github.com/banklink/banklink-go/internal/errs"
)

// callKey carries the *call of a request through its context to the
// retry policy and the credential RoundTripper.
type callKey struct{}

// call is the state of one pass through the retry loop. It is one
// allocation: the retry client and request, the first attempt's context,
// the response handed to the decoder and the body limit live inside it.
type call struct {
	rc        retryablehttp.Client
	req       retryablehttp.Request
	resp      Response
	lr        io.LimitedReader   // bounds the body read
	br        bytes.Reader       // the first attempt's in-memory body
	watch     watch              // the reaper's hold on the attempt in flight
	ctx       callCtx            // the first attempt's context
	parent    context.Context    // the caller's context
	cancel    context.CancelFunc // cancels the current attempt's context
	spent     context.CancelFunc // an earlier attempt's, released when the next one starts
	watched   bool               // the reaper may be watching an attempt
	t         *Transport
	op        *Op
	path      string // the request's URL path, for errors
	attempts  int
	exhausted bool              // the policy wanted another retry but none was left
	token     *credential.Token // the session token the last attempt carried
	buf       *bytes.Buffer     // the body of the final response
	read      bool              // buf holds the final response body
	decided   *http.Response    // the response checkRetry last judged
	verdict   bool              // and what it decided
}

// Do sends op and hands the final response to decode, which turns it into
// a result or a typed error. When decode's error means the session token
// was refused, the token is renewed (once for all concurrent callers) and
// op is replayed once: a refused request was not processed, so this holds
// for non-idempotent operations too.
func (t *Transport) Do(ctx context.Context, op *Op, decode func(*Response) error) error {
	c := &call{t: t, op: op}
	err := c.run(ctx, decode)
	if err == nil || !op.Auth || op.NoRetry || c.token == nil || t.cfg.Rejected == nil || !t.cfg.Rejected(err) {
		return err
	}
	if _, rerr := t.tokens.Renew(ctx, c.token); rerr != nil {
		return rerr
	}
	c = &call{t: t, op: op}
	return c.run(ctx, decode)
}

// callOf returns the call a request belongs to, or nil.
func callOf(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	return c
}

// callCtx is an attempt's context: a cancellable child of the caller's
// context that also carries the call. The reaper cancels it when the
// attempt outlives the timeout; each retry gets a new one. The first
// attempt's lives inside the call, so it costs no allocation of its own,
// and the first request is created with it, so it needs no copy.
type callCtx struct {
	context.Context
	c *call
}

// Value returns the call for callKey and defers to the caller's context
// for anything else.
func (x *callCtx) Value(key any) any {
	if _, ok := key.(callKey); ok {
		return x.c
	}
	return x.Context.Value(key)
}

func (c *call) run(ctx context.Context, decode func(*Response) error) error {
	t, op := c.t, c.op
	c.parent = ctx
	actx, cancel := context.WithCancel(ctx)
	c.ctx, c.cancel = callCtx{Context: actx, c: c}, cancel
	defer c.release()
	hreq, err := http.NewRequestWithContext(&c.ctx, op.Method, "", nil)
	if err != nil {
		return err
	}
	hreq.URL = t.url(op.Path, op.Query)
	hreq.Host = hreq.URL.Host
	if err := c.setBody(hreq, true); err != nil {
		return err
	}
	c.path = hreq.URL.Path
	// Canonical keys and shared value slices: no allocation per request.
	// net/http never modifies header values.
	hreq.Header["User-Agent"] = t.uaVal
	hreq.Header["Accept"] = t.jsonVal
	if op.ContentType != "" {
		hreq.Header["Content-Type"] = t.contentType(op.ContentType)
	}
	// The body is set per attempt (setBody, prepareRetry), not through
	// retryablehttp's body functions, which would buffer a plain reader and
	// allocate on every call.
	c.req.Request = hreq
	c.req.SetResponseHandler(c.readBody)

	c.rc = retryablehttp.Client{
		HTTPClient:   t.hc,
		RetryMax:     t.retry.MaxRetries,
		CheckRetry:   checkRetry,
		Backoff:      noBackoff,
		PrepareRetry: prepareRetry,
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
	resp, err := c.rc.Do(&c.req)
	if c.buf != nil {
		defer c.releaseBuf()
	}
	if err != nil {
		if resp != nil {
			resp.Body.Close()
		}
		return c.failure(ctx, err)
	}
	if !c.read { // the last response of exhausted retries, not read yet
		if err := c.readBody(resp); err != nil {
			return c.failure(ctx, err)
		}
	}
	c.resp = Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: c.buf.Bytes(), Method: op.Method, Path: c.path, t: t}
	if err := decode(&c.resp); err != nil {
		if c.exhausted {
			return &errs.RetriesExhaustedError{Attempts: c.attempts, Last: err}
		}
		return err
	}
	return nil
}

// setBody gives req a fresh body for one attempt: the bytes again, or the
// body function's stream opened afresh. The first attempt's bytes are read
// through the reader inside the call; a retry's get a reader of their own,
// since the earlier attempt's connection may still be reading its body.
func (c *call) setBody(req *http.Request, first bool) error {
	op := c.op
	switch {
	case op.BodyFunc != nil:
		r, err := op.BodyFunc()
		if err != nil {
			return err
		}
		rc, ok := r.(io.ReadCloser)
		if !ok {
			rc = io.NopCloser(r)
		}
		req.Body = rc
		req.ContentLength = max(op.ContentLength, 0)
		if !op.NoRetry {
			req.GetBody = func() (io.ReadCloser, error) {
				r, err := op.BodyFunc()
				if err != nil {
					return nil, err
				}
				if rc, ok := r.(io.ReadCloser); ok {
					return rc, nil
				}
				return io.NopCloser(r), nil
			}
		}
	case op.Body != nil:
		// io.NopCloser over a *bytes.Reader: net/http knows that pair for an
		// in-memory body and sends it with the headers in one write; any
		// other type makes it flush the headers first, a second syscall on
		// both ends.
		br := &c.br
		if first {
			br.Reset(op.Body)
		} else {
			br = bytes.NewReader(op.Body)
		}
		req.Body, req.ContentLength = io.NopCloser(br), int64(len(op.Body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(op.Body)), nil }
	default:
		req.Body, req.ContentLength = http.NoBody, 0
	}
	return nil
}

// beginAttempt starts the reaper's watch over an attempt (or a redirect
// hop) that req is about to send, and releases the context of the attempt
// before it. A streamed body's attempt is watched only once the body is
// sent: the timeout bounds waiting, not uploading; such a request is
// copied to carry the body's notifier.
func (c *call) beginAttempt(req *http.Request) *http.Request {
	c.endAttempt()
	if c.spent != nil {
		c.spent()
		c.spent = nil
	}
	c.watched = true
	cancel := c.cancel
	if c.op.BodyFunc == nil || req.Body == nil || req.Body == http.NoBody {
		c.t.reaper.watchNow(&c.watch, cancel)
		return req
	}
	gen := c.t.reaper.begin(&c.watch)
	out := new(http.Request)
	*out = *req
	out.Body = &sentNotifier{ReadCloser: req.Body, sent: func() { c.t.reaper.start(&c.watch, gen, cancel) }}
	return out
}

// endAttempt stops watching the attempt in flight, if any, and reports
// whether the reaper cancelled it.
func (c *call) endAttempt() bool {
	if !c.watched {
		return false
	}
	c.watched = false
	return c.t.reaper.stop(&c.watch)
}

// nextAttempt gives the request a new context for a retry: the reaper may
// have cancelled the current one, and the retry loop gives up on a
// request whose context is done. The current context is released once the
// retry starts (its response body is drained first).
func (c *call) nextAttempt() {
	if c.spent != nil {
		c.spent()
	}
	ctx, cancel := context.WithCancel(c.parent)
	c.spent, c.cancel = c.cancel, cancel
	c.req.Request = c.req.Request.WithContext(&callCtx{Context: ctx, c: c})
}

// release ends the call's watch and releases its contexts.
func (c *call) release() {
	c.endAttempt()
	c.cancel()
	if c.spent != nil {
		c.spent()
	}
}

// sentNotifier calls sent once the body it wraps has been read to its end.
type sentNotifier struct {
	io.ReadCloser
	sent func()
	done bool
}

func (s *sentNotifier) Read(p []byte) (int, error) {
	n, err := s.ReadCloser.Read(p)
	if err == io.EOF && !s.done {
		s.done = true
		s.sent()
	}
	return n, err
}

// prepareRetry gives a retried request its body again.
func prepareRetry(req *http.Request) error {
	c := callOf(req.Context())
	if c == nil {
		return errors.New("transport: request without call state")
	}
	return c.setBody(req, false)
}

// noBackoff: checkRetry has already waited (it knows the call and its
// context; retryablehttp's Backoff is told neither).
func noBackoff(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return 0 }

// readBody reads the response body through the size limit. It runs as the
// retry loop's response handler, so a body cut off mid-way is retried like
// any transport error (when the operation allows it).
func (c *call) readBody(resp *http.Response) error {
	defer resp.Body.Close()
	if c.buf == nil {
		c.buf = c.t.bufs.Get().(*bytes.Buffer)
	}
	c.buf.Reset()
	// The reaper cancels an attempt that outlives the timeout; a body that
	// stalls then fails to read and the attempt counts as a transport error.
	c.lr = io.LimitedReader{R: resp.Body, N: c.t.limit + 1}
	err := readLimited(c.buf, &c.lr, resp.ContentLength, c.t.limit, c.op.Method, c.path)
	if c.endAttempt() && err != nil {
		err = fmt.Errorf("reading the response body took longer than %s: %w", c.t.timeout, os.ErrDeadlineExceeded)
	}
	c.read = err == nil
	return err
}

// contentType returns a header value slice for ct, shared for the common types.
func (t *Transport) contentType(ct string) []string {
	switch ct {
	case t.jsonVal[0]:
		return t.jsonVal
	case t.formVal[0]:
		return t.formVal
	}
	return []string{ct}
}

func (c *call) releaseBuf() {
	if c.buf.Cap() <= 64<<10 { // keep big buffers out of the pool
		c.t.bufs.Put(c.buf)
	}
	c.buf = nil
}

// checkRetry is the retry loop's policy: it decides, waits the backoff
// (never past the context's deadline, and not at all once cancelled), and
// counts the attempts that ran out.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	c := callOf(ctx)
	if c == nil {
		return false, ctx.Err()
	}
	// ctx is the attempt's, which the reaper may have cancelled: the
	// caller's context decides whether the call goes on.
	ctx = c.parent
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	// The loop asks again about the same response after the body handler
	// ran; the answer must not change (the jittered wait would).
	if err == nil && resp != nil && resp == c.decided {
		return c.verdict, nil
	}
	retry, wait := c.decide(ctx, resp, err)
	if err == nil {
		c.decided, c.verdict = resp, retry
	}
	if !retry || c.exhausted {
		return retry, nil
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false, ctx.Err()
	case <-t.C:
		c.read, c.decided = false, nil
		c.nextAttempt()
		return true, nil
	}
}

func (c *call) decide(ctx context.Context, resp *http.Response, err error) (bool, time.Duration) {
	c.exhausted = false
	if c.op.NoRetry || !retryable(c.idempotent(), resp, err) {
		return false, 0
	}
	wait := c.t.retry.backoff(c.attempts)
	if resp != nil {
		if d, ok := retryAfter(resp.Header, time.Now()); ok {
			if d > c.t.retry.MaxRetryAfter {
				return false, 0 // asked to wait longer than we may: give the caller the error
			}
			wait = d
		}
	}
	if c.attempts > c.t.retry.MaxRetries {
		c.exhausted = c.t.retry.MaxRetries > 0
		return true, 0 // the loop stops here; Do reports the exhaustion
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) <= wait {
		return false, 0 // the deadline would pass while sleeping
	}
	if l := c.t.log; l != nil && l.Enabled(ctx, slog.LevelDebug) {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		l.LogAttrs(ctx, slog.LevelDebug, "banklink: retrying", slog.String("provider", c.t.cfg.Provider),
			slog.String("op", c.op.Name), slog.Int("attempt", c.attempts), slog.Int("status", status),
			slog.Duration("wait", wait))
	}
	return true, wait
}

// idempotent reports whether the operation may be sent again. GET and
// HEAD always may: net/http itself re-sends them after a broken reused
// connection, whatever the operation says, so pretending otherwise would
// only be a promise the SDK cannot keep.
func (c *call) idempotent() bool {
	return c.op.Idempotent || c.op.Method == http.MethodGet || c.op.Method == http.MethodHead
}

// failure turns a transport-level error into what the caller sees: the
// credential layer's own error unwrapped, URLs stripped of their query,
// and exhausted retries marked.
func (c *call) failure(ctx context.Context, err error) error {
	var ce *credentialError
	if errors.As(err, &ce) {
		return ce.err
	}
	var te *attemptTimeout
	if errors.As(err, &te) {
		err = te
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return ctx.Err()
	}
	err = redactURLError(err)
	if c.exhausted {
		return &errs.RetriesExhaustedError{Attempts: c.attempts, Last: err}
	}
	return err
}

// redactURLError removes the query string (which may hold a token) from
// the URL that net/http puts in its errors.
func redactURLError(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	u, perr := url.Parse(ue.URL)
	if perr != nil {
		return &url.Error{Op: ue.Op, URL: "[unparsable URL]", Err: ue.Err}
	}
	u.RawQuery, u.Fragment, u.User = "", "", nil
	return &url.Error{Op: ue.Op, URL: u.String(), Err: ue.Err}
}

// attemptTimeout is an attempt the reaper cancelled: a timeout, so callers
// and the retry policy see os.ErrDeadlineExceeded and Timeout() == true.
type attemptTimeout struct{ after time.Duration }

func (e *attemptTimeout) Error() string {
	return fmt.Sprintf("no complete answer within %s (per-attempt timeout)", e.after)
}
func (e *attemptTimeout) Unwrap() error   { return os.ErrDeadlineExceeded }
func (e *attemptTimeout) Timeout() bool   { return true }
func (e *attemptTimeout) Temporary() bool { return true }
