package transport

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/errs"
	"github.com/banklink/banklink-go/internal/redact"
)

// opStats are what an observed operation's calls count: its attempts
// across a replay, and the last status.
type opStats struct {
	attempts     int
	status       int
	attemptEnd   func(banklink.AttemptEnd) // the attempt in progress, until it is reported
	attemptStart time.Time
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
		end(banklink.OperationEnd{Err: t.redactedErr(op, err), Category: errs.CategoryOf(err), StatusCode: st.status,
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

// operation describes op for an observer.
func (t *Transport) operation(op *Op) banklink.Operation {
	o := banklink.Operation{Provider: t.cfg.Provider, Name: op.Name, Method: op.Method,
		Path: t.base.Path + trimSlash(op.Path), Scheme: t.base.Scheme, Host: t.base.Hostname(), Account: op.Account}
	if p := t.base.Port(); p != "" {
		o.Port, _ = strconv.Atoi(p)
	} else if o.Scheme == "https" {
		o.Port = 443
	} else {
		o.Port = 80
	}
	return o
}

func trimSlash(p string) string {
	if len(p) > 0 && p[0] == '/' {
		return p[1:]
	}
	return p
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
		e.Err = c.t.redactedErr(c.op, err)
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

// retryReason names why an attempt is retried, for metrics: a bounded
// set of values.
func retryReason(resp *http.Response, err error) string {
	switch {
	case resp != nil:
		return "http_" + strconv.Itoa(resp.StatusCode)
	case dialFailed(err):
		return "connect"
	}
	var ne net.Error
	if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		return "timeout"
	}
	return "network"
}

// redactedErr is err as observers may see it: no secret, no query.
func (t *Transport) redactedErr(op *Op, err error) error {
	if err == nil {
		return nil
	}
	return redactedError{msg: redact.String(redactURLError(err).Error(), t.secrets(op)...), err: err}
}

// redactedError reads redacted and still matches what err matches.
type redactedError struct {
	msg string
	err error
}

func (e redactedError) Error() string { return e.msg }
func (e redactedError) Is(target error) bool {
	return errors.Is(e.err, target)
}
