package banklink

import (
	"context"
	"time"
)

// SessionStore shares sessions between the clients of a fleet: several
// replicas of a service, or several clients of one process, that use one
// account. Clients use their own cached token for every call and touch
// the store only to renew: before a renewal, and when a server refuses a
// token, a client re-reads the store and adopts a newer session another
// replica stored (no refresh at all); only otherwise does it take the
// key's renewal lease, re-read, renew, store the new version with
// CompareAndSwapSession and release the lease. So one renewal runs for the
// whole fleet, and no replica presents a single-use refresh token another
// one may already have spent.
//
// Give it to a client with WithSessionStore. NewMemoryStore is an
// in-process implementation; the redisstore module (its own go.mod) keeps
// sessions in Redis, sealed with AES-GCM. Implementations must be safe
// for concurrent use.
type SessionStore interface {
	// LoadSession returns the session stored under key and its version;
	// a nil data and version 0 when there is none.
	LoadSession(ctx context.Context, key string) (data []byte, version uint64, err error)
	// CompareAndSwapSession stores data as the version after old, only if
	// the stored version is still old (0: nothing stored), and returns the
	// new version. When the store has moved on it returns an error
	// matching ErrVersionConflict.
	CompareAndSwapSession(ctx context.Context, key string, old uint64, data []byte) (version uint64, err error)
	// AcquireLease takes key's renewal lease for ttl, or returns an error
	// matching ErrLeaseBusy while another holder has it. A lease whose
	// holder died ends by itself after ttl.
	AcquireLease(ctx context.Context, key string, ttl time.Duration) (Lease, error)
	// ReleaseLease ends the lease if lease still holds it; a lease that
	// expired and was taken by another holder is left alone.
	ReleaseLease(ctx context.Context, key string, lease Lease) error
}

// Lease is a held renewal lease. Owner is the holder's unguessable
// identity, which ReleaseLease checks; Fence grows with every lease taken
// on a key, so a write made under an expired lease can be told apart.
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
	// session another client stored) or "logout".
	Reason string
	// Version is the session's version in the store; 0 without a store
	// (or when the store could not be written).
	Version uint64
	// Session is the session in the SDK's versioned JSON form (the
	// provider's Session marshalled), nil after a logout. It holds the
	// tokens: keep it as you would a password.
	Session []byte
}

// WithSessionStore makes the client share its session through store under
// key, which names the account (a customer id, a merchant email): never
// put a token or a password in it. Zero ttl keeps the default renewal
// lease of 15s; a lease whose holder died ends after it. Without this
// option each client renews on its own.
func WithSessionStore(store SessionStore, key string, leaseTTL time.Duration) Option {
	return func(o *Options) error {
		switch {
		case store == nil || isNil(store):
			return errorString("WithSessionStore: nil store")
		case key == "":
			return errorString("WithSessionStore: the key must name the account")
		case leaseTTL < 0:
			return errorString("WithSessionStore: negative lease")
		}
		o.SessionStore, o.SessionKey, o.SessionLeaseTTL = store, key, leaseTTL
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
