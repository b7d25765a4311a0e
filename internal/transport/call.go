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
	"time"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/callopt"
	"github.com/banklink/banklink-go/internal/redact"

	retryablehttp "github.com/hashicorp/go-retryablehttp"

	"github.com/banklink/banklink-go/internal/credential"
	"github.com/banklink/banklink-go/internal/errs"
)

// call is one operation's pass through the retry loop, in one allocation.
//
// go-retryablehttp runs the loop: it sends through hc, asks checkRetry
// whether to go on, sleeps backoff's wait (ending early with the caller's
// context) and sends again. hc hands every attempt to the call's own
// RoundTrip (attempt.go), where one attempt's whole life reads top to
// bottom: its context and timeout, credentials, send, redirects, the body
// read under the limit and the classification of what went wrong. The
// loop's callbacks then only decide: checkRetry sees each attempt's final
// outcome exactly once and chooses the wait, backoff hands it over.
type call struct {
	t      *Transport
	op     *Op
	parent context.Context // the caller's context (the call's and each attempt's derive from it)
	ctx    context.Context // the call's context: the caller's within the call's bound
	// bound is the call's own bound (nil for a streamed upload), which
	// also ends the attempt in progress; callCtx holds it for the call's
	// first pass, att1 the pass's first attempt's: no allocation of their own.
	bound    *bounded
	callCtx  bounded
	att1     bounded
	begun    time.Time // when the call began: its first attempt's bound counts from then
	rc       retryablehttp.Client
	hc       http.Client // sends each attempt through c.RoundTrip, following redirects
	att      attempt     // the attempt in progress
	req      retryablehttp.Request
	header   http.Header  // the request's headers; each attempt sets its credentials on them
	br       bytes.Reader // the first attempt's in-memory body
	attempts int
	wait     time.Duration     // the backoff checkRetry chose
	again    bool              // the last attempt's outcome asked for another one
	spent    bool              // a retry was refused for want of budget
	token    *credential.Token // the session token the last attempt carried
	buf      *bytes.Buffer     // the final response's body
	limited  io.LimitedReader  // reads the body into buf, within the size limit
	answer   Response          // the final response, as decode sees it
	retry    policy            // the client's, or the caller's for this call
	opts     *callopt.Options  // the caller's per-call options, or nil
	// st, with an observer only: the operation's counts and the attempt
	// in progress (one pointer: a call without observer stays small).
	st *opStats
}

// Do sends op and hands the final response to decode, which turns it into
// a result or a typed error. When decode's error means the session token
// was refused, the token is renewed (once for all concurrent callers) and
// op is replayed once: a refused request was not processed, so this holds
// for non-idempotent operations too. An op marked NoRenew is replayed
// only when the refusal itself brought a rotated token.
//
// The whole call, renewal and replay included, is bounded by the call
// timeout (unless op streams its body: an upload that keeps moving is
// never cut) besides the caller's context.
func (t *Transport) Do(ctx context.Context, op *Op, decode func(*Response) error) error {
	if t.obs != nil {
		return t.observed(ctx, op, decode)
	}
	return t.do(ctx, op, decode, nil)
}

// do is Do; st, with an observer, counts the operation's attempts.
//
// The call's context is derived here, once: the caller's, bounded by the
// call's own bound (the call timeout, or the per-call one) whose cause
// names it. Every wait of the call between attempts (a renewal, the store,
// the backoff sleep) derives from it, so each ends with it without
// remembering a time of its own. Each attempt's context is the caller's
// too, ending at the attempt timeout or at the call's bound, whichever
// comes first (attemptContext): one cancel context less for net/http to
// register under, and the call's bound costs nothing shared while
// nothing waits on it (deadline.go).
func (t *Transport) do(ctx context.Context, op *Op, decode func(*Response) error, st *opStats) (err error) {
	if err := t.check(op); err != nil {
		return err
	}
	opts := callopt.From(ctx)
	if err := checkCallOptions(opts); err != nil {
		return t.invalid(op, err)
	}
	c := t.newCall(op, opts, st, nil)
	defer func() {
		if err != nil && c.spent {
			err = &budgetSpent{err}
		}
	}()
	if ctx.Err() != nil {
		// A context that has ended starts nothing: no login, no refresh,
		// no store call, no request.
		c.parent, c.req.Request = ctx, &http.Request{URL: t.url(op.Path, nil)}
		return c.failure(context.Cause(ctx))
	}
	cctx := ctx
	if op.BodyFunc == nil { // an upload that keeps moving is never cut off
		cause := t.callTimedOut
		if opts != nil && opts.Timeout > 0 {
			cause = &timeoutError{what: "per-call", after: opts.Timeout}
		}
		c.begun = time.Now()
		c.bound = &c.callCtx
		t.deadlines.add(c.bound, ctx, c.begun.Add(cause.after), cause)
		defer t.deadlines.release(c.bound)
		cctx = c.bound
	}
	err = c.run(ctx, cctx, decode)
	// A refused token is renewed once and the call replayed once; a
	// second time only when the replay carried a session adopted from the
	// store (a record that landed late can hold a dead access token, and
	// an adoption sent nothing to the token endpoint).
	for renewals := 0; renewals == 0 || (renewals == 1 && c.token != nil && c.token.Adopted); renewals++ {
		if err == nil || !op.Auth || op.NoRetry || c.token == nil || t.cfg.Rejected == nil || !t.cfg.Rejected(err) {
			return err
		}
		if op.NoRenew {
			if cur := t.tokens.Current(); cur == nil || cur == c.token {
				return err
			}
		} else if rerr := t.renew(cctx, c); rerr != nil {
			return rerr
		}
		c = t.newCall(op, opts, st, c.bound)
		err = c.run(ctx, cctx, decode)
	}
	return err
}

// renew waits for the renewal of the token c's server refused, within the
// call's context: a renewal that outlasts the call (an OTP a person is
// slow to give) ends the call at its bound, named as such, and goes on
// for the calls after it.
func (t *Transport) renew(cctx context.Context, c *call) error {
	_, err := t.tokens.Renew(cctx, c.token)
	if err != nil && cctx.Err() != nil && errors.Is(err, context.Cause(cctx)) {
		return c.failure(err) // the call gave up waiting: name the call
	}
	return err
}

// newCall prepares one pass of op through the retry loop; bound is the
// call's bound, when an earlier pass set it.
func (t *Transport) newCall(op *Op, opts *callopt.Options, st *opStats, bound *bounded) *call {
	c := &call{t: t, op: op, retry: t.retry, opts: opts, st: st, bound: bound}
	if opts != nil && opts.HasRetry {
		if p, ok := opts.Retry.(banklink.RetryPolicy); ok {
			c.retry = withDefaults(policy(p))
		}
	}
	return c
}

// run sends the call through the loop under the call's context cctx
// (ctx is the caller's, to tell its ending from the call's bound).
func (c *call) run(ctx, cctx context.Context, decode func(*Response) error) error {
	t, op := c.t, c.op
	c.parent, c.ctx = ctx, cctx
	hreq, err := http.NewRequestWithContext(cctx, op.Method, "", nil)
	if err != nil {
		return t.invalid(op, err)
	}
	// The URL parsed from "" is the request's own. Host stays empty, as
	// net/http then sends the URL's: a Host of its own makes net/http's
	// client copy the URL on every send, for its cookie lookup.
	t.fillURL(hreq.URL, op.Path, op.Query)
	// Canonical keys and shared value slices: no allocation per request.
	// net/http never modifies header values. The headers live in the call
	// and go on each attempt's own request; the carrier request the loop
	// hands around holds a shared empty map, which nothing writes, so the
	// call's own client has nothing to copy.
	c.header = hreq.Header
	if c.opts != nil {
		c.addCallHeaders()
	}
	c.header["User-Agent"] = t.uaVal
	c.header["Accept"] = t.jsonVal
	if op.ContentType != "" {
		c.header["Content-Type"] = t.contentType(op.ContentType)
	}
	hreq.Header = t.noHeader
	// The body is set per attempt (attempt.go), not through
	// retryablehttp's body functions, which would buffer a plain reader.
	c.req.Request = hreq
	loop(c)
	resp, err := c.rc.Do(&c.req)
	if c.st != nil && c.st.attemptEnd != nil {
		c.endAttempt(resp, err, false, 0) // ended without the loop's verdict
	}
	if c.buf != nil {
		defer c.releaseBuf()
	}
	if c.opts != nil && c.opts.Capture != nil {
		c.capture(resp)
	}
	if err != nil {
		return c.failure(err)
	}
	r := &c.answer
	*r = Response{ResponseInfo: banklink.ResponseInfo{StatusCode: resp.StatusCode, Method: op.Method,
		Path: hreq.URL.Path, Attempts: c.attempts}, Header: resp.Header, t: t, op: op, sent: c.token}
	if c.buf != nil {
		r.Body = c.buf.Bytes()
	}
	if err := decode(r); err != nil {
		if c.again {
			return c.exhausted(ctx, err)
		}
		return err
	}
	return nil
}

// exhausted is the error of a call whose retries ran out, logged at Warn:
// a service logging at Info sees its dependency failing.
func (c *call) exhausted(ctx context.Context, last error) error {
	if l := c.t.log; l != nil {
		l.LogAttrs(ctx, slog.LevelWarn, "banklink: retries exhausted", slog.String("provider", c.t.cfg.Provider),
			slog.String("op", c.op.Name), slog.Int("attempts", c.attempts),
			slog.String("error", redact.String(last.Error(), c.t.secrets(c.op, c.token)...)))
	}
	return &errs.RetriesExhaustedError{Attempts: c.attempts, Last: last}
}

// failure turns what the loop returned into what the caller sees: the
// credential layer's own error as it is, anything else as a *CallError
// naming the call (URLs stripped of their query), exhausted retries marked.
func (c *call) failure(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // the call's own client wraps each attempt's error
	}
	var ce *credentialError
	if errors.As(err, &ce) {
		return ce.err
	}
	if c.ctx != nil && c.ctx.Err() != nil && c.parent.Err() == nil && errors.Is(err, c.ctx.Err()) {
		err = context.Cause(c.ctx) // the loop's sleep ended with the call's bound: name it
	}
	kind := errs.ErrUnavailable
	var cat errs.Category
	switch {
	case c.parent.Err() != nil && (errors.Is(err, c.parent.Err()) || errors.Is(err, context.Cause(c.parent))):
		if errors.Is(c.parent.Err(), context.DeadlineExceeded) {
			// A deadline is a deadline, whoever set it: the caller's reads
			// as the SDK's own bounds do (ErrUnavailable, and
			// context.DeadlineExceeded), named as the caller's.
			err = &callerDeadline{cause: err}
			break
		}
		kind = "" // the caller's own cancellation: context.Canceled, nothing else
		if !errors.Is(err, c.parent.Err()) {
			err = fmt.Errorf("%w (%w)", c.parent.Err(), err) // a custom cause still matches context.Canceled
		}
	case errors.As(err, &cat):
		kind = "" // the SDK's own refusal (too large, redirect) carries its category
	case errors.As(err, new(*informational)):
		kind = errs.ErrServerError
	}
	e := &errs.CallError{
		Provider: c.t.cfg.Provider, Op: c.op.Name, Method: c.op.Method, Path: c.req.URL.Path,
		Attempts: c.attempts, Category: kind, Err: c.t.redactedCause(c.op, c.token, redactURLError(err)),
	}
	if c.again {
		return c.exhausted(c.parent, e)
	}
	return e
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

// callerDeadline is a call cut off by its caller's context deadline.
type callerDeadline struct{ cause error }

func (e *callerDeadline) Error() string {
	if errors.Is(e.cause, context.DeadlineExceeded) {
		return "the caller's context deadline passed"
	}
	return "the caller's context deadline passed (" + e.cause.Error() + ")"
}

func (e *callerDeadline) Unwrap() []error { return []error{context.DeadlineExceeded, e.cause} }

// addCallHeaders puts the caller's per-call headers and idempotency key
// on the request, before the SDK's own, which overwrite any of the same
// name (credentials are set per attempt, after these).
func (c *call) addCallHeaders() {
	for k, v := range c.opts.Header {
		c.header[k] = v
	}
	if c.opts.IdempotencyKey != "" {
		c.header["Idempotency-Key"] = []string{c.opts.IdempotencyKey}
	}
}

// capture hands the caller the final answer's metadata, credentials
// removed.
func (c *call) capture(resp *http.Response) {
	into, ok := c.opts.Capture.(func(banklink.ResponseInfo))
	if !ok {
		return
	}
	a := banklink.ResponseInfo{Method: c.op.Method, Path: c.req.URL.Path, Attempts: c.attempts}
	if resp != nil {
		a.StatusCode = resp.StatusCode
		a.Header = resp.Header.Clone()
		secrets := c.t.secrets(c.op, c.token)
		for k, vs := range a.Header {
			if credentialHeader(k) {
				delete(a.Header, k)
				continue
			}
			for i, v := range vs { // a gateway may echo a credential under a name of its own
				vs[i] = redact.String(v, secrets...)
			}
		}
		a.RequestID = requestID(resp.Header)
		if d, ok := retryAfter(resp.Header, time.Now()); ok {
			a.RetryAfter = d
		}
	}
	into(a)
}

// observed is Do with an observer: the operation's start and end around
// it, its attempts counted by the calls. The ends are deferred: a panic
// (a caller's type that panics while an answer is decoded) still ends the
// attempt and the operation, with an error, before it goes on up.
func (t *Transport) observed(ctx context.Context, op *Op, decode func(*Response) error) (err error) {
	start := time.Now()
	info := t.operation(op)
	ctx, end := t.obs.StartOperation(ctx, info)
	st := &opStats{}
	defer func() {
		p := recover()
		if p != nil {
			err = &panicked{value: fmt.Sprintf("%T", p)}
			if st.attemptEnd != nil {
				st.attemptEnd(banklink.AttemptEnd{Err: err, Duration: time.Since(st.attemptStart)})
			}
		}
		end(banklink.OperationEnd{Err: t.redactedErr(op, nil, err), Category: errs.CategoryOf(err), StatusCode: st.status,
			Attempts: st.attempts, Duration: time.Since(start)})
		if p != nil {
			panic(p)
		}
	}()
	return t.do(ctx, op, decode, st)
}

// panicked is what observers see of an operation that panicked: the
// panic's type, never its value (it may carry a piece of the answer).
type panicked struct{ value string }

func (e *panicked) Error() string { return "the call panicked (a " + e.value + ")" }
