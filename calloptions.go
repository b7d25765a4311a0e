package banklink

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/banklink/banklink-go/internal/callopt"
)

// CallOptions shape the calls made with a context, whatever the client
// and method: every method of every provider already takes a context, so
// per-call options need no change of signature, and code between your
// handler and the SDK (middleware that derives an idempotency key from
// the inbound request, say) can set them. They apply to the operation
// the caller started, never to a login or refresh the SDK runs on its
// behalf. The zero value changes nothing.
type CallOptions struct {
	// Header is added to the request's headers. It cannot replace the
	// headers the SDK sets itself (credentials, User-Agent, Accept,
	// Content-Type). A name that is not an HTTP token, or a value holding
	// any control character but a tab, refuses the call before anything
	// is sent, with ErrInvalidRequest (never retried). Nil: no header.
	Header http.Header
	// IdempotencyKey is sent as the Idempotency-Key header, and lets the
	// call be retried after a failure that may have reached the server, as
	// an idempotent call is: the server is expected to run a key once.
	// Use a fresh, unguessable key per logical operation (a UUID) and the
	// same key when you retry it yourself. Empty: no key, and a call with
	// side effects is never sent twice once it may have arrived.
	IdempotencyKey string
	// Retry replaces the client's retry policy for these calls. Nil: the
	// client's policy (WithRetry).
	Retry *RetryPolicy
	// Timeout bounds each of these calls as a whole, like the client's
	// WithCallTimeout, for which it stands in. Zero: the client's.
	Timeout time.Duration
	// Capture, when not nil, receives the metadata of each call's final
	// HTTP answer, success or failure: status, headers (credential headers
	// removed, any value holding a secret of the client's or the call's
	// masked), request id, attempts. Calls sharing the context write it
	// one at a time, and it holds the last to finish: read it once they
	// have returned (or give each call a context of its own).
	Capture *ResponseInfo
}

// WithCallOptions returns a context whose calls use o. Options already
// on ctx stay, except where o sets a field: headers are merged (o's win).
//
//	ctx = banklink.WithCallOptions(ctx, banklink.CallOptions{IdempotencyKey: paymentID})
func WithCallOptions(ctx context.Context, o CallOptions) context.Context {
	next := &callopt.Options{}
	if prev := callopt.From(ctx); prev != nil {
		*next = *prev
		next.Header = prev.Header.Clone()
	}
	for k, v := range o.Header {
		if next.Header == nil {
			next.Header = make(http.Header, len(o.Header))
		}
		next.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), v...)
	}
	if o.IdempotencyKey != "" {
		next.IdempotencyKey = o.IdempotencyKey
	}
	if o.Retry != nil {
		next.Retry, next.HasRetry = *o.Retry, true
	}
	if o.Timeout > 0 {
		next.Timeout = o.Timeout
	}
	if into := o.Capture; into != nil {
		var mu sync.Mutex // calls sharing the context write it one at a time
		next.Capture = func(a ResponseInfo) {
			mu.Lock()
			defer mu.Unlock()
			*into = a
		}
	}
	return callopt.With(ctx, next)
}
