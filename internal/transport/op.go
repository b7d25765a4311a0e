package transport

import "io"

// Op is one API operation.
type Op struct {
	Name   string // short name for logs, e.g. "loans"
	Method string
	Path   string // relative to the base URL; never holds a secret
	// Query is appended to the URL. It is never logged and never appears
	// in errors (it may hold a token).
	Query map[string][]string
	// Body is sent as is on every attempt.
	Body []byte
	// BodyFunc, when set, opens the body afresh for each attempt, for
	// bodies streamed from a source (uploads). ContentLength is its length
	// when known, else 0 (sent chunked). A returned io.ReadCloser is closed.
	BodyFunc      func() (io.Reader, error)
	ContentLength int64
	ContentType   string
	// Idempotent marks an operation that may be sent again after it may
	// have reached the server. Leave false for anything with side effects.
	// GET and HEAD operations are always idempotent (net/http re-sends them
	// by itself after a broken reused connection).
	Idempotent bool
	// NoRetry forbids any second sending, even after a failed dial or a
	// refused token: for bodies that cannot be produced again.
	NoRetry bool
	// Auth attaches the session token and renews it when refused.
	Auth bool
	// NoRenew, with Auth: a refused token is never renewed for this
	// operation; it is replayed once only when the refusal itself carried
	// a rotated token pair (logout).
	NoRenew bool
	// SecretHeaders are headers that carry credentials for this operation
	// only (e.g. a refresh token); like the session token they go to the
	// configured origin only and are never logged.
	SecretHeaders map[string][]string
	// Account is the account number the operation is about, for
	// observers (which record it only when their user opts in).
	Account string
	// Redact are values this operation sends in its body (a PIN, an OTP,
	// a new password): redacted from its errors and logs like the
	// client's own secrets.
	Redact []string
}
