// Package callopt carries per-call options through a context, from the
// root package's WithCallOptions to the transport. It imports nothing of
// the SDK, so the root package can use it.
package callopt

import (
	"context"
	"net/http"
	"time"
)

// Options are one call's options. Retry holds a banklink.RetryPolicy
// (this package cannot name it) when HasRetry is set.
type Options struct {
	Header         http.Header
	IdempotencyKey string
	Retry          any
	HasRetry       bool
	Timeout        time.Duration
	// Capture, when set, is a func(banklink.ResponseInfo) (this package
	// cannot name it) that receives the final HTTP answer's metadata.
	Capture any
}

type key struct{}

// With returns ctx carrying o.
func With(ctx context.Context, o *Options) context.Context {
	return context.WithValue(ctx, key{}, o)
}

// From returns the options ctx carries, or nil.
func From(ctx context.Context) *Options {
	o, _ := ctx.Value(key{}).(*Options)
	return o
}

// Without returns ctx carrying no options: for the calls the SDK makes on
// its own behalf (a token renewal), which the caller's options of the
// call that needed it must not shape.
func Without(ctx context.Context) context.Context {
	if From(ctx) == nil {
		return ctx
	}
	return context.WithValue(ctx, key{}, (*Options)(nil))
}
