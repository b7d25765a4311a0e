package credential

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/internal/callopt"
	"github.com/banklink/banklink-go/internal/errs"
)

// ErrNoLogin is returned by a Source's Login when the client holds no
// credentials to log in with (or the provider needs a person, e.g. an OTP).
var ErrNoLogin = errors.New("no stored credentials to log in with")

// Source obtains tokens from the provider. Its calls run without the
// session's own credentials and are never retried on 4xx.
type Source interface {
	// Refresh trades the refresh token of cur for a new token.
	Refresh(ctx context.Context, cur *Token) (*Token, error)
	// Login obtains a new session with stored credentials, or returns an
	// error wrapping ErrNoLogin when it cannot.
	Login(ctx context.Context) (*Token, error)
}

// Policy sets when tokens are renewed.
type Policy struct {
	// Margin is how long before expiry a token is renewed in the background
	// while callers go on using it. It is capped at a quarter of the
	// token's lifetime, so short-lived tokens are not renewed on every call.
	Margin time.Duration
	// Skew is how close to expiry a token is treated as expired: callers
	// then wait for the renewal instead of sending a doomed request. It is
	// capped at a tenth of the token's lifetime.
	Skew time.Duration
	// Timeout bounds one renewal, which runs detached from any one caller's
	// cancellation: a caller that gives up does not fail the others.
	Timeout time.Duration
}

// Cache holds the current token and renews it.
type Cache struct {
	cur    atomic.Pointer[Token]
	src    Source
	policy Policy
	now    func() time.Time
	flight atomic.Pointer[flight] // the renewal in progress, if any
	log    *slog.Logger
	name   string
	// epoch counts the session's replacements from outside (a login, a
	// restore, a logout); a renewal stores its result only if no such
	// replacement happened meanwhile, so a session ended by Logout stays
	// ended. mu orders those stores.
	mu    sync.Mutex
	epoch atomic.Uint64
	// dead is a session whose refresh was refused with nothing to log in
	// with: calls carrying it fail at once with its error, sending nothing.
	dead atomic.Pointer[deadSession]
	// shared is how the session is shared (a store, a hook); nil: not.
	shared *Shared
	// degraded is set once a store failure was logged, until it works.
	degraded atomic.Bool
	// obs sees renewals and session changes; nil: nothing.
	obs banklink.Observer
}

// Observe makes the cache report its renewals and session changes to o
// (nil: nothing). Providers' transports call it once, before any call.
func (c *Cache) Observe(o banklink.Observer) { c.obs = o }

type deadSession struct {
	tok *Token
	err error
}

// NewCache returns a cache renewing through src. log may be nil.
func NewCache(src Source, p Policy, log *slog.Logger, provider string) *Cache {
	if p.Timeout <= 0 {
		p.Timeout = 30 * time.Second
	}
	return &Cache{src: src, policy: p, now: time.Now, log: log, name: provider}
}

// Current returns the stored token, possibly nil or expired.
func (c *Cache) Current() *Token { return c.cur.Load() }

// Store replaces the session (a restored session, a logout with nil). A
// renewal in flight meanwhile does not overwrite it.
func (c *Cache) Store(t *Token) {
	c.mu.Lock()
	c.epoch.Add(1)
	c.cur.Store(t.seal())
	c.dead.Store(nil)
	c.mu.Unlock()
}

// Publish replaces the session with one the caller obtained (an explicit
// login, reason "login"; a logout with nil, "logout"), stores it as the
// session store's next version when the cache shares one, and calls the
// session hook.
func (c *Cache) Publish(ctx context.Context, t *Token, reason string) {
	if s := c.shared; s != nil && s.Store != nil && t != nil {
		if data, err := s.Codec.Encode(t); err == nil {
			if _, v, lerr := s.Store.LoadSession(ctx, s.Key); lerr == nil {
				if nv, err := s.Store.CompareAndSwapSession(ctx, s.Key, v, data); err == nil {
					t.Version = nv
				}
			} else {
				c.warn(ctx, "session store unavailable: the new session is kept in this process only", lerr)
			}
		}
	}
	c.Store(t)
	c.changed(ctx, t, reason)
}

// storeRenewed stores a renewal's result unless the session was replaced
// from outside since the renewal started (epoch), and returns the token
// callers should use: the renewed one, or the replacement.
func (c *Cache) storeRenewed(epoch uint64, t *Token) (*Token, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.epoch.Load() == epoch {
		c.cur.Store(t.seal())
		c.dead.Store(nil)
		return t, nil
	}
	if cur := c.cur.Load(); cur != nil {
		return cur, nil
	}
	return nil, &errs.SessionExpiredError{Err: errEnded}
}

// errEnded is a renewal that finished after the session was ended.
var errEnded = errors.New("the session was ended (logout) while it was being renewed")

// Swap stores next only if the stored token is still prev, and reports
// whether it did.
func (c *Cache) Swap(prev, next *Token) bool { return c.cur.CompareAndSwap(prev, next.seal()) }

// Rotate is Swap for a pair a server rotated on an answer: when it
// swapped, the pair is shared (stored as the store's next version) and
// the session hook called.
func (c *Cache) Rotate(ctx context.Context, prev, next *Token) bool {
	if !c.Swap(prev, next) {
		return false
	}
	c.shareRotation(ctx, prev, next)
	return true
}

// storeRenewedBecause is storeRenewed, then the session hook when the
// token was stored.
func (c *Cache) storeRenewedBecause(ctx context.Context, epoch uint64, t *Token, reason string) (*Token, error) {
	got, err := c.storeRenewed(epoch, t)
	if err == nil && got == t {
		c.changed(ctx, t, reason)
	}
	return got, err
}

// Token returns a token fit to send: the current one while it is valid
// (starting a background renewal when it is inside the margin), else the
// result of a renewal the caller waits for.
func (c *Cache) Token(ctx context.Context) (*Token, error) {
	t := c.cur.Load()
	if d := c.dead.Load(); d != nil && d.tok == t {
		return nil, d.err
	}
	if t != nil {
		switch c.state(t) {
		case fresh:
			return t, nil
		case aging:
			c.start(ctx, t)
			return t, nil
		}
	}
	return c.Renew(ctx, t)
}

// Renew replaces stale, a token the server rejected (or nil when there is
// none), and returns its replacement. Concurrent callers share one renewal;
// a caller whose stale token was already replaced gets the replacement at
// once. Each waiter keeps its own ctx.
func (c *Cache) Renew(ctx context.Context, stale *Token) (*Token, error) {
	if t := c.cur.Load(); t != nil && t != stale && c.state(t) != expired {
		return t, nil
	}
	if d := c.dead.Load(); d != nil && d.tok == stale {
		return nil, d.err
	}
	f := c.start(ctx, stale)
	select {
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	case <-f.done:
		return f.tok, f.err
	}
}

// flight is one renewal in progress. Its waiters block on done, which is
// closed once tok and err are set: one close wakes them all, however
// many, without a channel, a lock acquisition or a send for each.
type flight struct {
	done chan struct{}
	tok  *Token
	err  error
}

// start returns the renewal in progress, or starts one, detached from the
// caller, to replace stale.
func (c *Cache) start(ctx context.Context, stale *Token) *flight {
	for {
		if f := c.flight.Load(); f != nil {
			return f
		}
		f := &flight{done: make(chan struct{})}
		if c.flight.CompareAndSwap(nil, f) {
			go c.fly(ctx, f, stale)
			return f
		}
	}
}

// fly runs a renewal. The flight is cleared before its waiters wake: a
// caller that comes later sees the new token, or starts a new flight. A
// panic in the source (a provider's decoding, a caller's OTP callback)
// becomes the flight's error: no goroutine of the SDK's takes the
// process down.
func (c *Cache) fly(ctx context.Context, f *flight, stale *Token) {
	defer func() {
		if p := recover(); p != nil {
			f.tok, f.err = nil, &panicError{provider: c.name, value: fmt.Sprintf("%T", p), at: panicSite()}
		}
		c.flight.Store(nil)
		close(f.done)
	}()
	f.tok, f.err = c.renew(ctx, stale)
}

type tokenState int

const (
	fresh tokenState = iota
	aging
	expired
)

func (c *Cache) state(t *Token) tokenState {
	if t.AccessExpiry.IsZero() {
		return fresh
	}
	margin, skew := c.policy.Margin, c.policy.Skew
	if life := t.AccessExpiry.Sub(t.Obtained); !t.Obtained.IsZero() {
		margin, skew = min(margin, life/4), min(skew, life/10)
	}
	left := t.AccessExpiry.Sub(c.now())
	if left <= skew {
		return expired
	}
	if left <= margin {
		return aging
	}
	return fresh
}

// renew runs inside the single flight, detached from the caller that
// started it and bounded by the policy's timeout.
//
// A failed refresh falls back to a login when the client can log in.
// Only a server's refusal ends a session: a renewal that failed for any
// other reason (no connection, a timeout, a 5xx, a wrong base path) is
// returned as it is and the session is kept for the next call; a refused
// refresh with nothing to log in with leaves the session dead, and later
// calls carrying it fail at once without sending anything.
func (c *Cache) renew(caller context.Context, stale *Token) (tok *Token, err error) {
	epoch := c.epoch.Load()
	if t := c.cur.Load(); t != nil && t != stale && c.state(t) != expired {
		return t, nil // replaced while this flight was being set up
	}
	// The caller's per-call options shape its own call, not this renewal.
	ctx, cancel := context.WithTimeout(callopt.Without(context.WithoutCancel(caller)), c.policy.Timeout)
	defer cancel()
	note := new(string) // what the renewal did, for its observer
	if c.obs != nil {
		var end func(banklink.RenewalEnd)
		ctx, end = c.obs.StartRenewal(ctx, banklink.Renewal{Provider: c.name})
		start := c.now()
		defer func() {
			end(banklink.RenewalEnd{Kind: *note, Err: err, Category: errs.CategoryOf(err), Duration: c.now().Sub(start)})
		}()
	}

	if c.shared != nil && c.shared.Store != nil {
		t, err := c.renewShared(ctx, epoch, stale, note)
		var down *storeDown
		if !errors.As(err, &down) {
			if err == nil {
				c.degraded.Store(false)
			}
			return t, err
		}
		c.warn(ctx, "session store unavailable: renewing in this process only", down.err)
	}
	t, reason, err := c.renewLocal(ctx, stale)
	if err != nil {
		return nil, err
	}
	*note = reason
	if stale != nil {
		// Not stored: it descends from stale's version, and a stored
		// session is newer only when its version is above that.
		t.Version = stale.Version
	}
	return c.storeRenewedBecause(ctx, epoch, t, reason)
}

// renewLocal refreshes stale, or logs in, and returns the new token
// (not stored yet) and which of the two it was.
func (c *Cache) renewLocal(ctx context.Context, stale *Token) (*Token, string, error) {
	var refreshErr error
	if stale != nil && stale.Refresh != "" && (stale.RefreshExpiry.IsZero() || stale.RefreshExpiry.After(c.now())) {
		t, err := c.src.Refresh(ctx, stale)
		if err == nil {
			c.logAt(ctx, slog.LevelInfo, "session refreshed")
			return t, "refresh", nil
		}
		refreshErr = err
		c.logAt(ctx, slog.LevelDebug, "refresh failed; logging in again", "error", err.Error())
	}
	t, err := c.src.Login(ctx)
	switch {
	case err == nil && stale != nil:
		// A session replaced by a new login: worth a look when it happens
		// often (a refresh token that keeps being refused).
		c.logAt(ctx, slog.LevelWarn, "logged in again: the session could not be refreshed")
		return t, "login", nil
	case err == nil:
		c.logAt(ctx, slog.LevelInfo, "logged in")
		return t, "login", nil
	case errors.Is(err, ErrNoLogin) && refreshErr != nil && Refused(refreshErr):
		e := &errs.SessionExpiredError{Err: &noLoginError{refresh: refreshErr, login: err}}
		c.dead.CompareAndSwap(nil, &deadSession{tok: stale, err: e})
		return nil, "", e
	case errors.Is(err, ErrNoLogin) && refreshErr != nil:
		return nil, "", c.unreachable(refreshErr) // no verdict on the session: kept
	case errors.Is(err, ErrNoLogin), Refused(err):
		return nil, "", &errs.SessionExpiredError{Err: err}
	}
	return nil, "", c.unreachable(err)
}

// Refused reports whether a renewal's error is the server refusing the
// token or the credentials (4xx that is not a rate limit or a missing
// route), rather than a failure to get an answer.
func Refused(err error) bool {
	switch {
	case errors.Is(err, errs.ErrNotFound), errors.Is(err, errs.ErrRateLimited), errors.Is(err, errs.ErrUnavailable),
		errors.Is(err, errs.ErrServerError), errors.Is(err, errs.ErrResponseTooLarge):
		return false
	}
	return errors.Is(err, errs.ErrUnauthorized) || errors.Is(err, errs.ErrForbidden) ||
		errors.Is(err, errs.ErrInvalidRequest) || errors.Is(err, errs.ErrReauthRequired)
}

// unreachable is a renewal that got no verdict on the session: returned
// as it is, with a word on a token endpoint that does not exist.
func (c *Cache) unreachable(err error) error {
	if errors.Is(err, errs.ErrNotFound) {
		return &endpointError{provider: c.name, err: err}
	}
	return err
}

// endpointError is a token endpoint answering 404: the base URL is wrong.
type endpointError struct {
	provider string
	err      error
}

func (e *endpointError) Error() string {
	return e.provider + ": the token endpoint was not found, check the base URL: " + e.err.Error()
}
func (e *endpointError) Unwrap() error { return e.err }

// logAt logs a renewal's record with the context of the call that
// started it (trace ids and all: the renewal's context keeps its values).
func (c *Cache) logAt(ctx context.Context, level slog.Level, msg string, args ...any) {
	if c.log != nil {
		c.log.Log(ctx, level, "banklink: "+msg, append(args, "provider", c.name)...)
	}
}

// panicError is a renewal that panicked. It names the panic's type and
// the function that panicked, never the panic's value: a callback's panic
// may carry the OTP or a password, a decoder's a piece of a token.
type panicError struct{ provider, value, at string }

func (e *panicError) Error() string {
	return e.provider + ": renewing the session panicked (a " + e.value + " in " + e.at + ")"
}

// panicSite returns the function that panicked: the first frame below
// the runtime's panic machinery, as seen from the deferred recover.
func panicSite() string {
	pcs := make([]uintptr, 16)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	for {
		f, more := frames.Next()
		if !strings.HasPrefix(f.Function, "runtime.") {
			return f.Function
		}
		if !more {
			return "unknown"
		}
	}
}

// noLoginError is a refused refresh with no way to log in again: it reads
// as the refresh failure and matches both causes.
type noLoginError struct{ refresh, login error }

func (e *noLoginError) Error() string   { return e.refresh.Error() + " (" + e.login.Error() + ")" }
func (e *noLoginError) Unwrap() []error { return []error{e.refresh, e.login} }

// Format prints the cache's provider only, never a token, whatever the verb.
func (c *Cache) Format(f fmt.State, _ rune) { fmt.Fprintf(f, "credential.Cache{%s}", c.name) }
