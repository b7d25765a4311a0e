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

// LoginKind says what a Source's Login needs.
type LoginKind int

const (
	// LoginImpossible: no credentials; Login fails with ErrNoLogin.
	LoginImpossible LoginKind = iota
	// LoginUnattended: stored credentials, nobody asked.
	LoginUnattended
	// LoginPerson: a person takes part (Fintract's OTP callback).
	LoginPerson
)

// Source obtains tokens from the provider. Its calls run without the
// session's own credentials and are never retried on 4xx.
type Source interface {
	// Refresh trades the refresh token of cur for a new token. The result
	// may leave Facts nil: it then keeps cur's.
	Refresh(ctx context.Context, cur *Token) (*Token, error)
	// Login obtains a new session with stored credentials, or returns an
	// error wrapping ErrNoLogin when it cannot.
	Login(ctx context.Context) (*Token, error)
	// LoginKind says what Login needs now.
	LoginKind() LoginKind
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
	// SingleUse: the provider's refresh tokens are spent by their first
	// use (the merchant wallet's): one is presented at most once, by one
	// replica, and never after an attempt that got no answer.
	SingleUse bool
}

// Cache holds the current session and renews it. The session is one
// immutable *Token in cur; every change replaces it whole (place, Swap).
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
	// with: calls carrying it fail at once with its error, sending nothing
	// (with a store, after a look for a newer session there).
	dead atomic.Pointer[deadSession]
	// holdUntil (unix ns) is when a background renewal may start again
	// after one that got no answer; failures counts those in a row.
	holdUntil atomic.Int64
	failures  atomic.Int32
	// ended is the last session this client logged out: nothing at or
	// below it in the lineage is ever adopted, whether or not the store
	// got its tombstone.
	ended atomic.Pointer[Token]
	// tombPending: ended's tombstone has not reached the store yet.
	tombPending atomic.Bool
	// shared is how the session is shared (a store, a hook); nil: not.
	shared *Shared
	// writes orders the store writes of rotated pairs.
	writes sync.Mutex
	// degraded is set once a store failure was logged, until it works.
	degraded atomic.Bool
	// obs sees renewals and session changes; nil: nothing.
	obs banklink.Observer
	// lastRead is the last stored record decoded (record.go).
	lastRead atomic.Pointer[readMemo]
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

// Current returns the current session, possibly nil or expired.
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

// storeRenewed stores a renewal's result unless the session was replaced
// from outside since the renewal started (epoch), and returns the session
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

// Swap stores next only if the stored session is still prev, and reports
// whether it did.
func (c *Cache) Swap(prev, next *Token) bool { return c.cur.CompareAndSwap(prev, next.seal()) }

// storeRenewedBecause is storeRenewed, then the session hook when the
// session was stored.
func (c *Cache) storeRenewedBecause(ctx context.Context, epoch uint64, t *Token, reason string) (*Token, error) {
	got, err := c.storeRenewed(epoch, t)
	if err == nil && got == t {
		c.changed(ctx, t, reason)
	}
	return got, err
}

// Token returns a session fit to send: the current one while it is valid
// (starting a background renewal when it is inside the margin, unless one
// failed moments ago), else the result of a renewal the caller waits for.
// A context that has ended starts nothing.
func (c *Cache) Token(ctx context.Context) (*Token, error) {
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
	}
	t := c.cur.Load()
	if d := c.dead.Load(); d != nil && d.tok == t {
		return c.Renew(ctx, t) // never sent: the store may hold a newer session, else its error
	}
	if t != nil {
		switch c.state(t) {
		case fresh:
			return t, nil
		case aging:
			if c.mayRenewInBackground() {
				c.start(ctx, t)
			}
			return t, nil
		}
	}
	return c.Renew(ctx, t)
}

// Renew replaces stale, a session the server rejected (or nil when there
// is none), and returns its replacement. Concurrent callers share one
// renewal; a caller whose stale session was already replaced gets the
// replacement at once. Each waiter keeps its own ctx; one that has ended
// starts nothing.
func (c *Cache) Renew(ctx context.Context, stale *Token) (*Token, error) {
	if t := c.cur.Load(); t != nil && t != stale && c.state(t) != expired {
		return t, nil
	}
	if d := c.dead.Load(); d != nil && d.tok == stale && !c.sharesStore() {
		return nil, d.err
	}
	if ctx.Err() != nil {
		return nil, context.Cause(ctx)
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
// caller that comes later sees the new session, or starts a new flight. A
// panic in the source (a provider's decoding, a caller's OTP callback)
// becomes the flight's error: no goroutine of the SDK's takes the
// process down.
func (c *Cache) fly(ctx context.Context, f *flight, stale *Token) {
	defer func() {
		if p := recover(); p != nil {
			f.tok, f.err = nil, &panicError{provider: c.name, value: fmt.Sprintf("%T", p), at: panicSite()}
		}
		c.holdOff(f.err)
		c.flight.Store(nil)
		close(f.done)
	}()
	f.tok, f.err = c.renew(ctx, stale)
}

// holdOff spaces background renewals after ones that got no answer: 1s,
// doubling to 30s, while the current token keeps serving; a renewal that
// worked, or was refused, ends it.
func (c *Cache) holdOff(err error) {
	if err == nil || Refused(err) {
		c.failures.Store(0)
		c.holdUntil.Store(0)
		return
	}
	n := min(c.failures.Add(1), 6)
	c.holdUntil.Store(c.now().Add(min(time.Second<<(n-1), 30*time.Second)).UnixNano())
}

func (c *Cache) mayRenewInBackground() bool {
	h := c.holdUntil.Load()
	return h == 0 || c.now().UnixNano() >= h
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
// started it and bounded by the policy's timeout: through the store when
// the cache shares one (shared.go), else, or when the store is down, on
// its own (renewal.go).
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
			end(banklink.RenewalEnd{Reason: *note, Err: err, Category: errs.CategoryOf(err), Duration: c.now().Sub(start)})
		}()
	}
	if d := c.dead.Load(); d != nil && d.tok == stale {
		return c.revive(ctx, epoch, stale, d.err, note)
	}
	t, err := c.renewEither(ctx, epoch, stale, note)
	if errors.As(err, new(*noLoginError)) && stale != nil {
		// Refused, and nothing to log in with: the session is dead. Calls
		// carrying it fail at once, sending nothing (after a look at the
		// store, which may hold a newer session).
		c.dead.CompareAndSwap(nil, &deadSession{tok: stale, err: err})
	}
	return t, err
}

// renewEither renews through the store when the cache shares one and it
// answers, else on its own.
func (c *Cache) renewEither(ctx context.Context, epoch uint64, stale *Token, note *string) (*Token, error) {
	if !c.sharesStore() {
		return c.renewAlone(ctx, epoch, stale, note, nil)
	}
	t, err := c.renewShared(ctx, epoch, stale, note)
	var down *storeDown
	if !errors.As(err, &down) {
		if err == nil {
			c.degraded.Store(false)
		}
		return t, err
	}
	c.warn(ctx, "session store unavailable: renewing in this process only", down.err)
	return c.renewAlone(ctx, epoch, stale, note, down)
}

// renewAlone renews without the store. When the store is down (down) and
// the refresh tokens are single-use, the fleet may share this one: it is
// not presented, and the client logs in on its own instead.
func (c *Cache) renewAlone(ctx context.Context, epoch uint64, stale *Token, note *string, down *storeDown) (*Token, error) {
	mayRefresh := down == nil || !c.policy.SingleUse || private(stale)
	if !mayRefresh && c.src.LoginKind() != LoginUnattended {
		return nil, &sharedTokenError{provider: c.name, store: down.err}
	}
	t, reason, err := c.renewFrom(ctx, stale, mayRefresh)
	if err != nil {
		return nil, err
	}
	*note = reason
	return c.storeRenewedBecause(ctx, epoch, c.descend(t, stale, nil), reason)
}

// private reports whether t is this client's alone: obtained here (it
// has an identity), never stored, and no write of it was sent that might
// land later, so no other replica can hold it. Sessions restored from
// outside (no identity) may be shared by config.
func private(t *Token) bool { return t != nil && t.ID != "" && t.Version == 0 && !t.Published }

// descend gives a renewal's result its lineage: a new identity, one
// generation above everything it descends from or replaces, and the
// base's facts when the answer brought none.
func (c *Cache) descend(t, base *Token, st *stored) *Token {
	var gen uint64
	for _, s := range []*Token{base, c.cur.Load(), c.ended.Load()} {
		if s != nil {
			gen = max(gen, s.Gen)
		}
	}
	if st != nil {
		gen = max(gen, st.gen)
	}
	t.ID, t.Gen, t.Version, t.Published, t.Adopted = newID(), gen+1, 0, false, false
	if t.Facts == nil && base != nil {
		t.Facts = base.Facts
	}
	return t
}

// revive is a renewal of a dead session: a newer session in the store
// (another replica's login, an operator's) is adopted; nothing is sent.
func (c *Cache) revive(ctx context.Context, epoch uint64, stale *Token, dead error, note *string) (*Token, error) {
	if c.sharesStore() {
		if st, err := c.load(ctx); err == nil {
			if t := c.adoptable(st, stale); t != nil {
				*note = "adopted"
				return c.adopt(ctx, epoch, t)
			}
		}
	}
	return nil, dead
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

// Format prints the cache's provider only, never a token, whatever the verb.
func (c *Cache) Format(f fmt.State, _ rune) { fmt.Fprintf(f, "credential.Cache{%s}", c.name) }
