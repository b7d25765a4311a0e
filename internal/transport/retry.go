package transport

import (
	"context"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/banklink/banklink-go"

	"github.com/banklink/banklink-go/internal/errs"
)

// policy is a retry policy with its defaults filled in.
type policy banklink.RetryPolicy

// withDefaults fills the zero fields of p (see banklink.RetryPolicy).
func withDefaults(p policy) policy {
	switch {
	case p.MaxRetries == 0:
		p.MaxRetries = 3
	case p.MaxRetries < 0:
		p.MaxRetries = 0
	}
	if p.MinBackoff <= 0 {
		p.MinBackoff = 250 * time.Millisecond
	}
	if p.MaxBackoff <= 0 {
		p.MaxBackoff = 5 * time.Second
	}
	if p.MaxBackoff < p.MinBackoff {
		p.MaxBackoff = p.MinBackoff
	}
	if p.MaxRetryAfter <= 0 {
		p.MaxRetryAfter = 30 * time.Second
	}
	return p
}

// backoff returns the jittered wait before retry number n (1-based):
// uniformly in [d/2, d] where d = min·2^(n-1), capped at max.
func (p policy) backoff(n int) time.Duration { return p.jittered(n, rand.Float64()) }

// retryable decides whether an attempt may be sent again. A non-idempotent
// operation is re-sent only when the first one provably never reached the
// server (a failed dial) or the server refused it unprocessed (429).
func retryable(idempotent bool, resp *http.Response, err error) bool {
	if err != nil {
		var ce *credentialError
		var ue x509.UnknownAuthorityError
		var he x509.HostnameError
		var ie x509.CertificateInvalidError
		switch {
		case errors.As(err, &ce), errors.Is(err, errs.ErrRedirectRefused), errors.Is(err, errs.ErrResponseTooLarge),
			errors.As(err, new(*informational)),
			errors.As(err, &ue), errors.As(err, &he), errors.As(err, &ie):
			return false
		}
		return idempotent || dialFailed(err)
	}
	switch resp.StatusCode {
	case http.StatusTooManyRequests:
		return true
	case http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return idempotent
	}
	return false
}

// mayRetry reports whether an answer with status may be retried, for
// some operation: the statuses retryable retries.
func mayRetry(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusRequestTimeout, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// dialFailed reports whether err happened while connecting, before any
// byte of the request could have been written.
func dialFailed(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// retryAfter parses a Retry-After header: delta seconds or an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0, false
		}
		if s > int64(24*time.Hour/time.Second) {
			s = int64(24 * time.Hour / time.Second)
		}
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := t.Sub(now)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// try is one attempt's outcome as the retry decision sees it.
type try struct {
	n          int            // the attempt's number, from 1
	idempotent bool           // the operation may be sent again
	noRetry    bool           // the operation is never retried
	resp       *http.Response // the answer; nil when none came
	err        error          // why no answer came
	now        time.Time
	deadline   time.Time // the earliest of the call's bound and the caller's deadline; zero: none
	jitter     float64   // in [0, 1): where the wait falls in its jitter range
}

// verdict is the decision on a try.
type verdict struct {
	retry     bool          // send the operation again, after wait
	exhausted bool          // it would be retried, but the policy's retries are spent
	wait      time.Duration // the wait before the retry
	reason    string        // why: "not retryable", "Retry-After too long", "deadline", "exhausted", "retry"
}

// decide is the retry decision, a pure function of the try and the
// policy: no retry for an operation that may not be sent again (see
// retryable), nor when the server asks to wait longer than MaxRetryAfter,
// nor when the wait would pass the deadline; past MaxRetries, exhausted.
// The wait is the jittered backoff, or the server's Retry-After.
func (p policy) decide(t try) verdict {
	if t.noRetry || !retryable(t.idempotent, t.resp, t.err) {
		return verdict{reason: "not retryable"}
	}
	wait := p.jittered(t.n, t.jitter)
	if t.resp != nil {
		if d, ok := retryAfter(t.resp.Header, t.now); ok {
			if d > p.MaxRetryAfter {
				return verdict{reason: "Retry-After too long"}
			}
			wait = d
		}
	}
	if t.n > p.MaxRetries {
		return verdict{exhausted: true, wait: wait, reason: "exhausted"}
	}
	if !t.deadline.IsZero() && t.deadline.Sub(t.now) <= wait {
		return verdict{reason: "deadline"}
	}
	return verdict{retry: true, wait: wait, reason: "retry"}
}

// jittered is backoff with the jitter given: j in [0, 1) places the wait
// in [d/2, d].
func (p policy) jittered(n int, j float64) time.Duration {
	d := p.MaxBackoff
	if n < 32 {
		if e := p.MinBackoff << (n - 1); e > 0 && e < d {
			d = e
		}
	}
	half := d / 2
	return half + time.Duration(j*float64(d-half))
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
