package dfcu_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
)

// What Django's debug view sends for Accept: application/json.
const textTraceback = `DoesNotExist at /api/accounts/loans/
Customer matching query does not exist.

Request Method: POST
Request URL: http://127.0.0.1:8000/api/accounts/loans/
Django Version: 4.1.7
Python Executable: /home/deploy/venv/bin/python
Python Path: ['/srv/dfcu', '/usr/lib/python3.10']
Server time: Fri, 01 Dec 2026 10:00:00 +0000

Traceback (most recent call last):
  File "/home/deploy/venv/lib/python3.10/site-packages/django/core/handlers/exception.py", line 55, in inner
    response = get_response(request)
SECRET_KEY = 'django-insecure-abc'
`

// Regression (#11.2): a plain-text Django traceback gave no message and
// put the server's paths and settings into the error's snippet.
func TestDjangoTextTracebackGivesItsFirstLineOnly(t *testing.T) {
	c, mt := newMocked(t, banklink.WithRetry(banklink.RetryPolicy{MaxRetries: -1}))
	registerLogin(mt)
	mt.RegisterResponder(http.MethodPost, mockBase+"api/accounts/loans/",
		httpmock.NewStringResponder(500, textTraceback).HeaderSet(http.Header{"Content-Type": {"text/plain; charset=utf-8"}}))
	_, err := c.Loans(context.Background(), "5000145080")
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "DoesNotExist at /api/accounts/loans/", e.Message)
	assert.Equal(t, "DoesNotExist at /api/accounts/loans/", e.Snippet)
	for _, leak := range []string{"/home/deploy", "SECRET_KEY", "django-insecure", "Python Path"} {
		assert.NotContains(t, err.Error(), leak)
		assert.NotContains(t, e.Snippet, leak)
	}
}

// Regression (#11.2): a refused connection to the token endpoint on the
// first call was a SessionExpiredError matching ErrUnauthorized.
func TestFirstLoginDuringAnOutageIsNotBadCredentials(t *testing.T) {
	c, mt := newMocked(t, banklink.WithRetry(banklink.RetryPolicy{MaxRetries: -1}))
	mt.RegisterResponder(http.MethodPost, mockBase+"token/", httpmock.NewErrorResponder(&netDown{}))
	_, err := c.Loans(context.Background(), "5000145080")
	require.ErrorIs(t, err, banklink.ErrUnavailable)
	assert.NotErrorIs(t, err, banklink.ErrUnauthorized)
	assert.NotErrorIs(t, err, banklink.ErrSessionExpired)
	assert.Contains(t, err.Error(), "dfcu token: POST /token/")

	mt.RegisterResponder(http.MethodPost, mockBase+"token/", httpmock.NewStringResponder(503, "upstream down"))
	_, err = c.Loans(context.Background(), "5000145080")
	require.ErrorIs(t, err, banklink.ErrServerError)
	assert.NotErrorIs(t, err, banklink.ErrUnauthorized)

	mt.RegisterResponder(http.MethodPost, mockBase+"token/", httpmock.NewStringResponder(404, "<h1>Not Found</h1>"))
	_, err = c.Loans(context.Background(), "5000145080")
	require.ErrorIs(t, err, banklink.ErrNotFound)
	assert.Contains(t, err.Error(), "check the base URL")
}

type netDown struct{}

func (*netDown) Error() string { return "dial tcp 10.0.0.1:443: connect: connection refused" }

var _ = errors.New
