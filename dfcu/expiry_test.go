package dfcu_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
	"github.com/banklink/banklink-go/internal/fake"
	"github.com/banklink/banklink-go/internal/jwt"
)

// Regression (#20.6): against the reference server (Django simplejwt
// 5.2), which copies the refresh token's iat into every access token it
// refreshes while exp is the refresh time + the access lifetime, the
// client's old exp - iat rule believed a refreshed token lived past its
// exp: 57-81 loans calls got a 401 in 40s, and 2 of 13 refreshes came
// before expiry. The fake now refreshes exactly as simplejwt does (and
// dates its answers), and the client takes exp as the expiry. 8
// goroutines, 3s access tokens, 40s on the fake clock: no data call is
// refused, every refresh comes before the token it replaces expires.
func TestProactiveRefreshAgainstSimplejwt(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := dfcutest.NewServer(dfcutest.InMemory(), dfcutest.WithTokenLifetimes(3*time.Second, time.Hour))
		w := &tokenWatch{next: srv.Transport()}
		c, err := dfcu.New(banklink.WithBaseURL(srv.URL), banklink.WithTransport(w),
			dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword))
		if err != nil {
			t.Fatal(err)
		}
		end := time.Now().Add(40 * time.Second)
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for time.Now().Before(end) {
					if _, err := c.Loans(context.Background(), dfcutest.AccountWithLoans); err != nil {
						t.Errorf("loans: %v", err)
					}
					time.Sleep(100 * time.Millisecond)
				}
			})
		}
		wg.Wait()
		w.mu.Lock()
		defer w.mu.Unlock()
		if w.refused != 0 || w.late != 0 {
			t.Errorf("%d data calls refused, %d of %d refreshes after the token they replace expired", w.refused, w.late, w.refreshes)
		}
		if w.refreshes < 10 {
			t.Errorf("only %d refreshes in 40s of 3s tokens", w.refreshes)
		}
		if !w.copiedIat {
			t.Error("the fake never refreshed a token with the refresh token's iat: not simplejwt 5.2")
		}
		if srv.Calls(dfcutest.RouteToken) != 1 {
			t.Errorf("%d logins: the refresh token lives an hour", srv.Calls(dfcutest.RouteToken))
		}
	})
}

// tokenWatch sees the client's traffic: refused data calls, refreshes
// sent after the access token in use expired, and whether a refreshed
// token carried an old iat.
type tokenWatch struct {
	next http.RoundTripper

	mu                       sync.Mutex
	access                   string // the last access token a data call carried
	refused, late, refreshes int
	copiedIat                bool
}

func (w *tokenWatch) RoundTrip(req *http.Request) (*http.Response, error) {
	refresh := strings.HasSuffix(req.URL.Path, "/token/refresh/")
	w.mu.Lock()
	if a := strings.TrimPrefix(req.Header.Get("Authorization"), "Bearer "); a != "" {
		w.access = a
	}
	if refresh {
		w.refreshes++
		if exp, err := jwt.Expiry(w.access); err == nil && !time.Now().Before(exp) {
			w.late++
		}
	}
	w.mu.Unlock()
	resp, err := w.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	switch {
	case resp.StatusCode == http.StatusUnauthorized && !refresh:
		w.refused++
	case refresh && resp.StatusCode == http.StatusOK:
		body, _ := io.ReadAll(resp.Body)
		resp.Body = io.NopCloser(strings.NewReader(string(body)))
		var out struct{ Access string }
		_ = json.Unmarshal(body, &out)
		if c, ok := claims(out.Access); ok && time.Unix(c.Iat, 0).Before(time.Now().Add(-3*time.Second)) {
			w.copiedIat = true
		}
	}
	return resp, nil
}

// claims reads a token's payload without verifying it.
func claims(tok string) (fake.Claims, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return fake.Claims{}, false
	}
	var c fake.Claims
	b, err := decodeSegment(parts[1])
	return c, err == nil && json.Unmarshal(b, &c) == nil
}

func decodeSegment(s string) ([]byte, error) { return base64.RawURLEncoding.DecodeString(s) }
