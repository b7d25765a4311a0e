package banklink

import "time"

// RetryPolicy bounds automatic retries. Its zero value is the default
// policy: 3 retries, exponential backoff from 250ms to 5s with jitter,
// and a server's Retry-After honoured up to 30s. Zero fields take those
// defaults one by one.
//
// Whatever the policy, a call with side effects (a login step, a payment,
// a registration) is never sent again once it may have reached the
// server; it is re-sent only after a failed connection, a 429 or a
// refused token, or when the caller gave it an idempotency key
// (CallOptions.IdempotencyKey, through WithCallOptions).
type RetryPolicy struct {
	// MaxRetries is the number of retries after the first attempt
	// (0: the default, 3); a negative value disables retries.
	MaxRetries int
	// MinBackoff and MaxBackoff bound the exponential backoff between
	// attempts (0: the defaults, 250ms and 5s). Each wait is jittered
	// within [d/2, d].
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// MaxRetryAfter caps how long a server's Retry-After is honoured
	// (0: the default, 30s): asked to wait longer, the client gives up and
	// returns the error, whose RetryAfter holds the requested delay.
	MaxRetryAfter time.Duration
}

// RetryBudget bounds the retries of all of a client's calls together, as
// the AWS SDKs' standard retryer does: a bucket of tokens; each retry
// takes RetryCost of them (TimeoutCost after an attempt that timed out),
// each successful attempt gives SuccessRefill back, up to Capacity. When
// the bucket cannot pay for a retry, the failure is returned at once,
// matching ErrRetryBudgetExhausted: in an outage N callers make about N
// requests plus Capacity/RetryCost retries, not N times the policy's
// attempts. The zero value is the default: Capacity 500, RetryCost 5,
// TimeoutCost 10, SuccessRefill 1 (100 retries in a row, refilled by
// successes). A negative Capacity turns the budget off.
type RetryBudget struct {
	Capacity      int
	RetryCost     int
	TimeoutCost   int
	SuccessRefill int
}

// WithRetryBudget sets the client's retry budget (see RetryBudget; the
// default is on). Use RetryBudget{Capacity: -1} to turn it off.
func WithRetryBudget(b RetryBudget) Option {
	return func(o *Options) error {
		if b.RetryCost < 0 || b.TimeoutCost < 0 || b.SuccessRefill < 0 {
			return errorString("WithRetryBudget: negative cost or refill")
		}
		o.RetryBudget = b
		return nil
	}
}
