package banklink

import (
	"context"
	"time"
)

// Observer sees what a client does, for tracing and metrics: each
// operation (a method call, or Do), each HTTP attempt within it, each
// session renewal and each session change. The otel module
// (github.com/banklink/banklink-go/otel) implements it with OpenTelemetry
// spans and metrics. Give it with WithObserver; without one nothing is
// observed, at no cost.
//
// The Start methods return the context the operation, attempt or renewal
// runs with (a span's, say) and a function the SDK calls exactly once when
// it ends. They are called synchronously: keep them quick. No value they
// receive holds a secret: paths never carry a query string, errors are
// redacted, and a session change comes without its tokens.
type Observer interface {
	StartOperation(ctx context.Context, op Operation) (context.Context, func(OperationEnd))
	StartAttempt(ctx context.Context, a Attempt) (context.Context, func(AttemptEnd))
	StartRenewal(ctx context.Context, r Renewal) (context.Context, func(RenewalEnd))
	SessionChanged(ctx context.Context, change SessionChange)
}

// Operation is a call a client starts.
type Operation struct {
	// Provider and Name name it: "dfcu" and "loans", "merchant" and
	// "login".
	Provider string
	Name     string
	// Method and Path are its HTTP request's (Path without any query).
	Method string
	Path   string
	// Scheme, Host and Port are the server's.
	Scheme string
	Host   string
	Port   int
	// Account is the account number the call is about, when it has one
	// (DFCU loans, a NIP name enquiry); empty otherwise. Customer data:
	// record it only when your users opt in (the otel module does so only
	// with WithAccountAttribute).
	Account string
}

// OperationEnd is how an operation ended.
type OperationEnd struct {
	// Err is the error the caller got; nil on success.
	Err error
	// Category is Err's category ("" on success, or for the caller's own
	// cancellation).
	Category Category
	// StatusCode is the last HTTP status; 0 when no answer came.
	StatusCode int
	// Attempts is how many requests were sent, replays after a renewal
	// included.
	Attempts int
	// Duration is how long the operation took.
	Duration time.Duration
}

// Attempt is one HTTP request of an operation.
type Attempt struct {
	Operation
	// Number counts the operation's attempts from 1, replays included.
	Number int
}

// AttemptEnd is how an attempt ended.
type AttemptEnd struct {
	// StatusCode is the answer's status; 0 when no answer came.
	StatusCode int
	// Err is what went wrong without an answer (redacted); nil otherwise.
	Err error
	// Category is the outcome's category: the status's or the error's; ""
	// for a success.
	Category Category
	// Retry reports whether the SDK sends the operation again, after
	// Backoff, for RetryReason ("http_503", "http_429", "connect",
	// "timeout", "network").
	Retry       bool
	RetryReason string
	Backoff     time.Duration
	// Duration is how long the attempt took, body included.
	Duration time.Duration
}

// Renewal is a session renewal a client runs (once for all the callers
// that need it).
type Renewal struct {
	Provider string
}

// RenewalEnd is how a renewal ended.
type RenewalEnd struct {
	// Reason is what it did: "refresh", "login", or "adopted" (a newer
	// session another client stored); "" when it failed before either.
	Reason string
	// Err is its failure; nil on success.
	Err error
	// Category is Err's category.
	Category Category
	// Duration is how long it took.
	Duration time.Duration
}

// WithObserver makes the client report its operations, attempts,
// renewals and session changes to o (see Observer). Nil: nothing.
func WithObserver(o Observer) Option {
	return func(opts *Options) error {
		if o == nil || isNil(o) {
			return errorString("WithObserver: nil observer")
		}
		opts.Observer = o
		return nil
	}
}
