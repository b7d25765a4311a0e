package banklink

import (
	"errors"
	"log/slog"
	"net/http"
	"reflect"
	"time"

	"github.com/banklink/banklink-go/internal/transport"
)

// Option configures a client. The options in this package work with every
// provider's New; each provider package adds its own (credentials,
// sessions), which fail with an error when given to another provider.
type Option interface {
	Apply(*transport.Settings)
}

// RetryPolicy bounds automatic retries; zero fields take the defaults
// (3 retries, backoff 250ms–5s with jitter, Retry-After honoured up to 30s).
// Retries never re-send an operation with side effects once it may have
// reached the server.
type RetryPolicy = transport.RetryPolicy

// WithBaseURL sets the API's base URL. It must be https, or http to a
// loopback host, unless WithInsecureHTTP is given too.
func WithBaseURL(u string) Option {
	return transport.OptionFunc(func(s *transport.Settings) { s.BaseURL = u })
}

// WithHTTPClient makes the client send through hc's Transport and Jar,
// and use hc.Timeout as the per-attempt timeout unless WithTimeout is
// given. The SDK still wraps the Transport with its credential layer and
// keeps its own redirect policy, so credentials never leave the configured
// origin.
func WithHTTPClient(hc *http.Client) Option {
	return transport.OptionFunc(func(s *transport.Settings) {
		if hc == nil {
			s.Fail(errors.New("WithHTTPClient: nil *http.Client"))
			return
		}
		if hc.Transport != nil && isNil(hc.Transport) {
			s.Fail(errors.New("WithHTTPClient: the client's Transport is a nil pointer"))
			return
		}
		s.HTTPClient = hc
	})
}

// WithTransport sets the base RoundTripper under the SDK's credential
// layer: for tracing, proxies, or httpmock in tests. The default is a
// pooled transport requiring TLS 1.2 or later.
func WithTransport(rt http.RoundTripper) Option {
	return transport.OptionFunc(func(s *transport.Settings) {
		if isNil(rt) {
			s.Fail(errors.New("WithTransport: nil RoundTripper"))
			return
		}
		s.Transport = rt
	})
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
	return transport.OptionFunc(func(s *transport.Settings) { s.Retry = p })
}

// WithLogger turns on logging to l: one Debug record per HTTP attempt,
// retry and token renewal. Records hold the method, path, status, timing
// and operation name, never a header value, a body, a query string or a
// secret. Without this option the SDK logs nothing.
func WithLogger(l *slog.Logger) Option {
	return transport.OptionFunc(func(s *transport.Settings) { s.Logger = l })
}

// WithUserAgent appends suffix (e.g. "payments-svc/1.4") to the SDK's
// User-Agent.
func WithUserAgent(suffix string) Option {
	return transport.OptionFunc(func(s *transport.Settings) { s.UserAgent = suffix })
}

// WithInsecureHTTP allows a plain-http base URL to a host that is not this
// machine. Credentials then cross the network unencrypted: use it only on
// networks you trust, for test deployments that offer nothing else.
func WithInsecureHTTP() Option {
	return transport.OptionFunc(func(s *transport.Settings) { s.AllowInsecureHTTP = true })
}

// WithTimeout bounds each HTTP attempt (default 30s): connecting, the TLS
// handshake, any same-origin redirects and the wait for the complete
// answer, body included. A streamed upload is bounded instead by the time
// no byte moves either way, so a long upload that keeps moving is never
// cut off. See WithCallTimeout for the bound of a whole call.
func WithTimeout(d time.Duration) Option {
	return positive("WithTimeout", d, func(s *transport.Settings) { s.Timeout = d })
}

// WithCallTimeout bounds a whole call (default 60s): every attempt, the
// waits between them and a session renewal it waits for, even when the
// caller's context has no deadline. A call that runs out ends with a
// *CallError matching ErrUnavailable and context.DeadlineExceeded. A
// streamed upload is not bounded by it (see WithTimeout). The caller's
// context still ends any call sooner.
func WithCallTimeout(d time.Duration) Option {
	return positive("WithCallTimeout", d, func(s *transport.Settings) { s.CallTimeout = d })
}

// positive is an option that sets a duration, refused when not positive.
func positive(name string, d time.Duration, set func(*transport.Settings)) Option {
	return transport.OptionFunc(func(s *transport.Settings) {
		if d <= 0 {
			s.Fail(errors.New(name + ": the timeout must be positive"))
			return
		}
		set(s)
	})
}

// WithMaxResponseBytes bounds how much of a response body is read
// (default 4 MiB); a larger body fails with ErrResponseTooLarge.
func WithMaxResponseBytes(n int64) Option {
	return transport.OptionFunc(func(s *transport.Settings) {
		if n <= 0 {
			s.Fail(errors.New("WithMaxResponseBytes: the limit must be positive"))
			return
		}
		s.MaxResponseBytes = n
	})
}
