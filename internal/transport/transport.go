// Package transport is the one HTTP path every provider client uses:
// go-retryablehttp with our retry policy, credentials attached only for
// the configured origin, refresh-on-reject with a single replay, bounded
// response reads and opt-in redacted logging.
//
// The files read in the order a call runs, each calling only the files
// after it: transport.go (a client's transport), options.go, do.go (a
// provider's Do), call.go (one call: its bound, its end, the renewal
// after a refusal), check.go (input refused before sending), loop.go (the
// go-retryablehttp adapter), attempt.go (one attempt), guard.go (origin,
// redirects, rotated pairs), response.go, retry.go (the pure retry
// decision), budget.go (the retry budget), deadline.go (the bounded
// contexts of calls and attempts, on the transport's one timer),
// origin.go, body.go, op.go,
// observe.go (observer hooks and logs), redaction.go, pool.go (the
// connection pool default clients share).
package transport

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"runtime"
	"sync"
	"time"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/errs"

	"github.com/banklink/banklink-go/internal/credential"
)

// Scheme is how a session token travels.
type Scheme int

// The session token schemes.
const (
	SchemeNone       Scheme = iota // no session token
	SchemeBearer                   // Authorization: Bearer <access>
	SchemeHeaderPair               // X-Access-Token and X-Refresh-Token, rotated by responses
)

// Config is what a provider package tells the transport about its API.
type Config struct {
	Provider       string      // short name, for the User-Agent, logs and errors
	DefaultBaseURL string      // used when the user sets none; may be empty
	Scheme         Scheme      // how session tokens are sent
	SecretHeaders  http.Header // static headers that carry credentials (api-key, tenant): for the configured origin only, never logged
	Secrets        []string    // static secret values to redact (password, API key)
	// Rejected reports whether a decoded error means the server refused the
	// session token, so a renewal and one replay may help.
	Rejected func(error) bool
}

// Transport sends operations for one client.
type Transport struct {
	cfg         Config
	retry       policy
	budget      *budget // nil: retries bounded by the policy only
	base        *url.URL
	baseStr     string
	origin      origin
	rt          *originGuard                               // every request goes through it, to the pool or the caller's RoundTripper
	redirects   func(*http.Request, []*http.Request) error // checkRedirect, bound once
	direct      bool                                       // rt sends through net/http's Transport, nothing of the caller's between
	jar         http.CookieJar                             // the caller's http.Client's, or nil
	tokens      *credential.Cache
	deadlines   deadlines         // ends the calls' and attempts' contexts at their bounds
	obs         banklink.Observer // nil: nothing observed
	ua          string
	log         *slog.Logger
	limit       int64
	timeout     time.Duration // per-attempt bound (a stall bound for streamed bodies), see New
	callTimeout time.Duration // bound of a whole call, all attempts and waits included
	// The causes of the cut-offs, shared: errors are never modified.
	attemptTimedOut, callTimedOut, stalled *timeoutError
	// Header values shared by all requests (net/http never modifies them).
	uaVal, jsonVal, formVal []string
	noHeader                http.Header // empty, never written: the carrier requests' header
	bufs                    sync.Pool
}

// Defaults for banklink.Options fields left zero.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultCallTimeout      = 60 * time.Second
	DefaultMaxResponseBytes = 4 << 20
)

// New builds a transport from a provider's config and the user's settings.
func New(cfg Config, s banklink.Options) (*Transport, error) {
	raw := s.BaseURL
	if raw == "" {
		raw = cfg.DefaultBaseURL
	}
	base, err := parseBaseURL(raw, s.AllowInsecureHTTP)
	if err != nil {
		return nil, errs.Config(cfg.Provider, err)
	}
	for _, secret := range cfg.Secrets {
		if secret != "" && s.SessionKey == secret {
			return nil, errs.Config(cfg.Provider, errors.New("WithSessionStore: the key must name the account, never hold a credential"))
		}
	}
	t := &Transport{
		cfg:     cfg,
		retry:   withDefaults(policy(s.Retry)),
		budget:  newBudget(s.RetryBudget),
		base:    base,
		baseStr: base.String(),
		origin:  originOf(base),
		log:     s.Logger,
		limit:   s.MaxResponseBytes,
		obs:     s.Observer,
		ua:      "banklink-go/" + banklink.Version + " (" + cfg.Provider + "; " + runtime.Version() + ")",
	}
	if s.UserAgent != "" {
		t.ua += " " + s.UserAgent
	}
	if t.limit <= 0 {
		t.limit = DefaultMaxResponseBytes
	}
	t.uaVal = []string{t.ua}
	t.jsonVal = []string{"application/json"}
	t.formVal = []string{"application/x-www-form-urlencoded"}
	t.noHeader = http.Header{}
	t.bufs.New = func() any { return new(bytes.Buffer) }

	t.setTimeouts(s)
	rt := s.Transport
	if s.HTTPClient != nil {
		t.jar = s.HTTPClient.Jar
		if rt == nil {
			rt = s.HTTPClient.Transport
		}
	}
	if rt == nil {
		rt = sharedTransport()
	}
	switch rt.(type) {
	case *sharedPool, *http.Transport:
		t.direct = true
	}
	t.rt = &originGuard{t: t, next: rt}
	t.redirects = t.checkRedirect
	return t, nil
}

// setTimeouts sets the transport's bounds. The timeout bounds every
// attempt: connecting and the TLS handshake (transport settings), then the
// whole exchange through the attempt's context; a streamed upload instead
// ends when no byte has moved for that long, so a long upload is never cut
// off. The call timeout bounds all attempts and waits together. Both apply
// to a caller-supplied RoundTripper too.
func (t *Transport) setTimeouts(s banklink.Options) {
	timeout := s.Timeout
	if timeout <= 0 && s.HTTPClient != nil {
		timeout = s.HTTPClient.Timeout
	}
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	t.timeout = timeout
	t.callTimeout = s.CallTimeout
	if t.callTimeout <= 0 {
		t.callTimeout = DefaultCallTimeout
	}
	t.attemptTimedOut = &timeoutError{what: "attempt", after: timeout}
	t.stalled = &timeoutError{what: "stall", after: timeout}
	t.callTimedOut = &timeoutError{what: "call", after: t.callTimeout}
}

// sharedTransport is the one pool every client of the process shares
// unless its caller supplies a RoundTripper (as net/http's
// DefaultTransport, azcore's and go-github's default clients are shared):
// connections are bounded by the pool, not by the number of clients, and a
// client dropped without ceremony holds nothing. It is created on first
// use and never replaced.
var sharedTransport = sync.OnceValue(newSharedPool)

// SetTokens gives the transport the session cache its authenticated
// operations draw from. Providers call it once, right after New.
func (t *Transport) SetTokens(c *credential.Cache) {
	t.tokens = c
	c.Observe(t.obs)
}

// BaseURL returns the configured base URL.
func (t *Transport) BaseURL() string { return t.baseStr }

// CloseIdleConnections closes idle keep-alive connections: the caller's
// transport's, or the shared pool's once no call is in flight on it
// (every default client's).
func (t *Transport) CloseIdleConnections() { t.rt.CloseIdleConnections() }

// Format prints the provider and base URL only: a transport holds secrets
// (static headers, their values for redaction) that no verb may show.
func (t *Transport) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "transport{%s %s}", t.cfg.Provider, t.baseStr)
}
