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
// (WithIdempotencyKey).
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
