package fintract_test

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/banklinktest"
	"github.com/banklink/banklink-go/fintract"
	"github.com/banklink/banklink-go/fintract/fintracttest"
)

// Regression (#20): the refresh route answering 503 four times made the
// client log in again and call the OTP callback: a person asked for a
// code because a server was down. An outage now keeps the session and
// returns the outage; nobody is asked. Once the route is back, the next
// call refreshes as usual.
func TestOutageNeverAsksAPerson(t *testing.T) {
	srv := newFake(t)
	var asked atomic.Int32
	c := newClient(t, srv, fintract.WithCredentials(customerLogin), fintract.WithOTPCallback(func(ctx context.Context, ch fintract.Challenge) (string, error) {
		asked.Add(1)
		return fakeOTP(srv)(ctx, ch)
	}))
	s := login(t, c, srv, customerLogin)
	srv.ExpireAccessTokens()
	down := banklinktest.Fault{Status: http.StatusServiceUnavailable, Body: "<h1>Service Unavailable</h1>"}
	srv.InjectFaults(fintracttest.RouteRefresh, down, down, down, down)

	_, err := c.UserInfo(context.Background(), s.UserID)
	require.Error(t, err)
	assert.True(t, errors.Is(err, banklink.ErrServerError) || errors.Is(err, banklink.ErrUnavailable), "the outage, as it is: %v", err)
	assert.False(t, errors.Is(err, banklink.ErrSessionExpired), "no verdict on the session: %v", err)
	assert.Zero(t, asked.Load(), "nobody is asked for an OTP because a server is down")
	assert.Zero(t, srv.Calls(fintracttest.RouteLogin), "no login step 1 (it would mail an OTP)")
	kept, ok := c.Session()
	require.True(t, ok, "the session is kept")
	assert.Equal(t, s.Refresh, kept.Refresh)

	_, err = c.UserInfo(context.Background(), s.UserID)
	require.NoError(t, err, "the route is back: the kept refresh token works")
	assert.Zero(t, asked.Load())
}
