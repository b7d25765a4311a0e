package fake

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
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
	now := time.Now()
	payload, _ := json.Marshal(Claims{TokenType: typ, Exp: now.Add(ttl).Unix(), Iat: now.Unix(), JTI: jti, UserID: userID})
	enc := base64.RawURLEncoding
	unsigned := enc.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`)) + "." + enc.EncodeToString(payload)
	return unsigned + "." + enc.EncodeToString(j.mac(unsigned))
}

func (j *SimpleJWT) mac(s string) []byte {
	m := hmac.New(sha256.New, j.secret)
	m.Write([]byte(s))
	return m.Sum(nil)
}

// ErrToken is any invalid, expired or revoked token.
var ErrToken = errors.New("token is invalid or expired")

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
	if json.Unmarshal(payload, &c) != nil || c.TokenType != typ || time.Now().Unix() >= c.Exp {
		return Claims{}, ErrToken
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

// WriteJSON writes v with status; 401s carry simplejwt's WWW-Authenticate.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Authenticate applies simplejwt's rules to a request (only "Bearer",
// case-sensitive; a valid access token) and returns the user id, or
// answers the 401 and returns false.
func (j *SimpleJWT) Authenticate(w http.ResponseWriter, r *http.Request) (int, bool) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok || strings.TrimSpace(tok) == "" {
		WriteJSON(w, http.StatusUnauthorized, Detail{Detail: "Authentication credentials were not provided."})
		return 0, false
	}
	c, err := j.Verify(tok, "access")
	if err != nil {
		WriteJSON(w, http.StatusUnauthorized, Detail{
			Detail: "Given token not valid for any token type", Code: "token_not_valid",
			Messages: []any{map[string]string{"token_class": "AccessToken", "token_type": "access", "message": "Token is invalid or expired"}},
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
// {"access"}, 400 field error, 401 token_not_valid.
func (j *SimpleJWT) Refresh(w http.ResponseWriter, body map[string]any) {
	tok, _ := body["refresh"].(string)
	if strings.TrimSpace(tok) == "" {
		WriteJSON(w, http.StatusBadRequest, map[string][]string{"refresh": {"This field is required."}})
		return
	}
	c, err := j.Verify(tok, "refresh")
	if err != nil {
		WriteJSON(w, http.StatusUnauthorized, Detail{Detail: "Token is invalid or expired", Code: "token_not_valid"})
		return
	}
	WriteJSON(w, http.StatusOK, map[string]string{"access": j.Issue("access", c.UserID)})
}
