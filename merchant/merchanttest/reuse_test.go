package merchanttest

import (
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go/banklinktest"
)

// do sends one request through rt.
func do(t *testing.T, rt http.RoundTripper, method, url, body string, headers ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := rt.RoundTrip(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func login(t *testing.T, w *Wallet) (access, refresh string) {
	b64 := base64.StdEncoding.EncodeToString
	resp, _ := do(t, w.Transport(), "POST", w.URL+"auth/login", `{"email":"`+b64([]byte(Email))+`","password":"`+b64([]byte(Password))+`"}`)
	require.Equal(t, 200, resp.StatusCode)
	assert.NotEmpty(t, resp.Header.Get("Date"), "the in-memory server dates its answers as net/http does")
	return resp.Header.Get("X-Access-Token"), resp.Header.Get("X-Refresh-Token")
}

// A spent refresh token presented again revokes the whole family, as RFC
// 9700 §4.14.2 advises: the pair the first refresh handed out dies too,
// and another login's family lives on.
func TestWalletReuseDetectionRevokesTheFamily(t *testing.T) {
	w := NewWallet(WithReuseDetection(), InMemory())
	rt := w.Transport()
	_, r1 := login(t, w)
	otherAccess, _ := login(t, w)

	resp, _ := do(t, rt, "POST", w.URL+"auth/refresh/token", "", "X-Refresh-Token", r1)
	require.Equal(t, 200, resp.StatusCode)
	a2, r2 := resp.Header.Get("X-Access-Token"), resp.Header.Get("X-Refresh-Token")
	resp, _ = do(t, rt, "GET", w.URL+"merchant/profile", "", "X-Access-Token", a2, "X-Refresh-Token", r2)
	require.Equal(t, 200, resp.StatusCode)

	resp, _ = do(t, rt, "POST", w.URL+"auth/refresh/token", "", "X-Refresh-Token", r1) // the reuse
	assert.Equal(t, 400, resp.StatusCode)
	assert.Equal(t, 1, w.Reuses())
	resp, _ = do(t, rt, "GET", w.URL+"merchant/profile", "", "X-Access-Token", a2, "X-Refresh-Token", r2)
	assert.Equal(t, 401, resp.StatusCode, "the family's live pair is revoked")
	resp, _ = do(t, rt, "POST", w.URL+"auth/refresh/token", "", "X-Refresh-Token", r2)
	assert.Equal(t, 400, resp.StatusCode, "and so is its refresh token")

	_, otherRefresh := "", ""
	resp, _ = do(t, rt, "GET", w.URL+"merchant/profile", "", "X-Access-Token", otherAccess, "X-Refresh-Token", otherRefresh)
	assert.Equal(t, 401, resp.StatusCode, "a pair is checked whole")
	assert.Equal(t, 1, w.Reuses(), "an unknown token is no reuse")
}

// Regression (#20.7): a delayed answer held the fake's lock for its whole
// delay (the handler wrote under the lock, and the write waited), so one
// slow refresh froze every other route. The delayed answer is now held
// in memory: the handler returns and the other routes answer at once.
func TestDelayedAnswerNeverFreezesOtherRoutes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := NewWallet(InMemory())
		rt := w.Transport()
		a, r := login(t, w)
		w.InjectFaults(RouteRefresh, banklinktest.Fault{Pass: true, Delay: time.Minute})
		var wg sync.WaitGroup
		wg.Go(func() {
			resp, _ := do(t, rt, "POST", w.URL+"auth/refresh/token", "", "X-Refresh-Token", r)
			assert.Equal(t, 200, resp.StatusCode, "the slow refresh answers in the end")
		})
		synctest.Wait() // the refresh is in, its answer held
		start := time.Now()
		resp, _ := do(t, rt, "GET", w.URL+"merchant/profile", "", "X-Access-Token", a, "X-Refresh-Token", r)
		assert.Equal(t, 401, resp.StatusCode, "the refresh was processed on arrival: the old pair is gone")
		assert.Zero(t, time.Since(start), "the profile answered without waiting for the refresh's delay")
		wg.Wait()
	})
}
