package credential

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

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

// Store replaces the stored token (a login, a restored session, a rotation).
func (c *Cache) Store(t *Token) { c.cur.Store(t.seal()) }

// Swap stores next only if the stored token is still prev, and reports
// whether it did.
func (c *Cache) Swap(prev, next *Token) bool { return c.cur.CompareAndSwap(prev, next.seal()) }

// Token returns a token fit to send: the current one while it is valid
// (starting a background renewal when it is inside the margin), else the
// result of a renewal the caller waits for.
func (c *Cache) Token(ctx context.Context) (*Token, error) {
	t := c.cur.Load()
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
	f := c.start(ctx, stale)
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
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
// caller that comes later sees the new token, or starts a new flight.
func (c *Cache) fly(ctx context.Context, f *flight, stale *Token) {
	f.tok, f.err = c.renew(ctx, stale)
	c.flight.Store(nil)
	close(f.done)
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
func (c *Cache) renew(caller context.Context, stale *Token) (*Token, error) {
	if t := c.cur.Load(); t != nil && t != stale && c.state(t) != expired {
		return t, nil // replaced while this flight was being set up
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(caller), c.policy.Timeout)
	defer cancel()

	var refreshErr error
	if stale != nil && stale.Refresh != "" && (stale.RefreshExpiry.IsZero() || stale.RefreshExpiry.After(c.now())) {
		t, err := c.src.Refresh(ctx, stale)
		if err == nil {
			c.Store(t)
			c.debug("token refreshed")
			return t, nil
		}
		refreshErr = err
		c.debug("token refresh failed; logging in again", "error", err)
	}
	t, err := c.src.Login(ctx)
	if err != nil {
		if errors.Is(err, ErrNoLogin) && refreshErr != nil {
			err = &noLoginError{refresh: refreshErr, login: err}
		}
		return nil, &errs.SessionExpiredError{Err: err}
	}
	c.Store(t)
	c.debug("logged in")
	return t, nil
}

func (c *Cache) debug(msg string, args ...any) {
	if c.log != nil {
		c.log.Debug(msg, append(args, "provider", c.name)...)
	}
}

// noLoginError is a refused refresh with no way to log in again: it reads
// as the refresh failure and matches both causes.
type noLoginError struct{ refresh, login error }

func (e *noLoginError) Error() string   { return e.refresh.Error() + " (" + e.login.Error() + ")" }
func (e *noLoginError) Unwrap() []error { return []error{e.refresh, e.login} }

// Format prints the cache's provider only, never a token, whatever the verb.
func (c *Cache) Format(f fmt.State, _ rune) { fmt.Fprintf(f, "credential.Cache{%s}", c.name) }
