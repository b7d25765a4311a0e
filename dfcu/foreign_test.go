package dfcu_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
)

// djangoPage is a Django debug page, as the reference server sends it with
// DEBUG on.
func djangoPage(title string) string {
	return "<!DOCTYPE html><html><head><title>" + title + "</title></head><body><h1>" + title +
		"</h1><table><tr><th>Request Method:</th><td>POST</td></tr></table><pre>Traceback …</pre></body></html>"
}

// Regression (#22.3): the reference server answering token/ with 400
// text/html (Django's DisallowedHost page: a misconfigured host) was
// reported as "session expired … DisallowedHost", matching
// ErrUnauthorized and ErrSessionExpired. A page that is not the API's
// answer is no refusal: it says what the page says and what to check.
func TestAForeignPageFromTheTokenEndpointIsNoRefusal(t *testing.T) {
	srv := newFake(t)
	c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	srv.InjectFaults(dfcutest.RouteToken, dfcutest.Fault{Status: 400, ContentType: "text/html; charset=utf-8", Body: djangoPage("DisallowedHost at /token/")})

	_, err = c.Loans(context.Background(), dfcutest.AccountWithLoans)
	require.Error(t, err)
	assert.NotErrorIs(t, err, banklink.ErrUnauthorized)
	assert.NotErrorIs(t, err, banklink.ErrSessionExpired)
	assert.ErrorIs(t, err, banklink.ErrServerError)
	assert.NotContains(t, err.Error(), "session expired")
	assert.Contains(t, err.Error(), "DisallowedHost at /token/")
	assert.Contains(t, err.Error(), "check the base URL's host")
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "disallowed_host", e.Code)

	_, err = c.Loans(context.Background(), dfcutest.AccountWithLoans)
	require.NoError(t, err, "nothing was refused: the next call logs in")
}

// Regression (#22.3): a route the server does not have (Django's 404
// page) read the same as the API's own "not found". Code tells them
// apart, and the message points at the base URL or the server's version.
func TestARouteNotFoundIsToldFromTheAPIsNotFound(t *testing.T) {
	srv := newFake(t)
	c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	ctx := context.Background()

	_, err = dfcu.Do[map[string]any](ctx, c, banklink.Request{Method: "GET", Path: "api/no-such-route/", Auth: true, Idempotent: true})
	require.ErrorIs(t, err, banklink.ErrNotFound)
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "route_not_found", e.Code)
	assert.Contains(t, e.Message, "check the base URL")

	srv.InjectFaults(dfcutest.RouteLoans, dfcutest.Fault{Status: 404, Body: `{"detail":"Not found."}`})
	_, err = c.Loans(ctx, dfcutest.AccountWithLoans)
	require.ErrorIs(t, err, banklink.ErrNotFound)
	require.ErrorAs(t, err, &e)
	assert.NotEqual(t, "route_not_found", e.Code, "the API's own not-found")
	assert.Equal(t, "Not found.", e.Message)
}
