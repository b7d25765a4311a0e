package credential

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/banklink/banklink-go"
)

// Codec turns a token, with what the client knows of its session, into
// the provider's saved-session form and back (adopting what the form says
// besides the tokens).
type Codec interface {
	Encode(t *Token) ([]byte, error)
	Decode(data []byte) (*Token, error)
}

// Shared is how a cache shares its session: through Store under Key (nil
// Store: not shared), and Hook after every change (nil: none).
type Shared struct {
	Store    banklink.SessionStore
	Key      string
	LeaseTTL time.Duration
	Codec    Codec
	Hook     func(ctx context.Context, change banklink.SessionChange)
}

// DefaultLeaseTTL is the renewal lease when Shared.LeaseTTL is zero.
const DefaultLeaseTTL = 15 * time.Second

// Share makes the cache share its session as s says. Providers call it
// once, right after NewCache.
func (c *Cache) Share(s Shared) {
	if s.LeaseTTL <= 0 {
		s.LeaseTTL = DefaultLeaseTTL
	}
	if s.Store != nil {
		s.Key = c.name + ":" + s.Key // one account has a session per provider
	}
	c.shared = &s
}

// storeDown is a store that could not be read or written: the renewal
// goes on locally.
type storeDown struct{ err error }

func (e *storeDown) Error() string { return "session store unavailable: " + e.err.Error() }
func (e *storeDown) Unwrap() error { return e.err }

// renewShared is renew through the store (see banklink.SessionStore):
// adopt a newer stored session, or take the lease, re-read, renew from the
// freshest stored session, compare-and-swap, release. It returns a
// *storeDown when the store failed before anything was renewed.
func (c *Cache) renewShared(ctx context.Context, epoch uint64, stale *Token, note *string) (*Token, error) {
	s := c.shared
	var mine uint64
	if stale != nil {
		mine = stale.Version
	}
	wait := 2 * time.Millisecond // the first poll of a busy lease; doubles to 50ms
	for {
		st, err := c.load(ctx)
		if err != nil {
			return nil, err
		}
		if st != nil && st.Version > mine && c.state(st) != expired {
			*note = "adopted"
			return c.adopt(ctx, epoch, st)
		}
		lease, err := s.Store.AcquireLease(ctx, s.Key, s.LeaseTTL)
		if errors.Is(err, banklink.ErrLeaseBusy) {
			// Another client is renewing: wait for its session, polling
			// soon (a renewal takes milliseconds), then less often.
			if err := pause(ctx, wait/2+rand.N(wait/2+1)); err != nil {
				return nil, err
			}
			wait = min(2*wait, 50*time.Millisecond)
			continue
		}
		if err != nil {
			return nil, &storeDown{err}
		}
		t, err := c.renewLeased(ctx, epoch, stale, mine, note)
		// Released with a context of its own: the renewal's may be spent.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		_ = s.Store.ReleaseLease(rctx, s.Key, lease)
		cancel()
		return t, err
	}
}

// renewLeased renews under the lease: from the freshest stored session
// (never a local token another replica may have spent), storing the result
// as the next version.
func (c *Cache) renewLeased(ctx context.Context, epoch uint64, stale *Token, mine uint64, note *string) (*Token, error) {
	st, err := c.load(ctx)
	if err != nil {
		return nil, err
	}
	base := stale
	if st != nil && st.Version > mine {
		if c.state(st) != expired {
			*note = "adopted"
			return c.adopt(ctx, epoch, st)
		}
		base = st
	}
	if base == nil && st != nil {
		base = st
	}
	var baseVersion uint64
	if st != nil {
		baseVersion = st.Version
	}
	t, reason, err := c.renewLocal(ctx, base)
	if err != nil {
		return nil, err
	}
	*note = reason
	return c.publish(ctx, epoch, baseVersion, t, reason)
}

// publish stores a renewal's token as the version after old, and in the
// cache. When the store moved on meanwhile (a lease that expired under a
// slow renewal), the store's newer session wins.
func (c *Cache) publish(ctx context.Context, epoch, old uint64, t *Token, reason string) (*Token, error) {
	s := c.shared
	data, err := s.Codec.Encode(t)
	if err == nil {
		var v uint64
		v, err = s.Store.CompareAndSwapSession(ctx, s.Key, old, data)
		switch {
		case err == nil:
			t.Version = v
		case errors.Is(err, banklink.ErrVersionConflict):
			if st, lerr := c.load(ctx); lerr == nil && st != nil {
				return c.adopt(ctx, epoch, st)
			}
		}
	}
	if err != nil && !errors.Is(err, banklink.ErrVersionConflict) {
		t.Version = old // not stored: it descends from the version it renewed
		c.warn(ctx, "session store unavailable: the renewed session is kept in this process only", err)
	}
	return c.storeRenewedBecause(ctx, epoch, t, reason)
}

// adopt makes a stored session the cache's.
func (c *Cache) adopt(ctx context.Context, epoch uint64, st *Token) (*Token, error) {
	c.logAt(ctx, slog.LevelInfo, "adopted the session another client renewed", "version", st.Version)
	return c.storeRenewedBecause(ctx, epoch, st, "adopted")
}

// load reads the stored session; nil when there is none.
func (c *Cache) load(ctx context.Context) (*Token, error) {
	s := c.shared
	data, v, err := s.Store.LoadSession(ctx, s.Key)
	if err != nil {
		return nil, &storeDown{err}
	}
	if v == 0 || len(data) == 0 {
		return nil, nil
	}
	t, err := s.Codec.Decode(data)
	if err != nil {
		return nil, &storeDown{err}
	}
	t.Version = v
	if t.Obtained.IsZero() {
		// Its life is counted from now: the renewal margin is a share of
		// what is left, not of a lifetime this cache never saw.
		t.Obtained = c.now()
	}
	return t, nil
}

// shareRotation stores a pair an answer rotated (prev → next, already in
// the cache) as the store's next version.
func (c *Cache) shareRotation(ctx context.Context, prev, next *Token) {
	s := c.shared
	if s == nil {
		return
	}
	if s.Store != nil {
		data, err := s.Codec.Encode(next)
		if err == nil {
			var v uint64
			v, err = s.Store.CompareAndSwapSession(ctx, s.Key, prev.Version, data)
			if err == nil {
				versioned := *next
				versioned.Version, versioned.bearer = v, nil
				if c.cur.CompareAndSwap(next, versioned.seal()) {
					next = &versioned
				}
			}
		}
		if err != nil && !errors.Is(err, banklink.ErrVersionConflict) {
			c.warn(ctx, "session store unavailable: a rotated pair is kept in this process only", err)
		}
	}
	c.changed(ctx, next, "rotation")
}

// changed tells the session hook and the observer (the latter without
// the session's tokens).
func (c *Cache) changed(ctx context.Context, t *Token, reason string) {
	s := c.shared
	hook := s != nil && s.Hook != nil
	if !hook && c.obs == nil {
		return
	}
	ch := banklink.SessionChange{Provider: c.name, Reason: reason}
	if s != nil && s.Store != nil {
		ch.Key = s.Key[len(c.name)+1:]
	}
	if t != nil {
		ch.Version = t.Version
	}
	if c.obs != nil {
		c.obs.SessionChanged(ctx, ch)
	}
	if hook {
		if t != nil && s.Codec != nil {
			ch.Session, _ = s.Codec.Encode(t)
		}
		s.Hook(ctx, ch)
	}
}

// pause waits d, or until ctx ends.
func pause(ctx context.Context, d time.Duration) error {
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return context.Cause(ctx)
	case <-tm.C:
		return nil
	}
}

// warn logs a degraded store at Warn, once per cache until the store
// works again.
func (c *Cache) warn(ctx context.Context, msg string, err error) {
	if c.log != nil && c.degraded.CompareAndSwap(false, true) {
		c.log.LogAttrs(ctx, slog.LevelWarn, "banklink: "+msg, slog.String("provider", c.name), slog.String("error", err.Error()))
	}
}

// ShareAs wires the cache to the store and hook a client's options name
// (nothing when they name neither).
func (c *Cache) ShareAs(o banklink.Options, codec Codec) {
	if o.SessionStore == nil && o.OnSessionChange == nil {
		return
	}
	c.Share(Shared{Store: o.SessionStore, Key: o.SessionKey, LeaseTTL: o.SessionLeaseTTL, Codec: codec, Hook: o.OnSessionChange})
}
