// Package fintivtest runs a fake Fintiv authentication service in-process,
// for tests and examples. Every answer but the token endpoint's uses the
// {"contextResponse", "responseData"} envelope; failures come as HTTP 200
// with statusCode VALIDATION (the seed's own messages), bad or expired
// tokens as SECURITY, a missing or wrong APP key as a flat 401. The token
// endpoint speaks flat OAuth2 (password and refresh_token grants,
// expires_in, need_change_password).
//
// Switches let tests shorten token lifetimes, expire and revoke tokens,
// answer SECURITY with HTTP 200 instead of 401, inject faults and count
// the calls of each route; every request's api-key and tenantName headers
// are recorded.
package fintivtest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/banklink/banklink-go/banklinktest"
	"github.com/banklink/banklink-go/internal/redact"
)

// Route names, for InjectFaults and Calls.
const (
	RouteToken             = "token" // both grants
	RouteCheckToken        = "check_token"
	RouteMyInfo            = "myinfo"
	RouteChangePassword    = "change_password"
	RouteChangePIN         = "change_pin"
	RouteValidatePIN       = "validate_pin"
	RouteResetPassword     = "reset_password"
	RouteResetPIN          = "reset_pin"
	RouteUserExists        = "user_exists"
	RouteSecurityQuestions = "security_questions"
	AnyRoute               = banklinktest.AnyRoute
)

// Fault is banklinktest.Fault, one injected answer (status, body, delay,
// dropped or cut-off connection); queue it with the server's InjectFaults
// (banklinktest.Controls).
type Fault = banklinktest.Fault

// The defaults: the APP key, the tenant and a user.
const (
	APIKey        = "test-app-key-0001"
	Tenant        = "JANUS"
	Username      = "test20190417"
	Password      = "Test1234!"
	PIN           = "1234"
	QuestionID    = 1
	Answer        = "Kampala"
	DefaultUserID = "6f1c2a9e-3b7d-4c55-9a0e-2f8d1b7c4e10"
)

// User is an account the fake knows.
type User struct {
	UUID               string
	Username           string
	Password           string
	PIN                string
	Answers            map[int64]string // security question id → answer
	NeedChangePassword bool
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	banklinktest.Controls
	// URL is the base URL to give the client, ending with "/".
	URL string

	srv         *httptest.Server
	handler     http.Handler
	inMemory    bool
	mu          sync.Mutex
	apiKey      string
	tenant      string
	users       map[string]*User // by username
	access      map[string]grant // token → grant
	refresh     map[string]grant
	ttl         time.Duration
	refreshTTL  time.Duration
	security200 bool
	headers     []Headers
	grants      map[string]int // grant_type → count
}

type grant struct {
	username string
	expiry   time.Time
}

// Headers are the credential headers one request carried.
type Headers struct {
	Route         string
	APIKey        string
	Tenant        string
	Authorization bool
}

// LogValue is what any slog handler prints of h: never the API key.
func (h Headers) LogValue() slog.Value {
	return slog.GroupValue(slog.String("route", h.Route), slog.String("api_key", redact.Masked(h.APIKey)),
		slog.String("tenant", h.Tenant), slog.Bool("authorization", h.Authorization))
}

// LogValue is what any slog handler prints of u: never its password, PIN
// or answers.
func (u User) LogValue() slog.Value {
	return slog.GroupValue(slog.String("uuid", u.UUID), slog.String("username", u.Username), slog.String("password", redact.Masked(u.Password)),
		slog.String("pin", redact.Masked(u.PIN)), slog.Int("answers", len(u.Answers)), slog.Bool("need_change_password", u.NeedChangePassword))
}

// Format prints h without the API key, whatever the verb.
func (h Headers) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "fintivtest.Headers{Route:%s, APIKey:%s, Tenant:%s, Authorization:%t}", h.Route, redact.Masked(h.APIKey), h.Tenant, h.Authorization)
}

// MarshalJSON writes h with the API key masked.
func (h Headers) MarshalJSON() ([]byte, error) {
	type plain Headers
	p := plain(h)
	p.APIKey = redact.Masked(h.APIKey)
	return json.Marshal(p)
}

// Format prints u without its password, PIN or answers, whatever the verb.
func (u User) Format(f fmt.State, _ rune) {
	fmt.Fprintf(f, "fintivtest.User{UUID:%s, Username:%s, Password:%s, PIN:%s, Answers:%d, NeedChangePassword:%t}",
		u.UUID, u.Username, redact.Masked(u.Password), redact.Masked(u.PIN), len(u.Answers), u.NeedChangePassword)
}

// MarshalJSON writes u with its password, PIN and answers masked.
func (u User) MarshalJSON() ([]byte, error) {
	type plain User
	p := plain(u)
	p.Password, p.PIN, p.Answers = redact.Masked(u.Password), redact.Masked(u.PIN), nil
	return json.Marshal(p)
}

// Option configures a Server.
type Option func(*Server)

// WithUser adds a user.
func WithUser(u User) Option { return func(s *Server) { s.users[u.Username] = &u } }

// WithTokenLifetimes sets the access token's lifetime, sent as expires_in
// (default 3599 seconds), and the refresh token's (default 30 days); a
// zero duration keeps the default.
func WithTokenLifetimes(access, refresh time.Duration) Option {
	return func(s *Server) {
		if access > 0 {
			s.ttl = access
		}
		if refresh > 0 {
			s.refreshTTL = refresh
		}
	}
}

// WithAPIKey sets the APP key the fake accepts.
func WithAPIKey(key string) Option { return func(s *Server) { s.apiKey = key } }

// WithSecurityAs200 answers token problems with HTTP 200 and statusCode
// SECURITY instead of HTTP 401.
func WithSecurityAs200() Option { return func(s *Server) { s.security200 = true } }

// NewServer starts a fake with the default key, tenant and user. Close it
// when done.
func NewServer(opts ...Option) *Server {
	s := &Server{
		apiKey: APIKey, tenant: Tenant, ttl: 3599 * time.Second, refreshTTL: 30 * 24 * time.Hour,
		users:  map[string]*User{},
		access: map[string]grant{}, refresh: map[string]grant{}, grants: map[string]int{},
	}
	s.users[Username] = &User{UUID: DefaultUserID, Username: Username, Password: Password, PIN: PIN, Answers: map[int64]string{QuestionID: Answer}}
	for _, o := range opts {
		o(s)
	}
	s.handler = s.routes()
	if s.inMemory {
		s.URL = "https://fintiv.test/"
		return s
	}
	s.srv = httptest.NewServer(s.handler)
	s.URL = s.srv.URL + "/"
	return s
}

// InMemory starts the fake without a socket or a goroutine: it serves only
// through Transport (give it to the client with [banklink.WithTransport]),
// and URL is https://fintiv.test/. Client and fake then run inside a
// testing/synctest bubble, on its fake clock.
func InMemory() Option { return func(s *Server) { s.inMemory = true } }

// Transport returns a RoundTripper that serves requests in this process,
// without a socket (banklinktest.InMemoryTransport); give it to a client
// with [banklink.WithTransport].
func (s *Server) Transport() http.RoundTripper { return banklinktest.InMemoryTransport(s.handler) }

// Close shuts the server down.
func (s *Server) Close() {
	if s.srv != nil {
		s.srv.Close()
	}
}

// ExpireAccessTokens makes every access token issued so far invalid.
func (s *Server) ExpireAccessTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.access)
}

// RevokeRefreshTokens makes every refresh token issued so far invalid.
func (s *Server) RevokeRefreshTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.refresh)
}

// Password returns a user's current password (after changes and resets).
func (s *Server) Password(username string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[username]; u != nil {
		return u.Password
	}
	return ""
}

// Grants returns how many token requests of a grant type ("password",
// "refresh_token") the server answered, failures included.
func (s *Server) Grants(grantType string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.grants[grantType]
}

// SeenHeaders returns the credential headers of every request so far.
func (s *Server) SeenHeaders() []Headers {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Headers(nil), s.headers...)
}

func newToken(prefix string) string {
	var b [24]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// accessJWT returns an access token shaped as the service's: an RS256
// JWT (signed with no real key: the fake checks its own table, and clients
// must not trust the signature anyway).
func accessJWT(username string, ttl time.Duration) string {
	enc := base64.RawURLEncoding
	payload, _ := json.Marshal(map[string]any{"exp": time.Now().Add(ttl).Unix(), "user_name": username, "jti": newToken(""),
		"client_id": "mobile", "scope": []string{"read", "write"}})
	return enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`)) + "." + enc.EncodeToString(payload) + "." + enc.EncodeToString([]byte(newToken("")))
}

// record notes the credential headers of a request.
func (s *Server) record(route string, r *http.Request) {
	s.mu.Lock()
	s.headers = append(s.headers, Headers{Route: route, APIKey: r.Header.Get("api-key"), Tenant: r.Header.Get("tenantName"), Authorization: r.Header.Get("Authorization") != ""})
	s.mu.Unlock()
}
