package merchanttest

import (
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func post(t *testing.T, url, body string, headers ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

// Behaviours the SDK's client never provokes, checked on the raw API.
func TestWalletFake(t *testing.T) {
	w := NewWallet()
	defer w.Close()
	defer http.DefaultClient.CloseIdleConnections()

	resp, body := post(t, w.URL+"auth/login", `{"email":"`+Email+`","password":"`+Password+`"}`)
	assert.Equal(t, 400, resp.StatusCode, "plain-text fields are refused: they must be base64")
	assert.JSONEq(t, `{"status":false,"message":"Invalid email or password"}`, body)

	b64 := base64.StdEncoding.EncodeToString
	resp, _ = post(t, w.URL+"auth/login", `{"email":"`+b64([]byte(Email))+`","password":"`+b64([]byte(Password))+`"}`)
	require.Equal(t, 200, resp.StatusCode)
	a, r := resp.Header.Get("X-Access-Token"), resp.Header.Get("X-Refresh-Token")
	assert.Len(t, a, 48)
	assert.Len(t, r, 48)

	resp, _ = post(t, w.URL+"auth/refresh/token", ``, "X-Refresh-Token", r)
	require.Equal(t, 200, resp.StatusCode)
	resp, body = post(t, w.URL+"auth/refresh/token", ``, "X-Refresh-Token", r)
	assert.Equal(t, 400, resp.StatusCode, "a refresh token is single-use")
	assert.JSONEq(t, `{"status":false,"message":"Invalid refresh token provided."}`, body)
	assert.Equal(t, 1, w.StaleRefreshUses())
}

func TestNIPFake(t *testing.T) {
	n := NewNIP()
	defer n.Close()
	defer http.DefaultClient.CloseIdleConnections()
	n.Answer("3333333333", NIPAnswer{Status: 500, Code: "11", Message: " Error Completing Operation"})
	resp, body := post(t, n.URL+"GetNIPAccount", `{"accountNumber":"3333333333","beneficiaryBank":"110000","userName":"test","password":"test"}`)
	assert.Equal(t, 500, resp.StatusCode)
	assert.JSONEq(t, `{"requestSuccessful": false, "responseMessage": " Error Completing Operation", "responseCode": "11"}`, body)
	resp, _ = post(t, n.URL+"GetNIPAccount", `{"accountNumber":"1018996198","beneficiaryBank":"110000","userName":"test","password":"nope"}`)
	assert.Equal(t, 401, resp.StatusCode)
}

// Parallel clients log in, read, refresh and log out while the test
// reads the fake's counters: race-free under -race (#12.4).
func TestParallelWalletClientsAreRaceFree(t *testing.T) {
	w := NewWallet()
	defer w.Close()
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	done := make(chan struct{})
	for range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for range 10 {
				resp, _ := post(t, w.URL+"auth/login", `{"email":"`+b64(Email)+`","password":"`+b64(Password)+`"}`)
				a, r := resp.Header.Get("X-Access-Token"), resp.Header.Get("X-Refresh-Token")
				req, _ := http.NewRequest(http.MethodGet, w.URL+"merchant/profile", nil)
				req.Header.Set("X-Access-Token", a)
				req.Header.Set("X-Refresh-Token", r)
				if pr, err := http.DefaultClient.Do(req); err == nil {
					pr.Body.Close()
				}
				resp, _ = post(t, w.URL+"auth/refresh/token", "", "X-Refresh-Token", r)
				post(t, w.URL+"auth/logout", "", "X-Access-Token", resp.Header.Get("X-Access-Token"), "X-Refresh-Token", resp.Header.Get("X-Refresh-Token"))
				w.PairUses()
				w.StaleRefreshUses()
			}
		}()
	}
	for range 4 {
		<-done
	}
}

// A refresh token past its lifetime is refused, as a spent one is, but is
// not counted as a spent token's reuse.
func TestWalletRefreshLifetime(t *testing.T) {
	w := NewWallet(WithTokenLifetimes(0, time.Nanosecond))
	defer w.Close()
	defer http.DefaultClient.CloseIdleConnections()
	b64 := base64.StdEncoding.EncodeToString
	resp, _ := post(t, w.URL+"auth/login", `{"email":"`+b64([]byte(Email))+`","password":"`+b64([]byte(Password))+`"}`)
	require.Equal(t, 200, resp.StatusCode)
	resp, body := post(t, w.URL+"auth/refresh/token", ``, "X-Refresh-Token", resp.Header.Get("X-Refresh-Token"))
	assert.Equal(t, 400, resp.StatusCode)
	assert.JSONEq(t, `{"status":false,"message":"Invalid refresh token provided."}`, body)
	assert.Zero(t, w.StaleRefreshUses())
}
