package fintracttest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type reply struct {
	status int
	ctype  string
	body   string
}

func send(t *testing.T, s *Server, method, path, body, token string) reply {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := s.srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{resp.StatusCode, resp.Header.Get("Content-Type"), string(b)}
}

// Behaviours the SDK's client never provokes, checked on the raw API.
func TestFakeAnswersLikeTheRealServer(t *testing.T) {
	s := NewServer()
	defer s.Close()

	r := send(t, s, "POST", "auth/login/", `{"email":"`+CustomerEmail+`","password":"`+CustomerPassword+`","otpType":"Email"}`, "")
	require.Equal(t, 200, r.status)
	assert.JSONEq(t, `{"data":{"id":93}}`, r.body)
	otp, ok := s.OTP(CustomerEmail)
	require.True(t, ok)
	require.Len(t, otp, 6)

	num := strings.TrimLeft(otp, "0")
	if num == "" {
		num = "0"
	}
	r = send(t, s, "POST", "auth/login/93/", `{"otp":`+num+`}`, "")
	assert.Equal(t, 400, r.status)
	assert.JSONEq(t, `{"error":"Invalid OTP"}`, r.body, "an OTP sent as a number never matches")

	r = send(t, s, "POST", "auth/login/93/", `{"otp":"`+otp+`"}`, "")
	require.Equal(t, 200, r.status)
	var ok200 struct {
		Tokens struct{ Access string } `json:"tokens"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.body), &ok200))
	token := ok200.Tokens.Access

	r = send(t, s, "POST", "auth/login", `{}`, "")
	assert.Equal(t, 500, r.status, "no trailing slash: HTML 500")
	assert.True(t, strings.HasPrefix(r.ctype, "text/html"))

	r = send(t, s, "PUT", "auth/user-update/", `{"username":"x"}`, token)
	assert.Equal(t, 500, r.status, "a missing key crashes the view")
	assert.Contains(t, r.body, "<title>KeyError at /auth/user-update/</title>")

	r = send(t, s, "POST", "auth/register/", `{"email":"n@example.com","username":"n","phone":"1","password":"a"}`, "")
	assert.Equal(t, 400, r.status, "the serializer refuses a missing password2 before the view reads it")
	assert.JSONEq(t, `{"password2":["This field is required."]}`, r.body)

	r = send(t, s, "PATCH", "auth/update/usr/93/", `{"address":""}`, token)
	assert.Equal(t, 200, r.status)
	r = send(t, s, "PATCH", "auth/update/usr/93/", `{"country":"UG"}`, token)
	r = send(t, s, "GET", "auth/info/93/", ``, token)
	assert.Contains(t, r.body, `"net balance":1500`)
	assert.Contains(t, r.body, `"customer-id ":"`, "the 2022 server's key, trailing space and all")
	assert.Contains(t, r.body, `"country":"UG"`)

	r = send(t, s, "GET", "auth/info/93/", ``, "")
	assert.Equal(t, 500, r.status, "no token: the view crashes on the anonymous user, as the server's does")
	assert.Contains(t, r.body, "TypeError at /auth/info/93/")

	r = send(t, s, "GET", "auth/delete/", ``, token)
	assert.Equal(t, 405, r.status)

	assert.Equal(t, 1, s.Calls(RouteLogin))
	assert.Equal(t, 2, s.Calls(RouteVerifyOTP))
}

// Parallel clients log in, read, update and deactivate the same user
// while the test reads the fake's state: race-free under -race (#12.4).
func TestParallelClientsAreRaceFree(t *testing.T) {
	s := NewServer()
	defer s.Close()
	r := send(t, s, "POST", "auth/login/", `{"email":"`+CustomerEmail+`","password":"`+CustomerPassword+`"}`, "")
	require.Equal(t, 200, r.status, r.body)
	otp, _ := s.OTP(CustomerEmail)
	r = send(t, s, "POST", "auth/login/93/", `{"otp":"`+otp+`"}`, "")
	require.Equal(t, 200, r.status, r.body)
	var ok200 struct {
		Tokens struct{ Access string } `json:"tokens"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.body), &ok200))
	token := ok200.Tokens.Access
	done := make(chan struct{})
	for i := range 6 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 15 {
				switch i % 3 {
				case 0:
					send(t, s, "GET", "auth/info/93/", "", token)
				case 1:
					send(t, s, "PUT", "auth/user-update/", `{"username":"JohnDoe0303","name":"John"}`, token)
				default:
					send(t, s, "POST", "auth/login/", `{"email":"`+CustomerEmail+`","password":"`+CustomerPassword+`"}`, "")
					s.OTP(CustomerEmail)
					s.UserExists(CustomerEmail)
				}
			}
		}()
	}
	for range 6 {
		<-done
	}
}
