package banklink

import (
	"context"
	"time"
)

// SessionStore shares sessions between the clients of a fleet: several
// replicas of a service, or several clients of one process, that use one
// account. Clients use their own cached token for every call and touch
// the store only to renew. The protocol the SDK runs on it (SESSIONS.md
// has the whole renewal table) keeps three promises: one renewal runs for
// the whole fleet, a refresh token that may have been spent is never
// presented again, and a session a replica logged out is never adopted.
//
// To renew, a client re-reads the store and adopts a newer session another
// replica stored; only otherwise does it take the key's renewal lease
// (extended while it works, given up before it can lapse), re-read, record
// in the store that the refresh of that session is in flight, present the
// refresh token, store the result with a fenced CompareAndSwapSession and
// release the lease. A client that finds such an in-flight record with no
// newer session after it logs in (or asks for re-authentication) instead
// of presenting a token the server may already have spent.
//
// Every call gets its own short deadline (WithSessionStoreTimeout); a store
// that errs or does not answer in time counts as down, and the client then
// renews on its own: refreshing a reusable token, logging in instead of
// presenting a single-use one.
//
// Give it to a client with WithSessionStore. NewMemoryStore is an
// in-process implementation; the redisstore module (its own go.mod) keeps
// sessions in Redis, sealed with AES-GCM. banklinktest.SessionStoreContract
// checks an implementation. Implementations must be safe for concurrent
// use.
type SessionStore interface {
	// LoadSession returns the session stored under key and its version;
	// a nil data and version 0 when there is none. A stored value that
	// cannot be read (sealed with another key, corrupt) is an error
	// matching ErrSessionUnreadable, with its version, so that a renewal
	// can replace it.
	LoadSession(ctx context.Context, key string) (data []byte, version uint64, err error)
	// CompareAndSwapSession stores data as the version after old, only if
	// the stored version is still old (0: nothing stored), and returns the
	// new version. When the store has moved on it returns an error
	// matching ErrVersionConflict. A non-zero fence is the Lease.Fence of
	// the lease the write is made under: when another lease on key was
	// taken since, the write is refused with an error matching
	// ErrLeaseLost. Fence 0 is a write made outside any lease (a login, a
	// rotated pair, a logout): only the version is checked.
	CompareAndSwapSession(ctx context.Context, key string, old, fence uint64, data []byte) (version uint64, err error)
	// AcquireLease takes key's renewal lease for ttl, or returns an error
	// matching ErrLeaseBusy while another holder has it. A lease whose
	// holder died ends by itself after ttl.
	AcquireLease(ctx context.Context, key string, ttl time.Duration) (Lease, error)
	// ExtendLease makes a held lease last ttl from now, or returns an
	// error matching ErrLeaseLost when lease no longer holds it (it
	// expired, and perhaps another holder took it).
	ExtendLease(ctx context.Context, key string, lease Lease, ttl time.Duration) error
	// ReleaseLease ends the lease if lease still holds it; a lease that
	// expired and was taken by another holder is left alone.
	ReleaseLease(ctx context.Context, key string, lease Lease) error
}

// Lease is a held renewal lease. Owner is the holder's unguessable
// identity, which ExtendLease and ReleaseLease check; Fence grows with
// every lease taken on a key, and a write made with it
// (CompareAndSwapSession) is refused once a newer lease was taken.
type Lease struct {
	Owner string
	Fence uint64
}

// SessionChange is what a session hook (WithSessionHook) receives each
// time a client's session changes.
type SessionChange struct {
	// Provider is the client's provider ("dfcu", …); Key the store key
	// given to WithSessionStore, empty without a store.
	Provider string
	Key      string
	// Reason is what changed it: "login", "refresh" (a renewal this client
	// ran), "rotation" (a new pair on an answer), "adopted" (a newer
	// session another client stored), "facts" (what the provider says of
	// the session changed, e.g. after a password change) or "logout".
	Reason string
	// Version is the session's version in the store (after a logout, its
	// tombstone's); 0 without a store, or when the store could not be
	// written (a logout's tombstone is then written on the client's next
	// use of the store).
	Version uint64
	// Session is the session in the SDK's versioned JSON form (the
	// provider's Session marshalled), nil after a logout. It holds the
	// tokens: keep it as you would a password.
	Session []byte
}

// WithSessionStore makes the client share its session through store under
// key, which names the account (a customer id, a merchant email): never
// put a token or a password in it. leaseTTL is how long a renewal lease
// lasts without its holder extending it (the holder extends it every
// third of it while it works), and so how long a holder that died stalls
// the fleet; zero keeps the default of 3s. Without this option each
// client renews on its own.
func WithSessionStore(store SessionStore, key string, leaseTTL time.Duration) Option {
	return func(o *Options) error {
		switch {
		case store == nil || isNil(store):
			return errorString("WithSessionStore: nil store")
		case key == "":
			return errorString("WithSessionStore: the key must name the account")
		case leaseTTL < 0:
			return errorString("WithSessionStore: negative lease")
		case leaseTTL > 0 && leaseTTL < 300*time.Millisecond:
			return errorString("WithSessionStore: a lease under 300ms cannot be extended in time")
		}
		o.SessionStore, o.SessionKey, o.SessionLeaseTTL = store, key, leaseTTL
		return nil
	}
}

// WithSessionStoreTimeout bounds each call to the session store (a load,
// a compare-and-swap, a lease), the store client's own retries included:
// a store that has not answered by then counts as down and the renewal
// goes on without it. Zero keeps the default of 500ms.
func WithSessionStoreTimeout(d time.Duration) Option {
	return func(o *Options) error {
		if d < 0 {
			return errorString("WithSessionStoreTimeout: negative timeout")
		}
		o.SessionStoreTimeout = d
		return nil
	}
}

// WithSessionHook calls f after every change of the client's session
// (login, renewal, rotation, adoption from the store, logout), in the
// goroutine that made it: keep it quick. Without it nothing is called.
func WithSessionHook(f func(ctx context.Context, change SessionChange)) Option {
	return func(o *Options) error {
		if f == nil {
			return errorString("WithSessionHook: nil function")
		}
		o.OnSessionChange = f
		return nil
	}
}

// errorString is an option's error.
type errorString string

func (e errorString) Error() string { return string(e) }
