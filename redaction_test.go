package banklink_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
	"github.com/banklink/banklink-go/fintiv"
	"github.com/banklink/banklink-go/fintiv/fintivtest"
)

// echoRequestLine fails check_token the way a peer that echoes the request
// line does: net/http's "malformed HTTP status code" quotes it, query and
// all.
type echoRequestLine struct{ next http.RoundTripper }

func (e echoRequestLine) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, "check_token") {
		return nil, fmt.Errorf("malformed HTTP status code %q", req.URL.RequestURI())
	}
	return e.next.RoundTrip(req)
}

// Regression (#22.2): Fintiv CheckToken sends the access token as
// ?token=; a peer echoing the request line made the *CallError's cause
// show it through Error(), %v and %+v. Causes are redacted with the
// client's and the call's secrets, and stripped of query strings.
func TestACallErrorsCauseNeverShowsAToken(t *testing.T) {
	srv := fintivtest.NewServer(fintivtest.InMemory())
	c, err := fintiv.New(banklink.WithBaseURL(srv.URL), banklink.WithTransport(echoRequestLine{srv.Transport()}),
		fintiv.WithAPIKey(fintivtest.APIKey), fintiv.WithTenant(fintivtest.Tenant), fintiv.WithCredentials(fintivtest.Username, fintivtest.Password),
		banklink.WithRetry(banklink.RetryPolicy{MaxRetries: -1}))
	require.NoError(t, err)
	s, err := c.Login(context.Background())
	require.NoError(t, err)
	_, err = c.CheckToken(context.Background())
	require.Error(t, err)
	for _, out := range []string{err.Error(), fmt.Sprintf("%v", err), fmt.Sprintf("%+v", err)} {
		assert.NotContains(t, out, s.Access)
		assert.NotContains(t, out, "token=")
		assert.Contains(t, out, "check_token", "the cause still says what happened: %s", out)
	}
}

// Regression (#22.2): a captured answer (CallOptions.Capture) kept
// credentials a gateway echoes under header names of its own. Every
// captured header value is redacted with the client's and the call's
// secrets, whatever its name.
func TestCapturedHeadersHoldNoCredential(t *testing.T) {
	srv := fintivtest.NewServer(fintivtest.InMemory())
	echo := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		resp, err := srv.Transport().RoundTrip(req)
		if err == nil {
			resp.Header.Set("X-Echo-Api-Key", req.Header.Get("api-key"))
			resp.Header.Set("X-Forwarded-Authorization", req.Header.Get("Authorization"))
		}
		return resp, err
	})
	c, err := fintiv.New(banklink.WithBaseURL(srv.URL), banklink.WithTransport(echo),
		fintiv.WithAPIKey(fintivtest.APIKey), fintiv.WithTenant(fintivtest.Tenant), fintiv.WithCredentials(fintivtest.Username, fintivtest.Password))
	require.NoError(t, err)
	var got banklink.ResponseInfo
	ctx := banklink.WithCallOptions(context.Background(), banklink.CallOptions{Capture: &got})
	_, err = c.Me(ctx)
	require.NoError(t, err)
	s, _ := c.Session()
	require.NotEmpty(t, got.Header)
	for k, vs := range got.Header {
		for _, v := range vs {
			assert.NotContains(t, v, fintivtest.APIKey, k)
			assert.NotContains(t, v, s.Access, k)
		}
	}
	assert.Contains(t, got.Header.Get("X-Echo-Api-Key"), "[REDACTED]")
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// Regression (#22.2): concurrent calls sharing one context wrote the
// capture target at the same time (a data race under -race). Writes are
// synchronised; the target holds the last call's answer.
func TestConcurrentCapturesDoNotRace(t *testing.T) {
	srv := dfcutest.NewServer(dfcutest.InMemory())
	c, err := dfcu.New(banklink.WithBaseURL(srv.URL), banklink.WithTransport(srv.Transport()),
		dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword))
	require.NoError(t, err)
	var got banklink.ResponseInfo
	ctx := banklink.WithCallOptions(context.Background(), banklink.CallOptions{Capture: &got})
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() { _, _ = c.Loans(ctx, dfcutest.AccountWithLoans) })
	}
	wg.Wait()
	assert.Equal(t, http.StatusOK, got.StatusCode)
}
