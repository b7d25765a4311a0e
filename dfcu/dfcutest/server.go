// Package dfcutest runs a fake DFCU loans API in-process, for tests and
// examples. It answers like the deployed servers described in the SDK's API
// reference, quirks included: HS256 JWTs with exp, loans under a
// "response" key that is an object on success and a string otherwise
// (always HTTP 200), DRF error bodies, Django HTML 500 pages for a missing
// field or trailing slash, and WWW-Authenticate on every 401.
//
// Switches let tests shorten token lifetimes, expire or revoke tokens,
// delete users, inject faults (status sequences, Retry-After, latency,
// dropped connections) and count the calls each route served.
package dfcutest

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/banklink/banklink-go/banklinktest"
	"github.com/banklink/banklink-go/internal/fake"
)

// Route names, for InjectFaults and Calls.
const (
	RouteToken   = "token"
	RouteRefresh = "refresh"
	RouteLoans   = "loans"
	AnyRoute     = banklinktest.AnyRoute
)

// Fault is banklinktest.Fault, one injected answer (status, body, delay,
// dropped or cut-off connection); queue it with the server's InjectFaults
// (banklinktest.Controls).
type Fault = banklinktest.Fault

// Account is a customer account the fake knows.
type Account struct {
	Number       string
	CustomerID   string
	CustomerName string
	Loans        []Loan // none: the server answers "No Loans found …"
}

// Loan is one loan of an Account (the reference server lists closed
// ones too).
type Loan struct {
	ID          string
	Disbursed   time.Time
	Outstanding int64
}

// The default user and accounts, from the provider's documentation.
const (
	DefaultUsername = "demo"
	DefaultPassword = "demo-password"
	// AccountWithLoans has two loans; AccountWithoutLoans has none.
	AccountWithLoans    = "1002000989"
	AccountWithoutLoans = "6010105070"
	// UnknownAccount exists nowhere.
	UnknownAccount = "9999999999"
)

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	banklinktest.Controls
	// URL is the base URL to give the client, ending with "/".
	URL string

	srv        *httptest.Server
	handler    http.Handler
	inMemory   bool
	jwt        *fake.SimpleJWT
	mu         sync.Mutex
	users      map[string]*user
	nextUserID int
	accounts   map[string]Account
}

type user struct {
	id       int
	password string
	deleted  bool
}

// Option configures a Server.
type Option func(*Server)

// WithUser adds a user who can log in.
func WithUser(username, password string) Option {
	return func(s *Server) { s.addUser(username, password) }
}

// WithAccount adds (or replaces) an account.
func WithAccount(a Account) Option {
	return func(s *Server) { s.accounts[a.Number] = a }
}

// WithTokenLifetimes sets the access and refresh token lifetimes (the
// reference deployment's are one day and seven days).
func WithTokenLifetimes(access, refresh time.Duration) Option {
	return func(s *Server) { s.jwt.AccessTTL, s.jwt.RefreshTTL = access, refresh }
}

// InMemory starts the fake without a socket or a goroutine: it serves only
// through Transport (give it to the client with [banklink.WithTransport]),
// and URL is https://dfcu.test/. Client and fake then run inside a
// testing/synctest bubble, on its fake clock.
func InMemory() Option { return func(s *Server) { s.inMemory = true } }

// Transport returns a RoundTripper that serves requests in this process,
// without a socket (banklinktest.InMemoryTransport); give it to a client
// with [banklink.WithTransport].
func (s *Server) Transport() http.RoundTripper { return banklinktest.InMemoryTransport(s.handler) }

// NewServer starts a fake with the default user (DefaultUsername,
// DefaultPassword), the documented accounts and any options. Close it when
// done.
func NewServer(opts ...Option) *Server {
	s := &Server{
		jwt:      fake.NewSimpleJWT(24*time.Hour, 7*24*time.Hour),
		users:    map[string]*user{},
		accounts: map[string]Account{},
	}
	s.addUser(DefaultUsername, DefaultPassword)
	for _, a := range defaultAccounts() {
		s.accounts[a.Number] = a
	}
	for _, o := range opts {
		o(s)
	}
	s.handler = s.routes()
	if s.inMemory {
		s.URL = "https://dfcu.test/"
		return s
	}
	s.srv = httptest.NewServer(s.handler)
	s.URL = s.srv.URL + "/"
	return s
}

func defaultAccounts() []Account {
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	return []Account{
		{Number: AccountWithLoans, CustomerID: "C001", CustomerName: "Paul Logan", Loans: []Loan{
			{ID: "L000001", Disbursed: at("2023-03-01T12:09:05Z"), Outstanding: 2000000},
			{ID: "L000002", Disbursed: at("2023-03-15T08:30:00Z"), Outstanding: 750000},
		}},
		{Number: "5000145080", CustomerID: "C003", CustomerName: "James Blunt", Loans: []Loan{
			{ID: "L000005", Disbursed: at("2023-02-16T12:24:54Z"), Outstanding: 500000},
		}},
		{Number: AccountWithoutLoans, CustomerID: "C004", CustomerName: "Grace Akello"},
	}
}

// Close shuts the server down.
func (s *Server) Close() {
	if s.srv != nil {
		s.srv.Close()
	}
}

// Client returns an *http.Client for the server (plain loopback HTTP).
func (s *Server) Client() *http.Client {
	if s.srv == nil {
		return &http.Client{Transport: s.Transport()}
	}
	return s.srv.Client()
}

func (s *Server) addUser(name, password string) {
	s.nextUserID++
	s.users[name] = &user{id: s.nextUserID, password: password}
}

// ExpireAccessTokens makes every access token issued so far invalid, as if
// it had expired: the next authenticated call gets a 401 token_not_valid.
func (s *Server) ExpireAccessTokens() { s.jwt.ExpireAccess() }

// ExpiredTokens returns an access and a refresh token for username,
// signed with the server's key, whose exp passed a minute ago (as the
// conformance corpus's token:expired).
func (s *Server) ExpiredTokens(username string) (access, refresh string) {
	s.mu.Lock()
	u := s.users[username]
	id := 0
	if u != nil {
		id = u.id
	}
	s.mu.Unlock()
	at := func(ttl time.Duration) time.Time { return time.Now().Add(-ttl - time.Minute) }
	return s.jwt.IssueAt("access", id, at(s.jwt.AccessTTL)), s.jwt.IssueAt("refresh", id, at(s.jwt.RefreshTTL))
}

// GhostToken returns a valid access token whose user_id names no user.
func (s *Server) GhostToken() string { return s.jwt.Issue("access", 999999) }

// RevokeRefreshTokens makes every refresh token issued so far invalid: the
// next refresh gets a 401 and the client has to log in again.
func (s *Server) RevokeRefreshTokens() { s.jwt.RevokeRefresh() }

// DeleteUser deletes a user: tokens already issued then get 401
// user_not_found.
func (s *Server) DeleteUser(username string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.users[username]; u != nil {
		u.deleted = true
	}
}
