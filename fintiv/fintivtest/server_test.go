package fintivtest

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func do(t *testing.T, s *Server, method, path, ctype, body string, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := s.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// Behaviours the SDK's client never provokes, checked on the raw API.
func TestFakeAnswersLikeTheRealService(t *testing.T) {
	s := NewServer()
	defer s.Close()
	key := map[string]string{"api-key": APIKey, "tenantName": Tenant}
	form := "application/x-www-form-urlencoded"

	status, body := do(t, s, "GET", "auth/api/checkUserExist?username=x", "", "", nil)
	assert.Equal(t, 401, status, "no APP key")
	assert.NotContains(t, body, "contextResponse", "a flat 401")

	status, body = do(t, s, "POST", "auth/oauth/token", form, url.Values{"grant_type": {"password"}, "username": {Username}, "password": {Password}}.Encode(), map[string]string{"api-key": APIKey})
	assert.Equal(t, 400, status, "the token call needs the tenant")
	assert.Contains(t, body, "additionalStatusMessage")

	status, _ = do(t, s, "POST", "auth/oauth/token", "application/json", `{"grant_type":"password"}`, key)
	assert.Equal(t, 400, status, "the token endpoint takes a form, not JSON")

	status, body = do(t, s, "POST", "auth/oauth/token", form, url.Values{"grant_type": {"password"}, "username": {Username}, "password": {"nope"}}.Encode(), key)
	assert.Equal(t, 400, status)
	assert.JSONEq(t, `{"error":"invalid_grant","error_description":"Bad credentials"}`, body)

	status, body = do(t, s, "GET", "auth/api/myinfo", "", "", key)
	assert.Equal(t, 401, status)
	assert.Contains(t, body, `"statusCode":"SECURITY"`)

	status, body = do(t, s, "POST", "auth/api/reset/pin", "application/json", `{"username":"test20190417","securityQuestionId":1,"answer":"wrong"}`, key)
	assert.Equal(t, 200, status, "failures come with HTTP 200")
	assert.Contains(t, body, `"statusCode":"VALIDATION"`)

	status, _ = do(t, s, "GET", "auth/api/reset/pin", "", "", key)
	assert.Equal(t, 405, status)
	status, body = do(t, s, "GET", "auth/api/unknown", "", "", key)
	assert.Equal(t, 404, status)
	assert.Contains(t, body, `"error":"Not Found"`)

	assert.Equal(t, 1, s.Grants("password"), "counted once the grant is read")
	assert.Equal(t, 7, s.Requests(), "unknown paths are not routes")
}

// Regression (#12.4): auth checks, myinfo and the PIN check read user
// fields that resets and changes write, outside the lock (-race reported
// it). Parallel clients reset, change and read the same user.
func TestParallelClientsAreRaceFree(t *testing.T) {
	s := NewServer()
	defer s.Close()
	keyed := map[string]string{"api-key": APIKey, "tenantName": Tenant}
	status, body := do(t, s, "POST", "auth/oauth/token", "application/x-www-form-urlencoded",
		url.Values{"grant_type": {"password"}, "username": {Username}, "password": {Password}}.Encode(), keyed)
	require.Equal(t, 200, status, body)
	tok := body[strings.Index(body, `"access_token":"`)+16:]
	tok = tok[:strings.IndexByte(tok, '"')]
	authed := map[string]string{"api-key": APIKey, "tenantName": Tenant, "Authorization": "Bearer " + tok}
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				switch i % 4 {
				case 0:
					do(t, s, "POST", "auth/api/reset/password", "application/json", `{"username":"`+Username+`","securityQuestionId":1,"answer":"`+Answer+`"}`, keyed)
				case 1:
					do(t, s, "POST", "auth/api/reset/pin", "application/json", `{"username":"`+Username+`","securityQuestionId":1,"answer":"`+Answer+`"}`, keyed)
				case 2:
					do(t, s, "GET", "auth/api/myinfo", "", "", authed)
				default:
					do(t, s, "POST", "auth/api/validate/pin", "application/json", `{"uuid":"`+DefaultUserID+`","pin":"0000"}`, authed)
				}
			}
		}()
	}
	wg.Wait()
}

// Regression (#12.4): a refused refresh grant echoed the first characters
// of the refresh token in its error description.
func TestRefusedRefreshNeverEchoesTheToken(t *testing.T) {
	s := NewServer()
	defer s.Close()
	const refresh = "rt-secret-do-not-echo-123456"
	status, body := do(t, s, "POST", "auth/oauth/token", "application/x-www-form-urlencoded",
		url.Values{"grant_type": {"refresh_token"}, "refresh_token": {refresh}}.Encode(), map[string]string{"api-key": APIKey, "tenantName": Tenant})
	assert.Equal(t, 401, status)
	assert.NotContains(t, body, refresh[:6])
}

func TestRefreshTokenLifetime(t *testing.T) {
	s := NewServer(WithTokenLifetimes(0, time.Nanosecond))
	defer s.Close()
	keys := map[string]string{"api-key": APIKey, "tenantName": Tenant}
	status, body := do(t, s, "POST", "auth/oauth/token", "application/x-www-form-urlencoded",
		url.Values{"grant_type": {"password"}, "username": {Username}, "password": {Password}}.Encode(), keys)
	require.Equal(t, 200, status, body)
	var tr struct {
		Refresh   string `json:"refresh_token"`
		ExpiresIn int    `json:"expires_in"`
	}
	require.NoError(t, json.Unmarshal([]byte(body), &tr))
	assert.Equal(t, 3599, tr.ExpiresIn, "a zero access lifetime keeps the default")
	status, _ = do(t, s, "POST", "auth/oauth/token", "application/x-www-form-urlencoded",
		url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tr.Refresh}}.Encode(), keys)
	assert.Equal(t, 401, status, "the refresh token outlived its lifetime")
}
