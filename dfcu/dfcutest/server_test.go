package dfcutest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type reply struct {
	status int
	header http.Header
	body   string
}

func post(t *testing.T, s *Server, path, contentType, body string, header ...string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header, string(b)}
}

func login(t *testing.T, s *Server) map[string]string {
	t.Helper()
	r := post(t, s, "token/", "application/json", `{"username":"demo","password":"demo-password"}`)
	require.Equal(t, 200, r.status, r.body)
	var pair map[string]string
	require.NoError(t, json.Unmarshal([]byte(r.body), &pair))
	return pair
}

// The behaviours of the reference's failure table, as the fake answers them.
func TestFakeAnswersLikeTheRealServer(t *testing.T) {
	s := NewServer()
	defer s.Close()
	pair := login(t, s)
	bearer := []string{"Authorization", "Bearer " + pair["access"]}

	form := post(t, s, "token/", "application/x-www-form-urlencoded", url.Values{"username": {"demo"}, "password": {"demo-password"}}.Encode())
	assert.Equal(t, 200, form.status, "form login is accepted too")

	r := post(t, s, "token/", "application/json", `{"username":"demo","password":"nope"}`)
	assert.Equal(t, 401, r.status)
	assert.JSONEq(t, `{"detail":"No active account found with the given credentials"}`, r.body)
	assert.Equal(t, `Bearer realm="api"`, r.header.Get("WWW-Authenticate"))

	r = post(t, s, "token/", "application/json", `{"username":""}`)
	assert.Equal(t, 400, r.status)
	assert.JSONEq(t, `{"username":["This field may not be blank."],"password":["This field is required."]}`, r.body)

	r = post(t, s, "api/accounts/loans/", "application/json", `{"account":"1002000989"}`)
	assert.Equal(t, 401, r.status)
	assert.JSONEq(t, `{"detail":"Authentication credentials were not provided."}`, r.body)

	r = post(t, s, "api/accounts/loans/", "application/json", `{"account":"1002000989"}`, "Authorization", "bearer "+pair["access"])
	assert.Equal(t, 401, r.status, "the scheme is case-sensitive")

	r = post(t, s, "api/accounts/loans/", "application/json", `{"account":"1002000989"}`, "Authorization", "Bearer "+pair["refresh"])
	assert.Equal(t, 401, r.status)
	assert.Contains(t, r.body, `"code":"token_not_valid"`)

	r = post(t, s, "token/refresh/", "application/json", `{"refresh":"garbage"}`)
	assert.Equal(t, 401, r.status)
	assert.JSONEq(t, `{"detail":"Token is invalid or expired","code":"token_not_valid"}`, r.body)

	r = post(t, s, "token/refresh/", "application/json", `{"refresh":"`+pair["refresh"]+`"}`)
	assert.Equal(t, 200, r.status)
	assert.NotContains(t, r.body, "refresh", "no new refresh token")

	for body, want := range map[string]string{
		`{"account":"6010105070"}`:  `{"response":"No Loans found for account - 6010105070"}`,
		`{"account":"9999999999"}`:  `{"response":"An error ocurred. The Account number (9999999999) provided does not exist."}`,
		`{"account":" 1002000989"}`: `{"response":"An error ocurred. The Account number ( 1002000989) provided does not exist."}`,
		`{"account":""}`:            `{"response":"You need to provide account number."}`,
		`{"account":null}`:          `{"response":"You need to provide account number."}`,
	} {
		r = post(t, s, "api/accounts/loans/", "application/json", body, bearer...)
		assert.Equal(t, 200, r.status, body)
		assert.JSONEq(t, want, r.body, body)
	}

	r = post(t, s, "api/accounts/loans/", "application/json", `{"account":1002000989}`, bearer...)
	assert.Equal(t, 200, r.status, "a number works for an account with loans")
	for _, body := range []string{`{}`, `{"account":6010105070}`} {
		r = post(t, s, "api/accounts/loans/", "application/json", body, bearer...)
		assert.Equal(t, 500, r.status, body)
		assert.True(t, strings.HasPrefix(r.header.Get("Content-Type"), "text/html"))
		assert.Greater(t, len(r.body), 10000, "a Django debug page is tens of KB")
	}

	r = post(t, s, "api/accounts/loans", "application/json", `{"account":"1002000989"}`, bearer...)
	assert.Equal(t, 500, r.status, "no trailing slash: HTML 500, no redirect")
	assert.Contains(t, r.body, "<title>RuntimeError")

	r = post(t, s, "api/accounts/loans/", "application/json", `{"account":`, bearer...)
	assert.Equal(t, 400, r.status)
	assert.Contains(t, r.body, "JSON parse error")

	req, _ := http.NewRequest(http.MethodGet, s.URL+"token/", nil)
	resp, err := s.Client().Do(req)
	require.NoError(t, err)
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.Equal(t, 405, resp.StatusCode)
	assert.JSONEq(t, `{"detail":"Method \"GET\" not allowed."}`, string(b))
}

func TestFakeSwitches(t *testing.T) {
	s := NewServer(WithTokenLifetimes(2*time.Second, time.Hour), WithUser("ann", "pw-ann"),
		WithAccount(Account{Number: "123", CustomerID: "C9", CustomerName: "Ann"}))
	defer s.Close()
	pair := login(t, s)
	bearer := []string{"Authorization", "Bearer " + pair["access"]}

	r := post(t, s, "api/accounts/loans/", "application/json", `{"account":"123"}`, bearer...)
	assert.JSONEq(t, `{"response":"No Loans found for account - 123"}`, r.body)

	s.ExpireAccessTokens()
	r = post(t, s, "api/accounts/loans/", "application/json", `{"account":"123"}`, bearer...)
	assert.Equal(t, 401, r.status)

	s.RevokeRefreshTokens()
	r = post(t, s, "token/refresh/", "application/json", `{"refresh":"`+pair["refresh"]+`"}`)
	assert.Equal(t, 401, r.status)

	pair = login(t, s)
	s.DeleteUser(DefaultUsername)
	r = post(t, s, "api/accounts/loans/", "application/json", `{"account":"123"}`, "Authorization", "Bearer "+pair["access"])
	assert.JSONEq(t, `{"detail":"User not found","code":"user_not_found"}`, r.body)

	s.InjectFaults(RouteToken, Fault{Status: 503, RetryAfter: "7"})
	r = post(t, s, "token/", "application/json", `{"username":"ann","password":"pw-ann"}`)
	assert.Equal(t, 503, r.status)
	assert.Equal(t, "7", r.header.Get("Retry-After"))
	assert.Equal(t, 3, s.Calls(RouteToken))
	assert.Equal(t, 1, s.Calls(RouteRefresh))
	assert.Equal(t, 3, s.Calls(RouteLoans))
}

// Regression (#12.4): a login read the user's fields after unlocking
// while DeleteUser wrote them (-race reported it).
func TestLoginsRacingADeletionAreRaceFree(t *testing.T) {
	s := NewServer(WithUser("gone", "gone-password"))
	defer s.Close()
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 25 {
				r := post(t, s, "token/", "application/json", `{"username":"gone","password":"gone-password"}`)
				assert.Contains(t, []int{200, 401}, r.status)
			}
		}()
	}
	s.DeleteUser("gone")
	for range 4 {
		<-done
	}
	assert.Equal(t, 401, post(t, s, "token/", "application/json", `{"username":"gone","password":"gone-password"}`).status)
}
