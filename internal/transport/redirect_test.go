package transport

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	banklink "github.com/banklink/banklink-go"
)

// A same-origin redirect is followed by the call's one client within the
// attempt: a 307 or 308 sends the method and body again, a 303 (or 301,
// 302 of a POST) turns it into a GET without a body; every hop carries
// the credentials.
func TestSameOriginRedirectsWithinTheAttempt(t *testing.T) {
	for _, tc := range []struct {
		status     int
		method     string
		body       string
		wantMethod string
		wantBody   string
	}{
		{http.StatusTemporaryRedirect, http.MethodPost, `{"a":1}`, http.MethodPost, `{"a":1}`},
		{http.StatusPermanentRedirect, http.MethodPut, `{"a":2}`, http.MethodPut, `{"a":2}`},
		{http.StatusSeeOther, http.MethodPost, `{"a":3}`, http.MethodGet, ""},
		{http.StatusFound, http.MethodPost, `{"a":4}`, http.MethodGet, ""},
	} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			var mu sync.Mutex
			var method, body, auth string
			srv := server(t, func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/old" {
					_, _ = io.Copy(io.Discard, r.Body)
					http.Redirect(w, r, "/new", tc.status)
					return
				}
				b, _ := io.ReadAll(r.Body)
				mu.Lock()
				method, body, auth = r.Method, string(b), r.Header.Get("Authorization")
				mu.Unlock()
			})
			tr, _ := newTransport(t, srv.URL, Config{Scheme: SchemeBearer}, banklink.Options{})
			var got banklink.ResponseInfo
			ctx := banklink.WithCallOptions(context.Background(), banklink.CallOptions{Capture: &got})
			require.NoError(t, tr.Do(ctx, &Op{Name: "x", Method: tc.method, Path: "old", Body: []byte(tc.body), Auth: true}, decodeStatus))
			mu.Lock()
			defer mu.Unlock()
			assert.Equal(t, tc.wantMethod, method)
			assert.Equal(t, tc.wantBody, body)
			assert.Equal(t, "Bearer "+secretAccess, auth, "the hop carries the credentials")
			assert.Equal(t, 1, got.Attempts, "a hop is not an attempt")
		})
	}
}

// The cookie jar of a caller's http.Client keeps working: a cookie the
// server sets goes back on the next calls. Regression: the jar's cookies
// were added to a header map every call of the client shared, so each
// call sent the cookies of all the calls before it again ("c1; c1; c1"),
// and calls at once raced on the map. Each call sends them once.
func TestCallersCookieJarIsUsed(t *testing.T) {
	var mu sync.Mutex
	var seen []string
	srv := server(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, strings.Join(r.Header.Values("Cookie"), " | "))
		mu.Unlock()
		http.SetCookie(w, &http.Cookie{Name: "csrftoken", Value: "c1", Path: "/"})
	})
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	tr, _ := newTransport(t, srv.URL, Config{}, banklink.Options{HTTPClient: &http.Client{Jar: jar}})
	for range 3 {
		require.NoError(t, tr.Do(context.Background(), &Op{Name: "x", Method: http.MethodGet, Path: "p"}, decodeStatus))
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			assert.NoError(t, tr.Do(context.Background(), &Op{Name: "x", Method: http.MethodGet, Path: "p"}, decodeStatus))
		})
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, "", seen[0])
	for i, s := range seen[1:] {
		assert.Equal(t, "csrftoken=c1", s, "call %d", i+2)
	}
}
