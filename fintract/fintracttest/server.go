// Package fintracttest runs a fake Fintract auth API in-process, for tests
// and examples. It answers like the deployed servers described in the
// SDK's API reference: two-step login with a 6-digit OTP per login (exposed
// to tests with OTP), OTPs that expire after 10 minutes and work once,
// 5-minute simplejwt access tokens, {"data"}/{"errors"} login envelopes,
// role refusals answered 400, Django debug pages (HTML, or plain text for a
// client that does not accept HTML) for missing keys and unknown ids, and
// the user-info key variants.
//
// It answers the 63 cases recorded from the 2022 public implementation
// (its conformance test replays them). Where the documents and that
// implementation differ, it serves the documented API with the
// implementation's validation and error shapes: the documented routes
// (auth/info/{id}/ where 2022 has auth/info/, auth/re-verify-email/ where
// it has "auth/re-verify email/"), the documented extra fields (phone,
// customer_id and gender on a registration, customer_id and user_type on a
// verified login, the profile fields of user info), and the 2022 server's
// user-info keys by default ("net balance", "customer-id " with its
// trailing space). It also serves the 2022 server's verification link
// (auth/email-verify/), which the documents do not list. It does not copy
// the 2022 server's bug of accepting the OTP "0" after a login.
//
// Switches let tests shorten lifetimes, expire or revoke tokens, pick the
// user-info key variant, inject faults and count the calls of each route.
// Uploads are read as streams (never held in memory) and recorded by size
// and SHA-256.
package fintracttest

import (
	"crypto/rand"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/banklink/banklink-go/banklinktest"
	"github.com/banklink/banklink-go/internal/fake"
)

// Route names, for InjectFaults and Calls.
const (
	RouteRegister    = "register"
	RouteLogin       = "login"
	RouteVerifyOTP   = "verify_otp"
	RouteRefresh     = "refresh"
	RouteDeactivate  = "deactivate"
	RouteApproval    = "admin_approval"
	RouteAvatar      = "avatar"
	RouteDelete      = "delete"
	RouteReverify    = "reverify_email"
	RouteInfo        = "info"
	RouteUpdate      = "update"
	RouteUserUpdate  = "user_update"
	RouteUpload      = "upload"
	RouteEmailVerify = "email_verify" // the verification mail's link
	AnyRoute         = banklinktest.AnyRoute
)

// Fault is banklinktest.Fault, one injected answer (status, body, delay,
// dropped or cut-off connection); queue it with the server's InjectFaults
// (banklinktest.Controls).
type Fault = banklinktest.Fault

// The default users: a verified customer and a Fintract admin.
const (
	CustomerEmail    = "johndoe@example.com"
	CustomerPassword = "johnDoe@#1"
	AdminEmail       = "admin@example.com"
	AdminPassword    = "admin@#1"
	AdminUsername    = "fintractadmin"
)

// InfoKeys selects which keys user info uses for net balance and customer id.
type InfoKeys int

// The key variants seen on deployed servers. The zero value is the 2022
// server's own pair, the default.
const (
	InfoKeysServer   InfoKeys = iota // "net balance", "customer-id " (trailing space): the 2022 server
	InfoKeysSeed                     // "net balance", "customer-id": the documented sample
	InfoKeysTrailing                 // "net_balance", "customer-id " (trailing space)
	InfoKeysSnake                    // "net_balance", "customer_id"
)

// Upload is a file the fake received.
type Upload struct {
	Route       string
	FileName    string
	ContentType string
	Size        int64
	SHA256      string
}

// Server is a running fake. Its methods are safe for concurrent use.
type Server struct {
	banklinktest.Controls
	// URL is the base URL to give the client, ending with "/".
	URL string

	srv      *httptest.Server
	handler  http.Handler
	inMemory bool
	jwt      *fake.SimpleJWT
	mu       sync.Mutex
	users    map[int]*user
	nextID   int
	otpTTL   time.Duration
	infoKeys InfoKeys
	uploads  []Upload
}

type user struct {
	ID            int
	Email         string
	Username      string
	Name          string
	UserType      string
	Phone         string
	CustomerID    string
	Gender        string
	Password      string
	Verified      bool
	AdminApproved bool
	Deactivated   bool
	Avatar        string
	Country       string
	Citizenship   string
	NationalID    string
	Address       string
	BankName      string
	NetBalance    int64
	otp           string
	otpSent       time.Time
	verifyToken   string // of the verification link last e-mailed
}

// Option configures a Server.
type Option func(*Server)

// WithTokenLifetimes sets the access and refresh token lifetimes (seen on
// deployed servers: 5 minutes and 1 day).
func WithTokenLifetimes(access, refresh time.Duration) Option {
	return func(s *Server) { s.jwt.AccessTTL, s.jwt.RefreshTTL = access, refresh }
}

// WithOTPLifetime sets how long an OTP stays valid (default 10 minutes).
func WithOTPLifetime(d time.Duration) Option { return func(s *Server) { s.otpTTL = d } }

// WithInfoKeys picks the user-info key variant.
func WithInfoKeys(k InfoKeys) Option { return func(s *Server) { s.infoKeys = k } }

// NewServer starts a fake with the default users and any options. Close it
// when done.
func NewServer(opts ...Option) *Server {
	s := &Server{jwt: fake.NewSimpleJWT(5*time.Minute, 24*time.Hour), users: map[int]*user{}, otpTTL: 10 * time.Minute}
	s.add(&user{Email: CustomerEmail, Username: "JohnDoe0303", Name: "John", UserType: "CUSTOMER", Phone: "1234567890",
		Gender: "MALE", Password: CustomerPassword, Verified: true, AdminApproved: true, NetBalance: 1500})
	s.add(&user{Email: AdminEmail, Username: AdminUsername, Name: "Fin Admin", UserType: "FINTRACT_ADMIN", Phone: "1234567891",
		Password: AdminPassword, Verified: true, AdminApproved: true})
	for _, o := range opts {
		o(s)
	}
	s.handler = s.routes()
	if s.inMemory {
		s.URL = "https://fintract.test/"
		return s
	}
	s.srv = httptest.NewServer(s.handler)
	s.URL = s.srv.URL + "/"
	return s
}

// InMemory starts the fake without a socket or a goroutine: it serves only
// through Transport (give it to the client with [banklink.WithTransport]),
// and URL is https://fintract.test/. Client and fake then run inside a
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

func (s *Server) add(u *user) *user {
	s.nextID++
	u.ID = 92 + s.nextID
	if u.CustomerID == "" {
		u.CustomerID = fmt.Sprintf("70018088799%05d", u.ID)
	}
	s.users[u.ID] = u
	return u
}

// OTP returns the OTP last sent to the user with this email, and false if
// none is pending.
func (s *Server) OTP(email string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.byEmail(email); u != nil && u.otp != "" {
		return u.otp, true
	}
	return "", false
}

// VerifyEmail marks a registered user's address as verified (what the
// link in the verification mail does).
func (s *Server) VerifyEmail(email string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.byEmail(email); u != nil {
		u.Verified = true
	}
}

// VerificationToken returns the token of the verification link last
// e-mailed to email ("" when none).
func (s *Server) VerificationToken(email string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.byEmail(email); u != nil {
		return u.verifyToken
	}
	return ""
}

// UserID returns the id of the user with this email, or 0.
func (s *Server) UserID(email string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.byEmail(email); u != nil {
		return u.ID
	}
	return 0
}

// ExpiredTokens returns an access and a refresh token for the user with
// this email, signed with the server's key, whose exp passed a minute ago.
func (s *Server) ExpiredTokens(email string) (access, refresh string) {
	id := s.UserID(email)
	at := func(ttl time.Duration) time.Time { return time.Now().Add(-ttl - time.Minute) }
	return s.jwt.IssueAt("access", id, at(s.jwt.AccessTTL)), s.jwt.IssueAt("refresh", id, at(s.jwt.RefreshTTL))
}

// DeleteUser deletes the account with this email, as DELETE auth/delete/
// does.
func (s *Server) DeleteUser(email string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u := s.byEmail(email); u != nil {
		delete(s.users, u.ID)
	}
}

// ExpireAccessTokens makes every access token issued so far invalid.
func (s *Server) ExpireAccessTokens() { s.jwt.ExpireAccess() }

// RevokeRefreshTokens makes every refresh token issued so far invalid.
func (s *Server) RevokeRefreshTokens() { s.jwt.RevokeRefresh() }

// Uploads returns the files received so far.
func (s *Server) Uploads() []Upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Upload(nil), s.uploads...)
}

// UserExists reports whether an account with this email exists.
func (s *Server) UserExists(email string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.byEmail(email) != nil
}

func (s *Server) byEmail(email string) *user {
	for _, u := range s.users {
		if u.Email == email {
			return u
		}
	}
	return nil
}

// newOTP returns six digits, never starting with 0 (as the server's).
func newOTP() string {
	n, _ := rand.Int(rand.Reader, big.NewInt(900_000))
	return strconv.FormatInt(100_000+n.Int64(), 10)
}
