package transport

import (
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

// The retry decision is a pure function of the try and the policy: one
// row per rule.
func TestRetryDecisionTable(t *testing.T) {
	p := withDefaults(policy{MaxRetries: 3, MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second, MaxRetryAfter: 10 * time.Second})
	now := time.Unix(1_700_000_000, 0)
	answer := func(status int, header ...string) *http.Response {
		h := http.Header{}
		for i := 0; i+1 < len(header); i += 2 {
			h.Set(header[i], header[i+1])
		}
		return &http.Response{StatusCode: status, Header: h}
	}
	dial := &net.OpError{Op: "dial", Err: errors.New("connection refused")}
	reset := &net.OpError{Op: "read", Err: errors.New("connection reset by peer")}
	for _, row := range []struct {
		name   string
		try    try
		retry  bool
		wait   time.Duration // when retried, with jitter 0: the lower end
		reason string
	}{
		{"a read answered 503 is retried", try{n: 1, idempotent: true, resp: answer(503)}, true, 50 * time.Millisecond, "retry"},
		{"the wait doubles", try{n: 3, idempotent: true, resp: answer(503)}, true, 200 * time.Millisecond, "retry"},
		{"a payment answered 503 is not", try{n: 1, resp: answer(503)}, false, 0, "not retryable"},
		{"a payment refused with 429 is", try{n: 1, resp: answer(429)}, true, 50 * time.Millisecond, "retry"},
		{"429 waits its Retry-After", try{n: 1, resp: answer(429, "Retry-After", "2")}, true, 2 * time.Second, "retry"},
		{"a Retry-After past the cap is not waited", try{n: 1, idempotent: true, resp: answer(503, "Retry-After", "60")}, false, 0, "Retry-After too long"},
		{"a payment whose dial failed is retried", try{n: 1, err: dial}, true, 50 * time.Millisecond, "retry"},
		{"a payment whose connection reset is not", try{n: 1, err: reset}, false, 0, "not retryable"},
		{"a read whose connection reset is", try{n: 1, idempotent: true, err: reset}, true, 50 * time.Millisecond, "retry"},
		{"an operation marked NoRetry never is", try{n: 1, idempotent: true, noRetry: true, resp: answer(503)}, false, 0, "not retryable"},
		{"a 400 is an answer", try{n: 1, idempotent: true, resp: answer(400)}, false, 0, "not retryable"},
		{"a wait past the deadline is not taken", try{n: 1, idempotent: true, resp: answer(503), deadline: now.Add(40 * time.Millisecond)}, false, 0, "deadline"},
		{"a wait before the deadline is", try{n: 1, idempotent: true, resp: answer(503), deadline: now.Add(time.Second)}, true, 50 * time.Millisecond, "retry"},
		{"past MaxRetries the retries are exhausted", try{n: 4, idempotent: true, resp: answer(503)}, false, 0, "exhausted"},
	} {
		row.try.now = now
		v := p.decide(row.try)
		assert.Equal(t, row.retry, v.retry, row.name)
		assert.Equal(t, row.reason, v.reason, row.name)
		if row.retry {
			assert.Equal(t, row.wait, v.wait, row.name)
		}
	}
	// The jitter places the wait in [d/2, d).
	hi := p.decide(try{n: 2, idempotent: true, resp: answer(503), now: now, jitter: 0.999})
	assert.True(t, hi.wait >= 100*time.Millisecond && hi.wait < 200*time.Millisecond, "%s", hi.wait)
}

// mayRetry, the loop's shortcut past the decision for an answer, names
// exactly the statuses the decision would retry for some operation.
func TestMayRetryIsTheDecisionsStatuses(t *testing.T) {
	for status := 100; status < 600; status++ {
		resp := &http.Response{StatusCode: status}
		some := retryable(true, resp, nil) || retryable(false, resp, nil)
		assert.Equal(t, some, mayRetry(status), "status %d", status)
	}
}
