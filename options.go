package banklink

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"reflect"
	"time"
)

// Options are a client's settings, as the With* options set them. A zero
// field takes its default, documented on the field; New reads them once.
type Options struct {
	// BaseURL is the API's base URL (see WithBaseURL). Empty: the
	// provider's documented URL, where it has one.
	BaseURL string
	// HTTPClient lends its Transport and Jar (see WithHTTPClient). Nil:
	// the SDK's shared pooled transport.
	HTTPClient *http.Client
	// Transport is the RoundTripper under the SDK's credential layer (see
	// WithTransport). Nil: HTTPClient's, else the shared pooled transport.
	Transport http.RoundTripper
	// Retry is the retry policy; its zero value is the default policy.
	Retry RetryPolicy
	// RetryBudget bounds the retries of all the client's calls together
	// (see WithRetryBudget); its zero value is the default budget.
	RetryBudget RetryBudget
	// Logger receives the SDK's records (see WithLogger). Nil: no logging.
	Logger *slog.Logger
	// UserAgent is appended to the SDK's User-Agent. Empty: nothing.
	UserAgent string
	// AllowInsecureHTTP allows plain http to a host that is not this
	// machine (see WithInsecureHTTP). False: refused.
	AllowInsecureHTTP bool
	// Timeout bounds each HTTP attempt (see WithTimeout). Zero:
	// HTTPClient.Timeout when set, else 30s.
	Timeout time.Duration
	// CallTimeout bounds a whole call (see WithCallTimeout). Zero: 60s.
	CallTimeout time.Duration
	// MaxResponseBytes bounds a response body (see WithMaxResponseBytes).
	// Zero: 4 MiB.
	MaxResponseBytes int64
	// SessionStore and SessionKey share the session with other clients
	// (see WithSessionStore). Nil: the client renews on its own.
	SessionStore SessionStore
	SessionKey   string
	// SessionLeaseTTL is the store's renewal lease, extended while its
	// holder works. Zero: 3s.
	SessionLeaseTTL time.Duration
	// SessionStoreTimeout bounds each call to the session store (see
	// WithSessionStoreTimeout). Zero: 500ms.
	SessionStoreTimeout time.Duration
	// OnSessionChange is called after every session change (see
	// WithSessionHook). Nil: nothing is called.
	OnSessionChange func(ctx context.Context, change SessionChange)
	// Observer sees operations, attempts, renewals and session changes
	// (see WithObserver). Nil: nothing is observed.
	Observer Observer
	// Provider holds the provider package's own settings (credentials, a
	// saved session, …), which that package's options fill in. Options
	// of your own leave it alone.
	Provider any
}

// Option configures a client: it changes the Options, or returns an
// error, which New reports in a *ConfigError. The options in this package
// work with every provider's New; each provider package adds its own
// (credentials, sessions), which fail when given to another provider's.
// A nil Option is ignored. An option of your own is a function:
//
//	fast := banklink.Option(func(o *banklink.Options) error { o.Timeout = 2 * time.Second; return nil })
type Option func(o *Options) error

// WithBaseURL sets the API's base URL. It must be https, or http to a
// loopback host, unless WithInsecureHTTP is given too.
func WithBaseURL(u string) Option {
	return func(o *Options) error { o.BaseURL = u; return nil }
}

// WithHTTPClient makes the client send through hc's Transport and Jar,
// and use hc.Timeout as the per-attempt timeout unless WithTimeout is
// given. The SDK still wraps the Transport with its credential layer and
// keeps its own redirect policy, so credentials never leave the configured
// origin.
func WithHTTPClient(hc *http.Client) Option {
	return func(o *Options) error {
		if hc == nil {
			return errors.New("WithHTTPClient: nil *http.Client")
		}
		if hc.Transport != nil && isNil(hc.Transport) {
			return errors.New("WithHTTPClient: the client's Transport is a nil pointer")
		}
		o.HTTPClient = hc
		return nil
	}
}

// WithTransport sets the base RoundTripper under the SDK's credential
// layer: for tracing, proxies, or httpmock in tests. The default is a
// pooled transport requiring TLS 1.2 or later.
func WithTransport(rt http.RoundTripper) Option {
	return func(o *Options) error {
		if isNil(rt) {
			return errors.New("WithTransport: nil RoundTripper")
		}
		o.Transport = rt
		return nil
	}
}

// isNil reports whether v is nil or an interface holding a nil pointer
// (a typed nil, such as a *http.Transport variable never assigned), which
// would panic on the first call instead of failing at New.
func isNil(v any) bool {
	if v == nil {
		return true
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Func, reflect.Interface, reflect.Slice, reflect.Chan:
		return rv.IsNil()
	}
	return false
}

// WithRetry sets the retry policy. Use RetryPolicy{MaxRetries: -1} to
// disable retries.
func WithRetry(p RetryPolicy) Option {
	return func(o *Options) error { o.Retry = p; return nil }
}

// WithLogger turns on logging to l, at levels a service can run at: Warn
// when retries ran out, when a session had to be replaced by a new login,
// and when a session store is unavailable; Info for a login, a refresh or a
// session adopted from the store; Debug for each HTTP attempt and retry.
// Every record is logged with the caller's context (a renewal's, with the
// context of the call that started it), so a trace-aware slog.Handler adds
// the trace id. Records hold the method, path, status, timing and
// operation name, never a header value, a body, a query string or a
// secret. Without this option the SDK logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(o *Options) error { o.Logger = l; return nil }
}

// WithUserAgent appends suffix (e.g. "payments-svc/1.4") to the SDK's
// User-Agent.
func WithUserAgent(suffix string) Option {
	return func(o *Options) error { o.UserAgent = suffix; return nil }
}

// WithInsecureHTTP allows a plain-http base URL to a host that is not this
// machine. Credentials then cross the network unencrypted: use it only on
// networks you trust, for test deployments that offer nothing else.
func WithInsecureHTTP() Option {
	return func(o *Options) error { o.AllowInsecureHTTP = true; return nil }
}

// WithTimeout bounds each HTTP attempt (default 30s): connecting, the TLS
// handshake, any same-origin redirects and the wait for the complete
// answer, body included. A streamed upload is bounded instead by the time
// no byte moves either way, so a long upload that keeps moving is never
// cut off. See WithCallTimeout for the bound of a whole call.
func WithTimeout(d time.Duration) Option {
	return positive("WithTimeout", d, func(o *Options) { o.Timeout = d })
}

// WithCallTimeout bounds a whole call (default 60s): every attempt, the
// waits between them and a session renewal it waits for, even when the
// caller's context has no deadline. A call that runs out ends with a
// *CallError matching ErrUnavailable and context.DeadlineExceeded. A
// streamed upload is not bounded by it (see WithTimeout). The caller's
// context still ends any call sooner.
func WithCallTimeout(d time.Duration) Option {
	return positive("WithCallTimeout", d, func(o *Options) { o.CallTimeout = d })
}

// positive is an option that sets a duration, refused when not positive.
func positive(name string, d time.Duration, set func(*Options)) Option {
	return func(o *Options) error {
		if d <= 0 {
			return errors.New(name + ": the timeout must be positive")
		}
		set(o)
		return nil
	}
}

// WithMaxResponseBytes bounds how much of a response body is read
// (default 4 MiB); a larger body fails with ErrResponseTooLarge.
func WithMaxResponseBytes(n int64) Option {
	return func(o *Options) error {
		if n <= 0 {
			return errors.New("WithMaxResponseBytes: the limit must be positive")
		}
		o.MaxResponseBytes = n
		return nil
	}
}
