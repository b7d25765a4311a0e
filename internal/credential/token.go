// Package credential keeps a client's session tokens and renews them: one
// renewal in flight however many goroutines need it, refresh before expiry,
// and a new login with stored credentials when the refresh is refused.
package credential

import (
	"fmt"
	"time"

	"github.com/banklink/banklink-go/internal/redact"
)

// Token is one session's credentials. A *Token is never modified once it
// has been stored in a Cache, so its pointer identifies that exact session:
// a caller that saw the server reject a token invalidates that one, not
// whichever token happens to be current.
type Token struct {
	bearer        []string // "Bearer <access>", built when the cache takes the token
	Access        string
	Refresh       string
	AccessExpiry  time.Time // zero when unknown (opaque tokens)
	RefreshExpiry time.Time // zero when unknown
	Obtained      time.Time // when the access token was obtained
	// Version is the session store's version of this session; 0 when it
	// was never stored.
	Version uint64
}

// BearerHeader returns the Authorization header value for t, shared by
// every request that carries a token the cache holds.
func (t *Token) BearerHeader() []string {
	if t.bearer == nil {
		return []string{"Bearer " + t.Access}
	}
	return t.bearer
}

// seal prepares t before the cache publishes it; t is not shared yet.
func (t *Token) seal() *Token {
	if t != nil && t.bearer == nil && t.Access != "" {
		t.bearer = []string{"Bearer " + t.Access}
	}
	return t
}

// Format prints the token's expiry facts, never its secrets, whatever the verb.
func (t Token) Format(f fmt.State, verb rune) {
	fmt.Fprintf(f, "credential.Token{Access:%s, Refresh:%s, AccessExpiry:%s}",
		redact.Masked(t.Access), redact.Masked(t.Refresh), t.AccessExpiry.Format(time.RFC3339))
}
