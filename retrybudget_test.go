package banklink_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
)

// outage answers 503 to every request until a time, then lets the fake
// answer; it counts the requests it saw.
type outage struct {
	next     http.RoundTripper
	until    atomic.Int64 // unix ns
	requests atomic.Int64
}

func (o *outage) RoundTrip(req *http.Request) (*http.Response, error) {
	o.requests.Add(1)
	if time.Now().UnixNano() < o.until.Load() {
		if req.Body != nil {
			req.Body.Close()
		}
		return &http.Response{StatusCode: http.StatusServiceUnavailable, Status: "503 Service Unavailable", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header: http.Header{"Content-Type": {"text/html"}}, Body: io.NopCloser(strings.NewReader("<h1>Service Unavailable</h1>")), Request: req}, nil
	}
	return o.next.RoundTrip(req)
}

// runOutage runs 200 goroutines calling every 100ms against a server down
// for 5s, and returns the calls made and the requests sent during it.
func runOutage(t *testing.T, b banklink.RetryBudget) (calls, requests int64, after error) {
	srv := dfcutest.NewServer(dfcutest.InMemory())
	o := &outage{next: srv.Transport()}
	c, err := dfcu.New(banklink.WithBaseURL(srv.URL), banklink.WithTransport(o), banklink.WithRetryBudget(b),
		dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = c.Loans(ctx, dfcutest.AccountWithLoans) // logged in before the outage
	require.NoError(t, err)
	o.requests.Store(0)
	end := time.Now().Add(5 * time.Second)
	o.until.Store(end.UnixNano())
	var n atomic.Int64
	var wg sync.WaitGroup
	for range 200 {
		wg.Go(func() {
			for time.Now().Before(end) {
				n.Add(1)
				_, _ = c.Loans(ctx, dfcutest.AccountWithLoans)
				time.Sleep(100 * time.Millisecond)
			}
		})
	}
	wg.Wait()
	calls, requests = n.Load(), o.requests.Load()
	time.Sleep(time.Second)
	_, after = c.Loans(ctx, dfcutest.AccountWithLoans)
	return calls, requests, after
}

// #21.6: in an outage, every caller retried up to its policy: N callers
// made up to 4N requests against a server already failing. The client's
// retry budget (a token bucket, as the AWS SDKs' standard retryer) bounds
// the retries of all its calls together: with the default budget, at
// most 500/5 = 100 retries in all while nothing succeeds. Calls after the
// outage succeed at once; a call refused by the budget says so.
func TestRetryBudgetBoundsAnOutage(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		calls, requests, after := runOutage(t, banklink.RetryBudget{})
		retries := requests - calls
		assert.LessOrEqual(t, retries, int64(100), "retries during the outage: %d calls, %d requests", calls, requests)
		assert.Positive(t, retries, "the budget still allows some retries")
		require.NoError(t, after, "after the outage a call succeeds at once")
		t.Logf("with the budget: %d calls, %d requests (%d retries)", calls, requests, retries)
	})
	synctest.Test(t, func(t *testing.T) {
		calls, requests, _ := runOutage(t, banklink.RetryBudget{Capacity: -1})
		t.Logf("without: %d calls, %d requests (%d retries)", calls, requests, requests-calls)
		assert.Greater(t, requests-calls, int64(1000), "without a budget every caller retries")
	})
	synctest.Test(t, func(t *testing.T) {
		srv := dfcutest.NewServer(dfcutest.InMemory())
		o := &outage{next: srv.Transport()}
		o.until.Store(time.Now().Add(time.Hour).UnixNano())
		c, err := dfcu.New(banklink.WithBaseURL(srv.URL), banklink.WithTransport(o), banklink.WithRetryBudget(banklink.RetryBudget{Capacity: 5}),
			dfcu.WithSession(dfcu.Session{Access: "a", Refresh: "r", AccessExpiry: time.Now().Add(time.Hour)}))
		require.NoError(t, err)
		// A budget of 5 pays for one retry: the call's second retry is
		// refused, and the error says so, apart from exhausted retries.
		_, err = c.Loans(context.Background(), dfcutest.AccountWithLoans)
		assert.ErrorIs(t, err, banklink.ErrRetryBudgetExhausted)
		assert.ErrorIs(t, err, banklink.ErrServerError, "and it is the last attempt's failure")
		assert.NotErrorIs(t, err, banklink.ErrRetriesExhausted, "the policy's retries did not run out")
		assert.Contains(t, err.Error(), "retry budget is spent")
		assert.EqualValues(t, 2, o.requests.Load(), "the first attempt and the one retry the budget paid for")
	})
}
