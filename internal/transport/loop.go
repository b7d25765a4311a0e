package transport

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/banklink/banklink-go/internal/redact"
	"github.com/hashicorp/go-retryablehttp"
)

// The adapter to go-retryablehttp, which runs the retry loop (the design
// keeps its loop). After each attempt the loop asks two questions: retry?
// (CheckRetry) and after how long? (Backoff). The first is answered by
// the retry decision (retry.go) and the client's budget; the answer is
// kept in the call (again, wait, spent) and is all the two hooks, the
// attempt and the call's end share.

// loop sets c up to run through go-retryablehttp: each attempt goes
// through the call's http.Client (the only one the call passes through),
// whose RoundTripper is the call itself (attempt.go) and which follows
// same-origin redirects within the attempt.
func loop(c *call) {
	c.hc = http.Client{Transport: c, CheckRedirect: c.t.redirects}
	c.rc = retryablehttp.Client{
		HTTPClient: &c.hc,
		RetryMax:   c.retry.MaxRetries,
		CheckRetry: func(ctx context.Context, resp *http.Response, err error) (bool, error) {
			return checkRetry(c, ctx, resp, err)
		},
		Backoff:      func(_, _ time.Duration, _ int, _ *http.Response) time.Duration { return c.wait },
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}
}

// checkRetry sees each attempt's final outcome once (the body is read
// inside the attempt), decides, and tells an observer how the attempt
// ended. The loop sleeps the chosen wait and ends early with the caller's
// context.
func checkRetry(c *call, ctx context.Context, resp *http.Response, err error) (bool, error) {
	if err != nil {
		// The client failed after a request of the attempt came back (a
		// redirect refused): the attempt ends here.
		err = c.finish(c.req.Request, nil, err)
	}
	again, verr := decide(c, ctx, resp, err)
	if c.st != nil && c.st.attemptEnd != nil {
		c.endAttempt(resp, err, again && c.again && c.attempts <= c.retry.MaxRetries, c.wait)
	}
	return again, verr
}

// decide gathers the decision's inputs, asks the policy's pure decision
// (retry.go), then has the client's retry budget pay for a retry or
// refuse it, and keeps the result in the call.
func decide(c *call, ctx context.Context, resp *http.Response, err error) (bool, error) {
	c.again, c.wait = false, 0
	if err == nil && resp != nil {
		if resp.StatusCode < http.StatusInternalServerError && resp.StatusCode != http.StatusTooManyRequests {
			c.t.budget.succeeded() // the server answered
		}
		if !mayRetry(resp.StatusCode) {
			// An answer no policy sends again, read in full: the call's
			// outcome, whatever the context does now (a payment that went
			// through is never reported as a timeout), decided without
			// the clock.
			return false, nil
		}
	}
	if ctx.Err() != nil {
		return false, context.Cause(ctx)
	}
	deadline, _ := ctx.Deadline() // the call's context: its bound, or the caller's deadline if sooner
	v := c.retry.decide(try{n: c.attempts, idempotent: idempotent(c), noRetry: c.op.NoRetry, resp: resp, err: err,
		now: time.Now(), deadline: deadline, jitter: rand.Float64()})
	switch {
	case v.retry && !c.t.budget.take(timedOut(err)):
		c.spent = true
		return false, nil // the client's retries are spent: fail now, not later
	case v.retry:
		logRetry(c, ctx, resp, err, v.wait)
	}
	// Exhausted: the loop stops here (its RetryMax) and Do reports it.
	c.again, c.wait = v.retry || v.exhausted, v.wait
	return c.again, nil
}

// idempotent reports whether the operation may be sent again. GET and
// HEAD always may: net/http itself re-sends them after a broken reused
// connection, whatever the operation says, so pretending otherwise would
// only be a promise the SDK cannot keep.
func idempotent(c *call) bool {
	return c.op.Idempotent || c.op.Method == http.MethodGet || c.op.Method == http.MethodHead ||
		(c.opts != nil && c.opts.IdempotencyKey != "")
}

// logRetry records a retry the loop will make, at Debug.
func logRetry(c *call, ctx context.Context, resp *http.Response, err error, wait time.Duration) {
	l := c.t.log
	if l == nil || !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	status := 0
	if resp != nil {
		status = resp.StatusCode
	}
	attrs := []slog.Attr{slog.String("provider", c.t.cfg.Provider), slog.String("op", c.op.Name),
		slog.Int("attempt", c.attempts), slog.Int("status", status), slog.Duration("wait", wait)}
	if err != nil {
		attrs = append(attrs, slog.String("error", redact.String(redactURLError(err).Error(), c.t.secrets(c.op, c.token)...)))
	}
	l.LogAttrs(ctx, slog.LevelDebug, "banklink: retrying", attrs...)
}
