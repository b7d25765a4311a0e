package reliability_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
	"github.com/banklink/banklink-go/fintiv"
	"github.com/banklink/banklink-go/fintiv/fintivtest"
	"github.com/banklink/banklink-go/fintract"
	"github.com/banklink/banklink-go/fintract/fintracttest"
	"github.com/banklink/banklink-go/merchant"
	"github.com/banklink/banklink-go/merchant/merchanttest"
)

// The canaries: distinctive secrets that must never be seen.
const (
	dfcuPassword     = "CANARY-dfcu-pass-31f9"
	fintractPassword = "CANARY-fintract-pw-77ac"
	fintivKey        = "CANARY-fintiv-key-0d4e"
	fintivPassword   = "CANARY-fintiv-pw-9b21"
	fintivPIN        = "8264"
	merchantPassword = "CANARY-merchant-pw-5c3a"
	nipPassword      = "CANARY-nip-pw-e810"
)

// sink collects everything that could show a secret.
type sink struct {
	mu    sync.Mutex
	texts []string
}

func (s *sink) add(vals ...any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range vals {
		if v == nil {
			continue
		}
		s.texts = append(s.texts, fmt.Sprintf("%v|%+v|%#v|%s", v, v, v, v))
		if err, ok := v.(error); ok {
			s.texts = append(s.texts, err.Error())
		}
	}
}

// guard runs f, recording a panic's message instead of crashing.
func (s *sink) guard(f func()) {
	defer func() {
		if r := recover(); r != nil {
			s.add(fmt.Sprint(r))
		}
	}()
	f()
}

// TestCanarySecrets runs every provider's main flow, good and bad, with a
// debug logger, and checks that no secret appears in any log record, error
// string, formatted returned value or panic message.
func TestCanarySecrets(t *testing.T) {
	var logs bytes.Buffer
	var logMu sync.Mutex
	log := slog.New(slog.NewJSONHandler(&lockedWriter{w: &logs, mu: &logMu}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	out := &sink{}
	ctx := context.Background()
	secrets := []string{dfcuPassword, fintractPassword, fintivKey, fintivPassword, merchantPassword, nipPassword}

	// DFCU.
	ds := dfcutest.NewServer(dfcutest.WithUser("canary", dfcuPassword))
	defer ds.Close()
	out.guard(func() {
		c, err := dfcu.New(banklink.WithBaseURL(ds.URL), dfcu.WithCredentials("canary", dfcuPassword), banklink.WithLogger(log))
		require.NoError(t, err)
		defer c.CloseIdleConnections()
		s, err := c.Login(ctx)
		out.add(c, s, err)
		l, err := c.Loans(ctx, dfcutest.AccountWithLoans)
		out.add(l, err)
		ds.ExpireAccessTokens()
		ds.InjectFaults(dfcutest.RouteLoans, dfcutest.Fault{Status: 500, Body: "<html><title>boom " + dfcuPassword + "</title></html>"})
		_, err = c.Loans(ctx, dfcutest.UnknownAccount)
		out.add(err)
		s, _ = c.Session()
		out.add(s)
		secrets = append(secrets, s.Access, s.Refresh)
		bad, _ := dfcu.New(banklink.WithBaseURL(ds.URL), dfcu.WithCredentials("canary", dfcuPassword+"x"), banklink.WithLogger(log))
		_, err = bad.Loans(ctx, "1002000989")
		out.add(bad, err)
	})

	// Fintract, with the OTP as a secret too.
	fs := fintracttest.NewServer()
	defer fs.Close()
	out.guard(func() {
		c, err := fintract.New(banklink.WithBaseURL(fs.URL), banklink.WithLogger(log))
		require.NoError(t, err)
		defer c.CloseIdleConnections()
		reg := fintract.RegisterRequest{Email: "canary@example.com", Username: "canary", Name: "Canary", Password: fintractPassword, Password2: fintractPassword, Phone: "1"}
		u, err := c.Register(ctx, reg)
		out.add(u, err)
		fs.VerifyEmail(reg.Email)
		_, err = c.Login(ctx, fintract.LoginRequest{Email: reg.Email, Password: fintractPassword + "!"})
		out.add(err)
		ch, err := c.Login(ctx, fintract.LoginRequest{Email: reg.Email, Password: fintractPassword})
		out.add(ch, err)
		otp, _ := fs.OTP(reg.Email)
		secrets = append(secrets, "otp\":\""+otp) // the OTP as sent in a body
		_, err = c.VerifyOTP(ctx, ch.UserID, "000000")
		out.add(err)
		s, err := c.VerifyOTP(ctx, ch.UserID, otp)
		out.add(s, err)
		secrets = append(secrets, s.Access, s.Refresh)
		av, err := c.UploadAvatar(ctx, s.UserID, fintract.File{Name: "a.png", Body: strings.NewReader("\x89PNG\r\n\x1a\n")})
		out.add(av, err) // the server answers with the password hash: never kept
		fs.ExpireAccessTokens()
		fs.RevokeRefreshTokens()
		_, err = c.UserInfo(ctx, s.UserID)
		out.add(err, c)
	})

	// Fintiv: the API key and the PIN.
	vs := fintivtest.NewServer(fintivtest.WithAPIKey(fintivKey), fintivtest.WithUser(fintivtest.User{UUID: "u-canary", Username: "canary", Password: fintivPassword, PIN: fintivPIN}))
	defer vs.Close()
	out.guard(func() {
		c, err := fintiv.New(banklink.WithBaseURL(vs.URL), fintiv.WithAPIKey(fintivKey), fintiv.WithTenant(fintivtest.Tenant),
			fintiv.WithCredentials("canary", fintivPassword), banklink.WithLogger(log))
		require.NoError(t, err)
		defer c.CloseIdleConnections()
		s, err := c.Login(ctx)
		out.add(s, err)
		secrets = append(secrets, s.Access, s.Refresh)
		ok, err := c.ValidatePIN(ctx, "u-canary", fintivPIN)
		out.add(ok, err)
		_, err = c.ValidatePIN(ctx, "someone", fintivPIN)
		out.add(err)
		info, err := c.CheckToken(ctx) // the token travels in the query string
		out.add(info, err)
		vs.ExpireAccessTokens()
		info, err = c.CheckToken(ctx)
		out.add(info, err)
		err = c.ChangePassword(ctx, fintivPassword+"x", "CANARY-new-pw")
		out.add(err, c)
		wrong, _ := fintiv.New(banklink.WithBaseURL(vs.URL), fintiv.WithAPIKey(fintivKey+"-wrong"), banklink.WithLogger(log))
		_, err = wrong.UserExists(ctx, "canary")
		out.add(wrong, err)
	})

	// Merchant wallet and NIP.
	ws := merchanttest.NewWallet()
	defer ws.Close()
	ns := merchanttest.NewNIP()
	defer ns.Close()
	out.guard(func() {
		c, err := merchant.New(banklink.WithBaseURL(ws.URL), merchant.WithCredentials(merchanttest.Email, merchantPassword), banklink.WithLogger(log))
		require.NoError(t, err)
		defer c.CloseIdleConnections()
		_, err = c.Login(ctx) // refused: the fake's password differs
		out.add(err)
		c2, _ := merchant.New(banklink.WithBaseURL(ws.URL), merchant.WithCredentials(merchanttest.Email, merchanttest.Password), banklink.WithLogger(log))
		defer c2.CloseIdleConnections()
		a, err := c2.Login(ctx)
		out.add(a, err)
		s, _ := c2.Session()
		out.add(s)
		secrets = append(secrets, s.Access, s.Refresh)
		ws.ExpireAccessTokens()
		_, err = merchant.Do[merchant.Merchant](ctx, c2, banklink.Request{Auth: true, Method: "GET", Path: "/merchant/profile"})
		out.add(err)
		s, _ = c2.Session()
		secrets = append(secrets, s.Access, s.Refresh)
		out.add(c2.Logout(ctx))

		n, err := merchant.NewNIP(banklink.WithBaseURL(ns.URL), merchant.WithNIPCredentials(merchanttest.NIPUsername, nipPassword), banklink.WithLogger(log))
		require.NoError(t, err)
		defer n.CloseIdleConnections()
		acct, err := n.AccountName(ctx, merchanttest.NIPAccount, merchanttest.NIPBank)
		out.add(acct, err, n)
	})

	logMu.Lock()
	all := logs.String() + strings.Join(out.texts, "\n")
	logMu.Unlock()
	assert.Contains(t, logs.String(), "banklink: http attempt", "debug logging was on")
	for _, secret := range secrets {
		require.NotEmpty(t, secret)
		assert.NotContains(t, all, secret)
	}
	assert.NotContains(t, all, "pbkdf2_sha256", "a password hash from a server answer was kept")
	assertNoSecret(t, all, fintivPIN)
}

// assertNoSecret fails when secret shows in text. A secret of digits only
// (a PIN, an OTP) counts only as a number of its own: "8264" inside the
// timestamp "34.826461106Z" of a log record is chance, not a leak (this
// test failed on such a timestamp, about once in thirty runs).
func assertNoSecret(t *testing.T, text, secret string, msgAndArgs ...any) {
	t.Helper()
	if strings.Trim(secret, "0123456789") != "" {
		assert.NotContains(t, text, secret, msgAndArgs...)
		return
	}
	re := regexp.MustCompile(`(^|[^0-9A-Za-z._-])` + secret + `($|[^0-9A-Za-z._-])`)
	assert.False(t, re.MatchString(text), "%q shows in %s", secret, re.FindString(text))
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// Each provider, redirected to another host by its server with 302, 307
// and 308: the other host receives nothing, so neither credential headers
// nor credential fields of a body reach it.
func TestProvidersNeverFollowARedirectElsewhere(t *testing.T) {
	var hits atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer evil.Close()
	for _, status := range []int{http.StatusFound, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, evil.URL+r.URL.Path, status)
		}))
		base := redirect.URL + "/"
		ctx := context.Background()
		calls := map[string]func() error{
			"dfcu login (password in the body)": func() error {
				c, _ := dfcu.New(banklink.WithBaseURL(base), dfcu.WithCredentials("u", dfcuPassword))
				defer c.CloseIdleConnections()
				_, err := c.Login(ctx)
				return err
			},
			"dfcu loans (Bearer)": func() error {
				c, _ := dfcu.New(banklink.WithBaseURL(base), dfcu.WithSession(dfcu.Session{Access: "a", Refresh: "r"}))
				defer c.CloseIdleConnections()
				_, err := c.Loans(ctx, "1002000989")
				return err
			},
			"fintract verify OTP (OTP in the body)": func() error {
				c, _ := fintract.New(banklink.WithBaseURL(base))
				defer c.CloseIdleConnections()
				_, err := c.VerifyOTP(ctx, 93, "123456")
				return err
			},
			"fintiv token (api-key, tenant, password)": func() error {
				c, _ := fintiv.New(banklink.WithBaseURL(base), fintiv.WithAPIKey(fintivKey), fintiv.WithTenant("JANUS"), fintiv.WithCredentials("u", fintivPassword))
				defer c.CloseIdleConnections()
				_, err := c.Login(ctx)
				return err
			},
			"merchant profile (X-Access/X-Refresh)": func() error {
				c, _ := merchant.New(banklink.WithBaseURL(base), merchant.WithSession(merchant.Session{Access: "a", Refresh: "r"}))
				defer c.CloseIdleConnections()
				_, err := merchant.Do[merchant.Merchant](ctx, c, banklink.Request{Auth: true, Method: "GET", Path: "/merchant/profile"})
				return err
			},
			"NIP name enquiry (password in the body)": func() error {
				n, _ := merchant.NewNIP(banklink.WithBaseURL(base), merchant.WithNIPCredentials("u", nipPassword))
				defer n.CloseIdleConnections()
				_, err := n.AccountName(ctx, "1018996198", "110000")
				return err
			},
		}
		for name, call := range calls {
			err := call()
			assert.ErrorIs(t, err, banklink.ErrRedirectRefused, "%s, %d", name, status)
		}
		redirect.Close()
	}
	assert.Zero(t, hits.Load(), "the other host received a request")
}

// Plain http to a host that is not this machine is refused by every
// provider without the opt-in.
func TestEveryProviderRefusesPlainHTTPToAPublicHost(t *testing.T) {
	const base = "http://203.0.113.10:8080/"
	_, err := dfcu.New(banklink.WithBaseURL(base), dfcu.WithCredentials("u", "p"))
	assert.ErrorIs(t, err, banklink.ErrInsecureURL)
	_, err = fintract.New(banklink.WithBaseURL(base))
	assert.ErrorIs(t, err, banklink.ErrInsecureURL)
	_, err = fintiv.New(banklink.WithBaseURL(base), fintiv.WithAPIKey("k"))
	assert.ErrorIs(t, err, banklink.ErrInsecureURL)
	_, err = merchant.New(banklink.WithBaseURL(base))
	assert.ErrorIs(t, err, banklink.ErrInsecureURL)
	_, err = merchant.NewNIP(banklink.WithBaseURL(base), merchant.WithNIPCredentials("u", "p"))
	assert.ErrorIs(t, err, banklink.ErrInsecureURL)
}
