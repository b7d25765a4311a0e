// Package credential keeps a client's session and renews it: one renewal
// in flight however many goroutines need it, refresh before expiry, a new
// login with stored credentials when the refresh is refused, and, with a
// session store, one renewal for a whole fleet (shared.go, lease.go).
// SESSIONS.md at the module's root has the renewal table this package
// implements (renewal.go).
package credential

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"

	"github.com/banklink/banklink-go/internal/redact"
)

// Token is one session, whole: its tokens, their expiries, what the
// provider says of it (Facts) and where it stands in a session store. A
// *Token is never modified once a Cache holds it: the Cache replaces it
// whole, so its pointer identifies that exact session, and a caller that
// saw the server reject a token invalidates that one, not whichever token
// happens to be current.
type Token struct {
	// Header values built when the cache takes the token, shared by
	// every request that carries it (net/http never modifies them).
	bearer, access, refresh []string // "Bearer <access>", <access>, <refresh>
	Access                  string
	Refresh                 string
	AccessExpiry            time.Time // zero when unknown (opaque tokens)
	RefreshExpiry           time.Time // zero when unknown
	Obtained                time.Time // when the access token was obtained, on this machine's clock
	// Facts are what the provider says of the session besides its tokens
	// (Fintiv's session facts, Fintract's user, the merchant account):
	// a value the provider never modifies once it is in a Token; nil
	// when unknown. A renewal's result without facts keeps its base's.
	Facts any
	// RefreshSpent marks a refresh token that may have been presented
	// without an answer coming back, or that a store says another replica
	// is presenting: when the provider's refresh tokens are single-use it
	// is never presented again (the session is renewed by a login).
	RefreshSpent bool
	// ID names this session in a store's lineage (a login's or a
	// renewal's result gets a new one) and Gen is its generation: a
	// renewal's result is one above its base, a login one above anything
	// the client knew. Together they order sessions whatever the store's
	// version numbers do after a data loss or a rollback. Zero: a session
	// that never met a store.
	ID  string
	Gen uint64
	// Version is the session store's version of this session; 0 when it
	// was never stored. It is the handle for the next compare-and-swap,
	// never a measure of age.
	Version uint64
	// Published: a store write of this session was sent and its outcome
	// is unknown (it timed out, the store erred): it may land later, so
	// other replicas may hold this session even though Version is 0.
	Published bool
	// Adopted: this session was read from the store, not obtained here.
	Adopted bool
}

// BearerHeader returns the Authorization header value for t, shared by
// every request that carries a token the cache holds.
func (t *Token) BearerHeader() []string {
	if t.bearer == nil {
		return []string{"Bearer " + t.Access}
	}
	return t.bearer
}

// PairHeader returns the X-Access-Token and X-Refresh-Token header values
// for t, shared like BearerHeader's.
func (t *Token) PairHeader() (access, refresh []string) {
	if t.access == nil {
		return []string{t.Access}, []string{t.Refresh}
	}
	return t.access, t.refresh
}

// seal prepares t before the cache publishes it; t is not shared yet.
func (t *Token) seal() *Token {
	if t != nil && t.bearer == nil && t.Access != "" {
		t.bearer = []string{"Bearer " + t.Access}
		t.access, t.refresh = []string{t.Access}, []string{t.Refresh}
	}
	return t
}

// With returns a copy of t changed by f: the way to change a session the
// cache holds (the copy is then stored in its place).
func (t *Token) With(f func(*Token)) *Token {
	c := *t
	c.bearer, c.access, c.refresh = nil, nil, nil
	f(&c)
	return c.seal()
}

// newID returns a fresh lineage identity.
func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Format prints the token's expiry facts, never its secrets, whatever the verb.
func (t Token) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, "credential.Token{Access:%s, Refresh:%s, AccessExpiry:%s, Gen:%d}",
		redact.Masked(t.Access), redact.Masked(t.Refresh), t.AccessExpiry.Format(time.RFC3339), t.Gen)
}

// LogValue is what slog records of a token, whatever its handler (the
// JSON handler would otherwise marshal Access and Refresh): Format's text.
func (t Token) LogValue() slog.Value { return slog.StringValue(fmt.Sprint(t)) }
