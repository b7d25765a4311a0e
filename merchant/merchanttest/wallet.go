// Package merchanttest runs fakes of the merchant wallet's auth API and of
// the bank's NIP name enquiry service in-process, for tests and examples.
//
// The wallet fake takes base64-encoded login fields, hands out 48-character
// opaque tokens in the X-Access-Token/X-Refresh-Token response headers,
// rotates both on refresh (the old refresh token is single-use), answers a
// bad refresh token with 400 {"status": false, …}, and can expire access
// tokens, rotate the pair on ordinary answers, and refuse with 401 or 403.
// With WithReuseDetection it treats a spent refresh token presented again
// as a stolen token family and revokes the whole family, as RFC 9700
// §4.14.2 advises servers to; with InMemory it has no socket and serves
// only through Transport (for fleets inside a testing/synctest bubble).
// The NIP fake checks the body credentials and answers the documented
// bodies, failures included, under any HTTP status.
package merchanttest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/banklink/banklink-go/banklinktest"
	"github.com/banklink/banklink-go/internal/fake"
)

// Wallet route names, for InjectFaults and Calls.
const (
	RouteLogin          = "login"
	RouteLogout         = "logout"
	RouteRefresh        = "refresh"
	RoutePasswordForget = "password_forget"
	RoutePasswordReset  = "password_reset"
	RouteProfile        = "profile"  // GET /merchant/profile: an authenticated read, for tests
	RouteCallback       = "callback" // POST /merchant/callback: an authenticated call with side effects, for tests
	AnyRoute            = banklinktest.AnyRoute
)

// Fault is banklinktest.Fault, one injected answer (status, body, delay,
// dropped or cut-off connection); queue it with the server's InjectFaults
// (banklinktest.Controls).
type Fault = banklinktest.Fault

// The default merchant user.
const (
	Email    = "merchant1@mailinator.com"
	Password = "password"
)

// Wallet is a running wallet fake. Its methods are safe for concurrent use.
type Wallet struct {
	banklinktest.Controls
	// URL is the base URL to give the client (…/api/v1/).
	URL string

	srv           *httptest.Server
	handler       http.Handler
	profileBody   fake.Encoded // the profile, encoded once each time it changes (mu)
	mu            sync.Mutex
	password      string
	resetCode     string
	access        map[string]time.Time // token → expiry
	refresh       map[string]bool      // token → still usable
	refreshExp    map[string]time.Time // token → expiry, with a refresh lifetime
	pairs         map[string]string    // access → its refresh token
	family        map[string]int       // token (access or refresh) → the login it descends from
	revoked       map[int]bool         // families revoked for a reused refresh token
	used          map[string]bool      // refresh tokens spent by a refresh or a rotation
	logins        int                  // families issued
	reuseDetect   bool
	inMemory      bool
	reuses        int // spent refresh tokens presented again (RFC 9700 reuse)
	accessTTL     time.Duration
	refreshTTL    time.Duration
	rotateAlways  bool
	refusalStatus int
	callbackURL   string
	rotateRefusal int // the next authenticated answers to fail with a new pair: their status
	staleRefresh  int // refresh calls presenting a spent or unknown token
	currentUses   int // authenticated calls that carried a live pair
	staleUses     int // authenticated calls that carried a replaced pair
}

// Option configures a Wallet.
type Option func(*Wallet)

// WithTokenLifetimes makes access tokens expire after access and refresh
// tokens after refresh; zero (the default for both) means never. Refresh
// tokens are single-use whatever their lifetime.
func WithTokenLifetimes(access, refresh time.Duration) Option {
	return func(w *Wallet) { w.accessTTL, w.refreshTTL = access, refresh }
}

// WithRotationOnEveryAnswer hands out a new pair on every authenticated
// answer, as the wallet may.
func WithRotationOnEveryAnswer() Option { return func(w *Wallet) { w.rotateAlways = true } }

// WithReuseDetection makes a spent refresh token presented again revoke
// its whole token family (every access and refresh token descending from
// the same login), as RFC 9700 §4.14.2 advises servers to: one replica's
// reuse then logs the whole fleet out. Reuses counts such presentations.
func WithReuseDetection() Option { return func(w *Wallet) { w.reuseDetect = true } }

// InMemory starts the wallet without a socket or a goroutine: it serves
// only through Transport (give it to the client with
// [banklink.WithTransport]), and URL is https://wallet.test/api/v1/.
// Clients and wallet then run inside a testing/synctest bubble.
func InMemory() Option { return func(w *Wallet) { w.inMemory = true } }

// WithRefusalStatus sets the status of a refused session (401 by default;
// the wallet's is undocumented, 403 is seen too).
func WithRefusalStatus(status int) Option { return func(w *Wallet) { w.refusalStatus = status } }

// NewWallet starts a wallet fake. Close it when done.
func NewWallet(opts ...Option) *Wallet {
	w := &Wallet{password: Password, access: map[string]time.Time{}, refresh: map[string]bool{}, refreshExp: map[string]time.Time{},
		pairs: map[string]string{}, family: map[string]int{}, revoked: map[int]bool{}, used: map[string]bool{}, refusalStatus: http.StatusUnauthorized}
	w.encodeProfile()
	for _, o := range opts {
		o(w)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/auth/login", w.Route(RouteLogin, w.login))
	mux.HandleFunc("POST /api/v1/auth/logout", w.Route(RouteLogout, w.logout))
	mux.HandleFunc("POST /api/v1/auth/refresh/token", w.Route(RouteRefresh, w.refreshToken))
	mux.HandleFunc("POST /api/v1/auth/password/forget", w.Route(RoutePasswordForget, w.forget))
	mux.HandleFunc("POST /api/v1/auth/password/reset", w.Route(RoutePasswordReset, w.reset))
	mux.HandleFunc("GET /api/v1/merchant/profile", w.Route(RouteProfile, w.profile))
	mux.HandleFunc("POST /api/v1/merchant/callback", w.Route(RouteCallback, w.callback))
	mux.HandleFunc("/", func(rw http.ResponseWriter, r *http.Request) {
		fake.WriteJSON(rw, http.StatusNotFound, map[string]any{"status": false, "message": "Route not found"})
	})
	w.handler = mux
	if w.inMemory {
		w.URL = "https://wallet.test/api/v1/"
		return w
	}
	w.srv = httptest.NewServer(mux)
	w.URL = w.srv.URL + "/api/v1/"
	return w
}

// Close shuts the server down.
func (w *Wallet) Close() {
	if w.srv != nil {
		w.srv.Close()
	}
}

// Transport returns a RoundTripper that serves requests in this process,
// without a socket (banklinktest.InMemoryTransport); give it to a client
// with [banklink.WithTransport].
func (w *Wallet) Transport() http.RoundTripper { return banklinktest.InMemoryTransport(w.handler) }

// Reuses counts refresh tokens presented again after a refresh or a
// rotation spent them: each one a token that should never have left a
// client twice. (A token a logout or RevokeRefreshTokens ended is refused
// without counting.)
func (w *Wallet) Reuses() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.reuses
}

// ExpireAccessTokens makes every access token issued so far invalid.
func (w *Wallet) ExpireAccessTokens() {
	w.mu.Lock()
	defer w.mu.Unlock()
	clear(w.access)
}

// RevokeRefreshTokens makes every refresh token issued so far invalid.
func (w *Wallet) RevokeRefreshTokens() {
	w.mu.Lock()
	defer w.mu.Unlock()
	clear(w.refresh)
}

// FailNextWithRotation makes the next authenticated call fail with status
// and {"status": false, "message": message} while handing out a new token
// pair in the answer's headers, as the wallet may.
func (w *Wallet) FailNextWithRotation(status int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.rotateRefusal = status
}

// ResetCode returns the code the last forgot-password request mailed.
func (w *Wallet) ResetCode() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.resetCode
}

// StaleRefreshUses counts refresh calls that presented a spent or unknown
// refresh token.
func (w *Wallet) StaleRefreshUses() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.staleRefresh
}

// PairUses counts authenticated calls that carried the live pair and
// calls that carried a pair already replaced by a refresh or rotation.
func (w *Wallet) PairUses() (current, stale int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.currentUses, w.staleUses
}

func token() string {
	var b [36]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:]) // 48 characters
}

// issue hands out a new pair of family fam in the answer's headers. Call
// with w.mu held.
func (w *Wallet) issue(rw http.ResponseWriter, fam int) {
	a, r := token(), token()
	w.family[a], w.family[r] = fam, fam
	exp := time.Now().Add(100 * 365 * 24 * time.Hour)
	if w.accessTTL > 0 {
		exp = time.Now().Add(w.accessTTL)
	}
	if w.refreshTTL > 0 {
		w.refreshExp[r] = time.Now().Add(w.refreshTTL)
	}
	w.access[a], w.refresh[r], w.pairs[a] = exp, true, r
	rw.Header().Set("X-Access-Token", a)
	rw.Header().Set("X-Refresh-Token", r)
}

func fail(rw http.ResponseWriter, status int, msg string) {
	fake.WriteJSON(rw, status, map[string]any{"status": false, "message": msg})
}

func readJSON(r *http.Request) map[string]string {
	var m map[string]string
	_ = json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(&m)
	return m
}

func account(refresh bool) map[string]any {
	m := map[string]any{
		"email": Email, "id": "e84a4677-3158-40ba-8967-f523c2315cf9", "lastName": "Obagunwa", "mode": "SANDBOX", "role": "Admin",
		"firstName": "Samson", "review": "PENDING", "businessName": "Caleb", "businessType": "Restaurants",
		"callbackURL": nil, "sandboxCallbackURL": nil, "parentMerchant": nil, "canDebitCustomer": false,
		"createdAt": "2022-05-03T10:18:19.172Z", "updatedAt": "2022-05-03T10:18:19.172Z",
	}
	if !refresh {
		m["owner"] = false
	}
	return map[string]any{"status": true, "merchant": m, "data": map[string]any{
		"id": "425bc461-9b6c-4036-b47a-9d96e4f21eba", "role": "USER", "email": Email, "lastName": "Obagunwa",
		"firstName": "Samson", "createdAt": "2021-08-16T22:59:27.026Z", "updatedAt": "2022-05-03T11:01:11.923Z",
	}}
}

func (w *Wallet) login(rw http.ResponseWriter, r *http.Request) {
	m := readJSON(r)
	email, err1 := base64.StdEncoding.DecodeString(m["email"])
	pw, err2 := base64.StdEncoding.DecodeString(m["password"])
	w.mu.Lock()
	defer w.mu.Unlock()
	if err1 != nil || err2 != nil || string(email) != Email || string(pw) != w.password {
		fail(rw, http.StatusBadRequest, "Invalid email or password")
		return
	}
	w.logins++
	w.issue(rw, w.logins)
	fake.WriteJSON(rw, http.StatusOK, account(false))
}

func (w *Wallet) refreshToken(rw http.ResponseWriter, r *http.Request) {
	rt := r.Header.Get("X-Refresh-Token")
	w.mu.Lock()
	defer w.mu.Unlock()
	fam, known := w.family[rt]
	if !w.refresh[rt] || w.revoked[fam] {
		w.staleRefresh++
		if known && !w.revoked[fam] && w.spent(rt) {
			w.reuses++
			if w.reuseDetect {
				w.revokeFamily(fam)
			}
		}
		fail(rw, http.StatusBadRequest, "Invalid refresh token provided.")
		return
	}
	if exp, ok := w.refreshExp[rt]; ok && time.Now().After(exp) {
		fail(rw, http.StatusBadRequest, "Invalid refresh token provided.")
		return
	}
	w.refresh[rt], w.used[rt] = false, true // single-use
	for a, pr := range w.pairs {
		if pr == rt {
			delete(w.access, a) // the rotated pair replaces the old one
		}
	}
	w.issue(rw, fam)
	fake.WriteJSON(rw, http.StatusOK, account(true))
}

// spent reports whether rt was a refresh token that was used (refreshed
// or rotated away): not one that never existed, expired or was logged
// out. Call with w.mu held.
func (w *Wallet) spent(rt string) bool { return w.used[rt] }

// revokeFamily ends every token of a family. Call with w.mu held.
func (w *Wallet) revokeFamily(fam int) {
	w.revoked[fam] = true
	for tok, f := range w.family {
		if f == fam {
			delete(w.access, tok)
			if _, ok := w.refresh[tok]; ok {
				w.refresh[tok] = false
			}
		}
	}
}

// session checks both headers; it answers the refusal and returns false.
// Call with w.mu held.
func (w *Wallet) session(rw http.ResponseWriter, r *http.Request) (string, bool) {
	a, rt := r.Header.Get("X-Access-Token"), r.Header.Get("X-Refresh-Token")
	exp, ok := w.access[a]
	if ok && w.pairs[a] == rt && time.Now().Before(exp) {
		w.currentUses++
		return a, true
	}
	if _, known := w.pairs[a]; known {
		w.staleUses++
	}
	fail(rw, w.refusalStatus, "Unauthorized access, please login")
	return "", false
}

func (w *Wallet) logout(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	defer w.mu.Unlock()
	a, ok := w.session(rw, r)
	if !ok {
		return
	}
	delete(w.access, a)
	w.refresh[w.pairs[a]] = false
	rw.WriteHeader(http.StatusOK) // no body
}

func (w *Wallet) profile(rw http.ResponseWriter, r *http.Request) {
	w.mu.Lock()
	defer w.mu.Unlock()
	a, ok := w.session(rw, r)
	if !ok {
		return
	}
	if w.rotateAlways || w.rotateRefusal != 0 {
		delete(w.access, a)
		w.refresh[w.pairs[a]], w.used[w.pairs[a]] = false, true
		w.issue(rw, w.family[a])
	}
	if status := w.rotateRefusal; status != 0 {
		w.rotateRefusal = 0
		fail(rw, status, "Wallet is not funded")
		return
	}
	fake.WriteJSON(rw, http.StatusOK, w.profileBody)
}

// encodeProfile encodes the profile the wallet answers: the merchant, with
// the callback URL last set. The caller holds mu (or owns w).
func (w *Wallet) encodeProfile() {
	m := account(false)["merchant"].(map[string]any)
	if w.callbackURL != "" {
		m["callbackURL"] = w.callbackURL
	}
	w.profileBody = fake.Encode(map[string]any{"status": true, "data": m})
}

// callback sets the merchant's callback URL: {"callbackURL": "..."}.
func (w *Wallet) callback(rw http.ResponseWriter, r *http.Request) {
	m := readJSON(r)
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, ok := w.session(rw, r); !ok {
		return
	}
	if !strings.HasPrefix(m["callbackURL"], "https://") {
		fail(rw, http.StatusBadRequest, "callbackURL must be an https URL")
		return
	}
	w.callbackURL = m["callbackURL"]
	w.encodeProfile()
	fake.WriteJSON(rw, http.StatusOK, map[string]any{"status": true, "message": "Callback URL updated", "data": map[string]string{"callbackURL": w.callbackURL}})
}

// CallbackURL returns the callback URL last set.
func (w *Wallet) CallbackURL() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.callbackURL
}

func (w *Wallet) forget(rw http.ResponseWriter, r *http.Request) {
	m := readJSON(r)
	w.mu.Lock()
	defer w.mu.Unlock()
	if !strings.EqualFold(m["email"], Email) {
		fail(rw, http.StatusBadRequest, "User not found")
		return
	}
	w.resetCode = "3122489"
	fake.WriteJSON(rw, http.StatusOK, map[string]any{"status": true, "message": "Your reset code has been sent to your email. It expires in 24 hours."})
}

func (w *Wallet) reset(rw http.ResponseWriter, r *http.Request) {
	m := readJSON(r)
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.resetCode == "" || m["resetCode"] != w.resetCode || m["password"] == "" {
		fail(rw, http.StatusBadRequest, "Invalid reset code")
		return
	}
	w.password, w.resetCode = m["password"], ""
	fake.WriteJSON(rw, http.StatusOK, map[string]any{"status": true, "message": "Password reset successfully"})
}
