package fake

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// SimpleJWT issues and checks tokens the way Django REST Framework's
// simplejwt does: HS256 JWTs with token_type, exp, iat, jti and user_id,
// refused with its exact 401 bodies. Tokens can be expired or revoked
// early, for tests.
type SimpleJWT struct {
	AccessTTL  time.Duration
	RefreshTTL time.Duration

	mu        sync.Mutex
	secret    []byte
	revoked   map[string]bool
	access    []string // jtis of access tokens issued, for ExpireAccess
	refreshes []string // jtis of refresh tokens issued, for RevokeRefresh
	seq       int
}

// NewSimpleJWT returns an issuer with a random key.
func NewSimpleJWT(accessTTL, refreshTTL time.Duration) *SimpleJWT {
	j := &SimpleJWT{AccessTTL: accessTTL, RefreshTTL: refreshTTL, secret: make([]byte, 32), revoked: map[string]bool{}}
	_, _ = rand.Read(j.secret)
	return j
}

// Claims are simplejwt's claims.
type Claims struct {
	TokenType string `json:"token_type"`
	Exp       int64  `json:"exp"`
	Iat       int64  `json:"iat"`
	JTI       string `json:"jti"`
	UserID    int    `json:"user_id"`
}

// Issue signs a new "access" or "refresh" token for userID.
func (j *SimpleJWT) Issue(typ string, userID int) string {
	return j.IssueAt(typ, userID, time.Now())
}

// IssueAt signs a token as if issued at now: a time far enough back gives
// a validly signed token that has expired.
func (j *SimpleJWT) IssueAt(typ string, userID int, now time.Time) string {
	return j.issue(typ, userID, now, now)
}

// issue signs a token whose exp is now + its lifetime and whose iat is iat.
func (j *SimpleJWT) issue(typ string, userID int, now, iat time.Time) string {
	j.mu.Lock()
	j.seq++
	jti := strconv.Itoa(j.seq) + "-" + typ
	ttl := j.AccessTTL
	if typ == "refresh" {
		ttl = j.RefreshTTL
		j.refreshes = append(j.refreshes, jti)
	} else {
		j.access = append(j.access, jti)
	}
	j.mu.Unlock()
	payload, _ := json.Marshal(Claims{TokenType: typ, Exp: now.Add(ttl).Unix(), Iat: iat.Unix(), JTI: jti, UserID: userID})
	enc := base64.RawURLEncoding
	unsigned := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(payload)
	return unsigned + "." + enc.EncodeToString(j.mac(unsigned))
}

func (j *SimpleJWT) mac(s string) []byte {
	m := hmac.New(sha256.New, j.secret)
	m.Write([]byte(s))
	return m.Sum(nil)
}

// ErrToken is any invalid, expired or revoked token; ErrWrongType a valid
// token of the other type (a refresh token sent as an access token).
var (
	ErrToken     error = tokenError("Token is invalid or expired")
	ErrWrongType error = tokenError("Token has wrong type")
)

// tokenError is simplejwt's message for a refused token, as it words it.
type tokenError string

func (e tokenError) Error() string { return string(e) }

// Verify checks a token's signature, type, expiry and revocation.
func (j *SimpleJWT) Verify(tok, typ string) (Claims, error) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return Claims{}, ErrToken
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, j.mac(parts[0]+"."+parts[1])) {
		return Claims{}, ErrToken
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return Claims{}, ErrToken
	}
	var c Claims
	if json.Unmarshal(payload, &c) != nil || time.Now().Unix() >= c.Exp {
		return Claims{}, ErrToken
	}
	if c.TokenType != typ {
		return Claims{}, ErrWrongType // checked after decoding, as simplejwt does
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.revoked[c.JTI] {
		return Claims{}, ErrToken
	}
	return c, nil
}

// ExpireAccess makes every access token issued so far invalid.
func (j *SimpleJWT) ExpireAccess() {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, id := range j.access {
		j.revoked[id] = true
	}
	j.access = nil
}

// RevokeRefresh makes every refresh token issued so far invalid.
func (j *SimpleJWT) RevokeRefresh() {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, id := range j.refreshes {
		j.revoked[id] = true
	}
	j.refreshes = nil
}

// Detail is DRF's error body.
type Detail struct {
	Detail   string `json:"detail"`
	Code     string `json:"code,omitempty"`
	Messages []any  `json:"messages,omitempty"`
}

// Authenticate applies simplejwt's rules to a request and returns the
// user id, or answers the 401 and returns false. The header is split on
// white space: no header, or a first word other than "Bearer" (case
// matters), is no credentials at all; "Bearer" with other than exactly
// one more word is a bad header; then the token must be a valid access
// token.
func (j *SimpleJWT) Authenticate(w http.ResponseWriter, r *http.Request) (int, bool) {
	parts := strings.Fields(r.Header.Get("Authorization"))
	if len(parts) == 0 || parts[0] != "Bearer" {
		WriteJSON(w, http.StatusUnauthorized, Detail{Detail: "Authentication credentials were not provided."})
		return 0, false
	}
	if len(parts) != 2 {
		WriteJSON(w, http.StatusUnauthorized, Detail{Detail: "Authorization header must contain two space-delimited values", Code: "bad_authorization_header"})
		return 0, false
	}
	c, err := j.Verify(parts[1], "access")
	if err != nil {
		WriteJSON(w, http.StatusUnauthorized, Detail{
			Detail: "Given token not valid for any token type", Code: "token_not_valid",
			Messages: []any{Object{{"token_class", "AccessToken"}, {"token_type", "access"}, {"message", err.Error()}}},
		})
		return 0, false
	}
	return c.UserID, true
}

// UserNotFound answers simplejwt's 401 for a token whose user is gone.
func UserNotFound(w http.ResponseWriter) {
	WriteJSON(w, http.StatusUnauthorized, Detail{Detail: "User not found", Code: "user_not_found"})
}

// Refresh serves simplejwt's refresh view body handling: {"refresh"} →
// {"access"}, 400 field errors as its serializer words them, 401
// token_not_valid with the token's own problem.
func (j *SimpleJWT) Refresh(w http.ResponseWriter, body map[string]any) {
	if errs := FieldErrors(body, "refresh"); len(errs) > 0 {
		WriteJSON(w, http.StatusBadRequest, errs)
		return
	}
	tok := CharField(body["refresh"])
	c, err := j.Verify(tok, "refresh")
	if err != nil {
		WriteJSON(w, http.StatusUnauthorized, Detail{Detail: err.Error(), Code: "token_not_valid"})
		return
	}
	// simplejwt 5.2 builds the access token from the refresh token's
	// claims (all but token_type, exp and jti): its iat is the refresh
	// token's, the login time, while exp is now + the access lifetime.
	WriteJSON(w, http.StatusOK, map[string]string{"access": j.issue("access", c.UserID, time.Now(), time.Unix(c.Iat, 0))})
}
