package credential

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/banklink/banklink-go"
)

// Shared is how a cache shares its session: through Store under Key (nil
// Store: not shared), and Hook after every change (nil: none).
type Shared struct {
	Store    banklink.SessionStore
	Key      string
	LeaseTTL time.Duration // zero: DefaultLeaseTTL
	Timeout  time.Duration // bounds each store call; zero: DefaultStoreTimeout
	Codec    Codec
	Hook     func(ctx context.Context, change banklink.SessionChange)
}

// DefaultLeaseTTL is the renewal lease when Shared.LeaseTTL is zero: how
// long a holder that died stalls the fleet. A live holder extends it every
// third of it.
const DefaultLeaseTTL = 3 * time.Second

// DefaultStoreTimeout bounds a store call when Shared.Timeout is zero.
const DefaultStoreTimeout = 500 * time.Millisecond

// Share makes the cache share its session as s says. Providers call it
// once, right after NewCache.
func (c *Cache) Share(s Shared) {
	if s.LeaseTTL <= 0 {
		s.LeaseTTL = DefaultLeaseTTL
	}
	if s.Timeout <= 0 {
		s.Timeout = DefaultStoreTimeout
	}
	if s.Store != nil {
		s.Key = c.name + ":" + s.Key // one account has a session per provider
	}
	c.shared = &s
}

// ShareAs wires the cache to the store and hook a client's options name
// (nothing when they name neither).
func (c *Cache) ShareAs(o banklink.Options, codec Codec) {
	if o.SessionStore == nil && o.OnSessionChange == nil {
		return
	}
	c.Share(Shared{Store: o.SessionStore, Key: o.SessionKey, LeaseTTL: o.SessionLeaseTTL, Timeout: o.SessionStoreTimeout, Codec: codec, Hook: o.OnSessionChange})
}

func (c *Cache) sharesStore() bool { return c.shared != nil && c.shared.Store != nil }

// storeDown is a store that erred or did not answer in time: the renewal
// goes on without it.
type storeDown struct{ err error }

func (e *storeDown) Error() string { return "session store unavailable: " + e.err.Error() }
func (e *storeDown) Unwrap() error { return e.err }

// errStoreTimeout is a store call that did not answer within its bound.
var errStoreTimeout = errors.New("the session store did not answer in time")

// storeCall runs f with the store's own deadline, and returns when f does
// or when the deadline (or ctx) ends, whichever comes first: a store that
// hangs, or whose client ignores deadlines while it retries, holds up
// nothing. f then finishes on its own; its result, handed over only
// through the channel, is dropped.
func storeCall[T any](c *Cache, ctx context.Context, f func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeoutCause(ctx, c.shared.Timeout, errStoreTimeout)
	defer cancel()
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		v, err := f(ctx)
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.v, r.err
	case <-ctx.Done():
		var zero T
		return zero, context.Cause(ctx)
	}
}

// loaded is a store's answer to LoadSession.
type loaded struct {
	data    []byte
	version uint64
}

// load reads the stored record; nil when there is none. A value that does
// not open or decode is "nothing readable" (unreadable, with its version
// so that a renewal can replace it), logged once.
func (c *Cache) load(ctx context.Context) (*stored, error) {
	s := c.shared
	got, err := storeCall(c, ctx, func(ctx context.Context) (loaded, error) {
		data, v, err := s.Store.LoadSession(ctx, s.Key)
		return loaded{data, v}, err
	})
	data, v := got.data, got.version
	switch {
	case errors.Is(err, banklink.ErrSessionUnreadable):
		c.warn(ctx, "the stored session cannot be read: it will be replaced", err)
		return &stored{version: v, unreadable: true}, nil
	case err != nil:
		return nil, &storeDown{err}
	case v == 0 || len(data) == 0:
		return nil, nil
	}
	st, err := c.decodeRecord(data)
	if err != nil {
		c.warn(ctx, "the stored session cannot be read: it will be replaced", err)
		return &stored{version: v, unreadable: true}, nil
	}
	st.version = v
	if st.tok != nil {
		st.tok.Version = v
	}
	return st, nil
}

// cas writes t's record in state as the version after old, under fence (0:
// no lease), and returns the new version.
func (c *Cache) cas(ctx context.Context, old, fence uint64, t *Token, state string) (uint64, error) {
	data, err := c.encodeRecord(t, state)
	if err != nil {
		return 0, err
	}
	return storeCall(c, ctx, func(ctx context.Context) (uint64, error) {
		return c.shared.Store.CompareAndSwapSession(ctx, c.shared.Key, old, fence, data)
	})
}

// adoptable returns the stored session when a client holding mine should
// take it instead of renewing: a live session ahead of mine whose access
// token is still good. A tombstone never is, nor a session whose refresh
// is in flight: the server may be replacing its access token right now
// (the wallet ends it when it spends the refresh token), so the client
// waits for the result instead.
func (c *Cache) adoptable(st *stored, mine *Token) *Token {
	if st == nil || st.tok == nil || st.state != stateLive || !ahead(st, mine) || c.state(st.tok) == expired || c.endedHere(st) {
		return nil
	}
	if mine != nil && st.tok.Access == mine.Access {
		return nil // the very token being renewed (a restored session has no lineage to tell)
	}
	return st.tok
}

// endedHere reports whether st is a session this client logged out (or
// one before it), which the store may still hold if its tombstone was
// lost.
func (c *Cache) endedHere(st *stored) bool {
	e := c.ended.Load()
	return e != nil && st != nil && !ahead(st, e)
}

// renewShared is renew through the store (see banklink.SessionStore):
// adopt a newer stored session, or take the lease and renew under it
// (lease.go). It returns a *storeDown when the store failed before
// anything was presented to the provider.
func (c *Cache) renewShared(ctx context.Context, epoch uint64, stale *Token, note *string) (*Token, error) {
	c.retryTombstone(ctx)
	wait := 2 * time.Millisecond // the first poll of a busy lease; doubles to 50ms
	for {
		st, err := c.load(ctx)
		if err != nil {
			return nil, err
		}
		if t := c.adoptable(st, stale); t != nil {
			*note = "adopted"
			return c.adopt(ctx, epoch, t)
		}
		lease, until, err := c.acquire(ctx)
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
		return c.renewLeased(ctx, epoch, stale, lease, until, note)
	}
}

// renewLeased renews under the lease (held, extended and released by
// hold): re-read; adopt what another replica stored meanwhile; else pick
// the freshest session to renew from, record that its refresh is in
// flight before presenting it, renew, and store the result fenced.
func (c *Cache) renewLeased(ctx context.Context, epoch uint64, stale *Token, lease banklink.Lease, until time.Time, note *string) (*Token, error) {
	lctx, release := c.hold(ctx, lease, until)
	defer release()
	st, err := c.load(lctx)
	if err != nil {
		return nil, err
	}
	if t := c.adoptable(st, stale); t != nil {
		*note = "adopted"
		return c.adopt(ctx, epoch, t)
	}
	base, mayRefresh := c.baseOf(st, stale)
	var old uint64
	if st != nil {
		old = st.version
	}
	if mayRefresh && c.canRefresh(base) {
		if base.ID == "" {
			// A session from before records (or never stored): it gets
			// an identity before its intent can be recorded.
			base = base.With(func(t *Token) { t.ID = newID() })
		}
		v, err := c.cas(lctx, old, lease.Fence, base, stateRefreshing)
		switch {
		case err == nil:
			old = v
		case errors.Is(err, banklink.ErrVersionConflict), isLeaseLost(err):
			return c.lost(ctx, epoch, stale, note)
		default:
			return nil, &storeDown{err}
		}
	}
	t, reason, err := c.renewFrom(lctx, base, mayRefresh)
	if err != nil {
		return nil, err
	}
	*note = reason
	return c.publish(ctx, epoch, old, lease.Fence, c.descend(t, base, st), reason)
}

// baseOf picks the session to renew from under the lease, and whether its
// refresh token may be presented. For single-use tokens it may not when
// the store says another replica was presenting it (an intent with
// nothing newer: that replica died or lost its lease), when the store
// lost what this client had stored (data loss, rollback, an unreadable
// value: an intent may have been lost with it), or after a logout.
func (c *Cache) baseOf(st *stored, stale *Token) (*Token, bool) {
	switch {
	case st != nil && st.state == stateLoggedOut && !(stale != nil && stale.Gen > st.gen),
		c.endedHere(st) && stale == nil:
		return nil, false // logged out: only a new login
	case st != nil && st.tok != nil && !behind(st, stale) && (ahead(st, stale) || stale == nil || st.gen == stale.Gen):
		return st.tok, !(c.policy.SingleUse && st.state == stateRefreshing)
	}
	return stale, !(c.policy.SingleUse && behind(st, stale))
}

// lost is a renewal whose lease was lost (or whose store moved on) before
// it presented anything: it adopts what the store has, or reports the
// store as down so the client renews on its own terms.
func (c *Cache) lost(ctx context.Context, epoch uint64, stale *Token, note *string) (*Token, error) {
	st, err := c.load(ctx)
	if err != nil {
		return nil, err
	}
	if t := c.adoptable(st, stale); t != nil {
		*note = "adopted"
		return c.adopt(ctx, epoch, t)
	}
	return nil, &storeDown{errors.New("the renewal lease was lost before the refresh")}
}

// publish stores a renewal's result as the version after old under the
// lease's fence, and in the cache. When the store moved on meanwhile (the
// lease was lost under a slow renewal), a session there that is ahead
// wins; one that is behind (data loss) is overwritten with this one.
func (c *Cache) publish(ctx context.Context, epoch, old, fence uint64, t *Token, reason string) (*Token, error) {
	v, err := c.cas(ctx, old, fence, t, stateLive)
	if errors.Is(err, banklink.ErrVersionConflict) || isLeaseLost(err) {
		var st *stored
		if v, st, err = c.writeOver(ctx, t); st != nil && st.tok != nil {
			return c.adopt(ctx, epoch, st.tok)
		}
	}
	if err == nil {
		t.Version = v
	} else {
		t.Published = unsure(err)
		c.warn(ctx, "session store unavailable: the renewed session is kept in this process only", err)
	}
	return c.storeRenewedBecause(ctx, epoch, t, reason)
}

// unsure reports whether a failed write may still have been stored (a
// timeout, a store error): only a conflict or a lost lease say it was not.
func unsure(err error) bool {
	return err != nil && !errors.Is(err, banklink.ErrVersionConflict) && !isLeaseLost(err)
}

// writeOver re-reads the store after a compare-and-swap of t lost, and
// writes t over what it finds unless that is ahead of t (returned, to be
// adopted) or a tombstone (left alone: t is kept in this process). A
// store behind t lost data: t is written back.
func (c *Cache) writeOver(ctx context.Context, t *Token) (uint64, *stored, error) {
	st, err := c.load(ctx)
	switch {
	case err != nil:
		return 0, nil, err
	case ahead(st, t):
		return 0, st, nil
	case st != nil && st.state == stateLoggedOut:
		return 0, nil, errors.New("the store holds a logout")
	}
	var base uint64
	if st != nil {
		base = st.version
	}
	v, err := c.cas(ctx, base, 0, t, stateLive)
	return v, nil, err
}

// adopt makes a stored session the cache's.
func (c *Cache) adopt(ctx context.Context, epoch uint64, st *Token) (*Token, error) {
	st.Adopted = true // st is fresh from the store: not shared yet
	c.logAt(ctx, slog.LevelInfo, "adopted the session another client renewed", "gen", st.Gen)
	return c.storeRenewedBecause(ctx, epoch, st, "adopted")
}

// Publish replaces the session with one the caller obtained (an explicit
// login, reason "login"; new facts, "facts"; a logout with nil, "logout")
// and, when the cache shares a store, stores it there as the next
// version; a logout leaves a tombstone no replica adopts. The store's
// calls are bounded: a store that does not answer keeps the session in
// this process only.
func (c *Cache) Publish(ctx context.Context, t *Token, reason string) {
	ctx = context.WithoutCancel(ctx) // what happened at the server is kept, whatever the caller does now
	cur := c.cur.Load()
	if t != nil {
		t = c.descend(t, cur, nil) // a new entry in the lineage, ahead of cur
	} else if cur != nil {
		c.ended.Store(cur)
	}
	var v uint64
	if c.sharesStore() {
		v = c.publishStored(ctx, cur, t)
		c.tombPending.Store(t == nil && v == 0 && cur != nil)
	}
	c.Store(t)
	c.changedAt(ctx, t, reason, v)
}

// retryTombstone writes a logout's tombstone that the store missed (it
// was down): before anything else this client does with the store, so
// that other replicas stop adopting the ended session as soon as the
// store is back.
func (c *Cache) retryTombstone(ctx context.Context) {
	if !c.tombPending.Load() {
		return
	}
	ended := c.ended.Load()
	st, err := c.load(ctx)
	if err != nil {
		return
	}
	if st == nil || st.state == stateLoggedOut || ahead(st, ended) {
		c.tombPending.Store(false) // nothing of the ended session left to cover
		return
	}
	if _, err := c.cas(ctx, st.version, 0, &Token{ID: newID(), Gen: max(st.gen, ended.Gen) + 1}, stateLoggedOut); err == nil {
		c.tombPending.Store(false)
	}
}

// publishStored writes t (nil: a tombstone above cur) over whatever the
// store holds, retrying a conflict twice, and returns the version written
// (0: not written).
func (c *Cache) publishStored(ctx context.Context, cur, t *Token) uint64 {
	for range 3 {
		st, err := c.load(ctx)
		if err != nil {
			c.warn(ctx, "session store unavailable: the new session is kept in this process only", err)
			return 0
		}
		var old uint64
		rec, state := t, stateLive
		if st != nil {
			old = st.version
		}
		if t == nil {
			gen := uint64(0)
			if cur != nil {
				gen = cur.Gen
			}
			if st != nil {
				gen = max(gen, st.gen)
			}
			rec, state = &Token{ID: newID(), Gen: gen + 1}, stateLoggedOut
		} else if st != nil && st.gen >= t.Gen && t.ID != st.id {
			t.Gen = st.gen + 1 // a login is newer than anything stored
		}
		v, err := c.cas(ctx, old, 0, rec, state)
		switch {
		case err == nil:
			if t != nil {
				t.Version = v
			}
			return v
		case !errors.Is(err, banklink.ErrVersionConflict):
			if t != nil {
				t.Published = unsure(err)
			}
			c.warn(ctx, "session store unavailable: the new session is kept in this process only", err)
			return 0
		}
	}
	return 0
}

// Rotate is Swap for a pair a server rotated on an answer: the new pair
// is the client's at once. When it swapped, Rotate returns share, which
// the caller runs once the answer's body is read: it writes the pair to
// the store (bounded by the store's timeout, whatever the call's
// deadline: an answer that arrived is never failed by the store) and
// calls the session hook. Nil when the pair did not replace prev.
func (c *Cache) Rotate(ctx context.Context, prev, next *Token) (share func()) {
	next.Facts, next.ID, next.Gen = prev.Facts, newID(), prev.Gen+1
	if !c.Swap(prev, next) {
		return nil
	}
	return func() { c.shareRotation(context.WithoutCancel(ctx), prev, next) }
}

// shareRotation stores a rotated pair as the store's next version; a later
// rotation, already in the cache, writes itself instead.
func (c *Cache) shareRotation(ctx context.Context, prev, next *Token) {
	if !c.sharesStore() {
		c.changed(ctx, next, "rotation")
		return
	}
	c.writes.Lock()
	defer c.writes.Unlock()
	if c.cur.Load() != next {
		return
	}
	v, err := c.cas(ctx, prev.Version, 0, next, stateLive)
	if errors.Is(err, banklink.ErrVersionConflict) {
		var st *stored
		if v, st, err = c.writeOver(ctx, next); st != nil {
			return // the next renewal adopts it
		}
	}
	if err != nil {
		if unsure(err) {
			if published := next.With(func(t *Token) { t.Published = true }); c.cur.CompareAndSwap(next, published) {
				next = published
			}
		}
		c.warn(ctx, "session store unavailable: a rotated pair is kept in this process only", err)
		c.changed(ctx, next, "rotation")
		return
	}
	versioned := next.With(func(t *Token) { t.Version = v })
	if c.cur.CompareAndSwap(next, versioned) {
		next = versioned
	}
	c.changed(ctx, next, "rotation")
}

// changed tells the session hook and the observer (the latter without
// the session's tokens).
func (c *Cache) changed(ctx context.Context, t *Token, reason string) {
	var v uint64
	if t != nil {
		v = t.Version
	}
	c.changedAt(ctx, t, reason, v)
}

// changedAt is changed with the store version to report (a logout's
// tombstone has no token).
func (c *Cache) changedAt(ctx context.Context, t *Token, reason string, version uint64) {
	s := c.shared
	hook := s != nil && s.Hook != nil
	if !hook && c.obs == nil {
		return
	}
	ch := banklink.SessionChange{Provider: c.name, Reason: reason}
	if s != nil && s.Store != nil {
		ch.Key = s.Key[len(c.name)+1:]
	}
	ch.Version = version
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
