package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/credential"
	"github.com/banklink/banklink-go/internal/errs"
)

// RoundTrip sends one request of an attempt: the attempt's first, or a
// redirect the call's client follows within it (same origin only, see
// checkRedirect). An attempt's whole life, in order:
//
//  1. its own context, from the caller's: it ends at the attempt timeout
//     or at the call's bound, whichever comes first, or for a streamed
//     body when no byte has moved either way for the stall timeout;
//  2. each request a copy carrying that context, the body opened afresh
//     (a redirect that changes the method to GET sends none), the
//     credentials of this moment and the cookies of the caller's jar
//     (the jar keeps those each answer sets);
//  3. send; a redirect goes back to the call's client, which follows it
//     through here again, under the same attempt;
//  4. refuse a 1xx, adopt a rotated token pair, read the body under the
//     size limit, end the attempt;
//  5. hand the loop the outcome: an error is what went wrong, never a
//     guess (a cut-off shows as the timeout that caused it, a body over
//     the limit as too large, whatever the timer did meanwhile).
//
// The final response goes back with its body already read into the
// call's buffer, so the loop's CheckRetry judges each attempt once.
func (c *call) RoundTrip(outer *http.Request) (*http.Response, error) {
	t := c.t
	first := outer.Response == nil
	if first {
		c.begin()
	}
	actx, moving := c.att.ctx, c.att.moving
	req := c.request(outer, first)
	if first || req.Method == c.op.Method { // a 301, 302 or 303 turns a POST into a bodiless GET
		// The call's own reader only for its very first request: a later
		// one's connection may still hold the earlier reader.
		if err := c.setBody(req, moving, first && c.attempts == 1); err != nil {
			return nil, c.finish(req, nil, err)
		}
	}
	tok, err := c.credentials(actx, req)
	if err != nil {
		closeBody(req)
		return nil, c.finish(req, nil, err)
	}
	resp, err := c.t.rt.RoundTrip(req)
	if err == nil && resp.StatusCode < http.StatusOK {
		// A 1xx that net/http passes on (101 Switching Protocols): its
		// body is a raw connection, never read.
		resp.Body.Close()
		resp, err = nil, &informational{status: resp.StatusCode}
	}
	if err != nil {
		return nil, c.finish(req, nil, err)
	}
	c.keepCookies(req, resp)
	if redirect(resp) {
		return resp, nil // the call's client follows it, through here, or refuses it
	}
	var share func()
	if tok != nil && t.cfg.Scheme == SchemeHeaderPair {
		share = rotate(actx, t.tokens, tok, resp.Header) // whatever the body turns out to be
	}
	err = c.readBody(resp, moving)
	if share != nil {
		share() // the answer is in: the store cannot fail it now
	}
	if err != nil {
		return nil, c.finish(req, resp, err)
	}
	c.finish(req, resp, nil)
	resp.Body = http.NoBody
	return resp, nil
}

// request is the attempt's copy of outer: the attempt's context, the
// call's headers (a copy of its own but for the call's very first
// request: an earlier request's connection may still be writing the
// map) and the cookies of the caller's jar, for this request only.
func (c *call) request(outer *http.Request, first bool) *http.Request {
	req := outer.WithContext(c.att.ctx)
	req.Header = c.header
	if jar := c.t.jar; c.attempts > 1 || !first || jar != nil {
		req.Header = c.header.Clone()
		if jar != nil {
			for _, ck := range jar.Cookies(req.URL) {
				req.AddCookie(ck)
			}
		}
	}
	return req
}

// keepCookies gives the caller's jar, if any, the cookies resp sets.
func (c *call) keepCookies(req *http.Request, resp *http.Response) {
	if c.t.jar == nil {
		return
	}
	if cks := resp.Cookies(); len(cks) > 0 {
		c.t.jar.SetCookies(req.URL, cks)
	}
}

// begin starts an attempt: its count, its context, its observation.
func (c *call) begin() {
	c.attempts++
	c.att = attempt{}
	c.attemptContext()
	if c.st != nil {
		c.att.ctx = c.startAttempt(c.att.ctx)
	}
	if c.t.debugging(c.att.ctx) {
		c.att.start = time.Now()
	}
}

// attempt is the attempt in progress: its context (bounded by the
// attempt's deadline, or for a streamed body by the stall timer its
// bytes reset), and when it started (for the log).
type attempt struct {
	ctx     context.Context
	bounded *bounded
	cancel  context.CancelCauseFunc // ctx's, when it is a cancel context of bounded's
	moving  *stall
	start   time.Time
}

// redirect reports whether the call's client follows resp (or refuses it,
// by checkRedirect): net/http follows a 301, 302, 303, 307 or 308 that
// names a Location.
func redirect(resp *http.Response) bool {
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return resp.Header.Get("Location") != ""
	}
	return false
}

// finish ends the attempt in progress, if any, with err (nil for an
// answer): a failure its context caused is named by that context's cause,
// the attempt is logged and its context released. It returns the error
// the attempt ends with.
func (c *call) finish(req *http.Request, resp *http.Response, err error) error {
	a := c.att
	if a.ctx == nil {
		return err
	}
	c.att = attempt{}
	if err != nil && a.ctx.Err() != nil {
		err = cutOff(a.ctx, err)
	}
	if !a.start.IsZero() {
		c.t.logAttempt(a.ctx, c, req, resp, err, time.Since(a.start))
	}
	if a.bounded != nil {
		c.t.deadlines.release(a.bounded)
		if a.cancel != nil {
			a.cancel(nil)
		}
	} else {
		a.moving.release()
	}
	return err
}

// cutOff names the failure of an attempt whose context ended (a timeout,
// the caller's cancellation): net/http usually returns the context's
// cause itself, but a consequence of the cancellation can win the race (a
// streamed body closed because the attempt ended fails the write). An
// error that carries a verdict of its own (a body over the limit, a
// refused redirect, a 1xx) stays what it is, whatever the timer did.
func cutOff(ctx context.Context, err error) error {
	cause := context.Cause(ctx)
	var cat errs.Category
	if errors.Is(err, cause) || errors.As(err, &cat) || errors.As(err, new(*informational)) {
		return err
	}
	return cause
}

// attemptContext gives the attempt its context, derived from the
// caller's: for a streamed body, the stall timer its bytes reset;
// otherwise it ends at the attempt timeout or at the call's bound,
// whichever comes first, named by the one that does (the call's context
// is not its parent: one cancel context less to register under).
func (c *call) attemptContext() {
	t := c.t
	if c.op.BodyFunc != nil {
		ctx, cancel := context.WithCancelCause(c.parent)
		s := &stall{after: t.timeout, ctx: ctx, cancel: cancel}
		s.timer = time.AfterFunc(t.timeout, func() { cancel(t.stalled) })
		c.att.ctx, c.att.moving = ctx, s
		return
	}
	now, b := c.begun, &c.att1
	if c.attempts > 1 {
		now, b = time.Time{}, new(bounded) // an earlier attempt's may still be in net/http's hands
	}
	if now.IsZero() {
		now = time.Now()
	}
	at, cause := now.Add(t.timeout), error(t.attemptTimedOut)
	if cb := c.bound; cb != nil && !cb.at.After(at) {
		at, cause = cb.at, cb.cause
	}
	t.deadlines.add(b, c.parent, at, cause)
	b.watch() // net/http waits on it at once
	c.att.ctx, c.att.bounded = b, b
	if c.st != nil || !t.direct {
		// An observer, or a RoundTripper of the caller's, may wrap the
		// context in values, which hide b's AfterFunc from the contexts
		// net/http derives: it would start a goroutine per request to
		// watch b. Under them it finds this cancel context instead.
		c.att.ctx, c.att.cancel = context.WithCancelCause(b)
	}
}

// credentials sets the attempt's secret headers: the static ones, the
// operation's own, and the session token of this moment (waiting for a
// renewal if one is due, bounded by the attempt's context).
func (c *call) credentials(ctx context.Context, req *http.Request) (*credential.Token, error) {
	t := c.t
	for k, v := range t.cfg.SecretHeaders {
		req.Header[k] = v
	}
	for k, v := range c.op.SecretHeaders {
		req.Header[k] = v
	}
	if !c.op.Auth || t.tokens == nil {
		return nil, nil
	}
	tok, err := t.tokens.Token(ctx)
	if err != nil {
		if ctx.Err() != nil && errors.Is(err, context.Cause(ctx)) {
			return nil, err // time ran out waiting: the attempt's own outcome
		}
		return nil, &credentialError{err}
	}
	c.token = tok
	switch t.cfg.Scheme {
	case SchemeBearer:
		req.Header["Authorization"] = tok.BearerHeader()
	case SchemeHeaderPair:
		req.Header["X-Access-Token"], req.Header["X-Refresh-Token"] = tok.PairHeader()
	}
	return tok, nil
}

// setBody gives the attempt its body: the bytes again, or the body
// function's stream opened afresh (its bytes resetting the stall timer).
// With reuse (the call's very first request) the bytes are read through
// the reader inside the call; a retry's or a redirect's get a reader of
// their own, since the earlier request's connection may still be reading.
func (c *call) setBody(req *http.Request, moving *stall, reuse bool) error {
	op := c.op
	switch {
	case op.BodyFunc != nil:
		open := func() (io.ReadCloser, error) {
			r, err := op.BodyFunc()
			if err != nil {
				return nil, err
			}
			rc, ok := r.(io.ReadCloser)
			if !ok {
				rc = io.NopCloser(r)
			}
			return &movingBody{ReadCloser: rc, s: moving}, nil
		}
		rc, err := open()
		if err != nil {
			return err
		}
		moving.closeOnEnd(rc)
		req.Body, req.ContentLength = rc, max(op.ContentLength, 0)
		req.GetBody = nil
		if !op.NoRetry {
			req.GetBody = open // a 307/308 sends the body again
		}
	case op.Body != nil:
		// io.NopCloser over a *bytes.Reader: net/http knows that pair for an
		// in-memory body and sends it with the headers in one write; any
		// other type makes it flush the headers first, a second syscall on
		// both ends.
		br := &c.br
		if reuse {
			br.Reset(op.Body)
		} else {
			br = bytes.NewReader(op.Body)
		}
		req.Body, req.ContentLength = io.NopCloser(br), int64(len(op.Body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(op.Body)), nil }
	default:
		// nil, not http.NoBody: net/http copies a NoBody through a reader
		// of its own.
		req.Body, req.ContentLength, req.GetBody = nil, 0, nil
	}
	return nil
}

// readBody reads the response body into the call's buffer through the
// size limit, and closes it.
func (c *call) readBody(resp *http.Response, moving *stall) error {
	defer resp.Body.Close()
	if c.buf == nil {
		c.buf = c.t.bufs.Get().(*bytes.Buffer)
	}
	c.buf.Reset()
	var body io.Reader = resp.Body
	if moving != nil {
		body = &movingBody{ReadCloser: resp.Body, s: moving}
	}
	c.limited = io.LimitedReader{R: body, N: c.t.limit + 1}
	return readLimited(c.buf, &c.limited, resp.ContentLength, c.t.limit, c.op.Method, c.req.URL.Path)
}

// stall is a streamed attempt's timer: it fires when no byte has moved,
// up or down, for after.
type stall struct {
	timer  *time.Timer
	after  time.Duration
	ctx    context.Context // the attempt's
	cancel context.CancelCauseFunc
	stop   func() bool // unregisters the body's close
}

// closeOnEnd closes the request body if the attempt ends (stall, the
// caller's cancellation) while net/http is still reading it: net/http
// waits for its body reader before it returns, and a source that blocks
// (a pipe with nothing to say) would hold the attempt forever.
func (s *stall) closeOnEnd(body io.Closer) {
	if s.stop != nil {
		s.stop() // a redirect's request has a body of its own
	}
	s.stop = context.AfterFunc(s.ctx, func() { body.Close() })
}

func (s *stall) release() {
	if s.stop != nil {
		s.stop()
	}
	s.timer.Stop()
	s.cancel(nil)
}

// movingBody resets the stall timer whenever bytes move through it. Its
// Close closes the source once, whoever calls it first.
type movingBody struct {
	io.ReadCloser
	s    *stall
	once sync.Once
	err  error
}

func (m *movingBody) Read(p []byte) (int, error) {
	n, err := m.ReadCloser.Read(p)
	if n > 0 && m.s != nil {
		m.s.timer.Reset(m.s.after)
	}
	return n, err
}

func (m *movingBody) Close() error {
	m.once.Do(func() { m.err = m.ReadCloser.Close() })
	return m.err
}

// timeoutError is why the SDK cut an attempt or a call short. It is the
// attempt context's cause, so net/http returns it as the attempt's error,
// and only an error the cancellation caused carries it. It matches
// context.DeadlineExceeded and os.ErrDeadlineExceeded.
type timeoutError struct {
	what  string // "attempt", "stall", "call" or "per-call"
	after time.Duration
}

func (e *timeoutError) Error() string {
	switch e.what {
	case "stall":
		return fmt.Sprintf("no byte moved for %s (stall timeout)", e.after)
	case "call":
		return fmt.Sprintf("the call took longer than %s (call timeout)", e.after)
	case "per-call":
		return fmt.Sprintf("the call took longer than %s (per-call timeout, CallOptions.Timeout)", e.after)
	}
	return fmt.Sprintf("no complete answer within %s (per-attempt timeout)", e.after)
}

func (e *timeoutError) Timeout() bool   { return true }
func (e *timeoutError) Temporary() bool { return true }

func (e *timeoutError) Is(target error) bool {
	return target == context.DeadlineExceeded || target == os.ErrDeadlineExceeded
}

// informational is a 1xx answer reaching the client: not an answer to
// the call, and never retried.
type informational struct{ status int }

func (e *informational) Error() string {
	return fmt.Sprintf("the server answered %d %s instead of a final status", e.status, http.StatusText(e.status))
}

// startAttempt tells the observer an attempt starts, and returns its
// context.
func (c *call) startAttempt(ctx context.Context) context.Context {
	c.st.attempts++
	a := banklink.Attempt{Operation: c.t.operation(c.op), Number: c.st.attempts}
	ctx, c.st.attemptEnd = c.t.obs.StartAttempt(ctx, a)
	c.st.attemptStart = time.Now()
	return ctx
}

// endAttempt tells the observer how the last attempt ended: its outcome
// and the loop's decision.
func (c *call) endAttempt(resp *http.Response, err error, retry bool, wait time.Duration) {
	end := c.st.attemptEnd
	if end == nil {
		return
	}
	c.st.attemptEnd = nil
	e := banklink.AttemptEnd{Duration: time.Since(c.st.attemptStart), Retry: retry}
	if resp != nil {
		e.StatusCode = resp.StatusCode
		c.st.status = resp.StatusCode
		e.Category = errs.ForStatus(resp.StatusCode)
	}
	if err != nil {
		e.Err = c.t.redactedErr(c.op, c.token, err)
		e.Category = errs.CategoryOf(err)
		if e.Category == "" && !errors.Is(err, context.Canceled) {
			e.Category = errs.ErrUnavailable
		}
	}
	if retry {
		e.RetryReason, e.Backoff = retryReason(resp, err), wait
	}
	end(e)
}
