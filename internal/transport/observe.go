package transport

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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

// debugging reports whether per-attempt records are wanted.
func (t *Transport) debugging(ctx context.Context) bool {
	return t.log != nil && t.log.Enabled(ctx, slog.LevelDebug)
}

func (t *Transport) logAttempt(ctx context.Context, c *call, req *http.Request, resp *http.Response, err error, d time.Duration) {
	attrs := make([]slog.Attr, 0, 8)
	attrs = append(attrs, slog.String("provider", t.cfg.Provider), slog.String("op", c.op.Name), slog.Int("attempt", c.attempts),
		slog.String("method", req.Method), slog.String("path", req.URL.Path), slog.Duration("elapsed", d))
	if resp != nil {
		attrs = append(attrs, slog.Int("status", resp.StatusCode))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", redact.String(redactURLError(err).Error(), t.secrets(c.op)...)))
	}
	t.log.LogAttrs(ctx, slog.LevelDebug, "banklink: http attempt", attrs...)
}
