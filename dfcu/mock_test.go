package dfcu_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
)

const mockBase = "https://loans.example.test/"

// A token whose exp (2100-01-01) keeps it valid for the whole test.
const (
	mockAccess  = "eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjo0MTAyNDQ0ODAwfQ.c2ln"
	mockRefresh = "eyJhbGciOiJIUzI1NiJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCIsImV4cCI6NDEwMjQ0NDgwMH0.c2ln"
)

// newMocked returns a client whose base transport is mt, under the SDK's
// credential layer, so the tests see the headers it attaches.
func newMocked(t *testing.T, opts ...dfcu.Option) (*dfcu.Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	all := append([]dfcu.Option{
		banklink.WithBaseURL(mockBase),
		banklink.WithTransport(mt),
		dfcu.WithCredentials("teller", "s3cret-pass"),
		banklink.WithRetry(fastRetry),
	}, opts...)
	c, err := dfcu.New(all...)
	require.NoError(t, err)
	return c, mt
}

func registerLogin(mt *httpmock.MockTransport) {
	mt.RegisterResponder(http.MethodPost, mockBase+"token/", func(r *http.Request) (*http.Response, error) {
		var body map[string]string
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body["username"] != "teller" || body["password"] != "s3cret-pass" {
			return httpmock.NewStringResponse(400, `{"detail":"bad login body"}`), nil
		}
		if r.Header.Get("Authorization") != "" {
			return httpmock.NewStringResponse(400, `{"detail":"token endpoint got credentials"}`), nil
		}
		return httpmock.NewJsonResponse(200, map[string]string{"access": mockAccess, "refresh": mockRefresh})
	})
}

func TestLoansRequestOnTheWire(t *testing.T) {
	c, mt := newMocked(t, banklink.WithUserAgent("teller-svc/2.0"))
	registerLogin(mt)
	var seen *http.Request
	var sent string
	mt.RegisterResponder(http.MethodPost, mockBase+"api/accounts/loans/", func(r *http.Request) (*http.Response, error) {
		seen = r
		b, _ := io.ReadAll(r.Body)
		sent = string(b)
		return httpmock.NewStringResponse(200, `{"response":{"customer_id":"C003","customer_name":"James Blunt","customer_account":"5000145080","customer_loans":[{"loan_id":"L000005","disbursement_date":"2023-02-16T12:24:54Z","outstanding_amount":500000}]}}`), nil
	})

	got, err := c.Loans(context.Background(), " 5000145080 ")
	require.NoError(t, err)
	assert.Equal(t, int64(500000), got.Loans[0].Outstanding)
	assert.Equal(t, "Bearer "+mockAccess, seen.Header.Get("Authorization"))
	assert.Equal(t, "application/json", seen.Header.Get("Content-Type"))
	assert.Equal(t, "application/json", seen.Header.Get("Accept"))
	assert.True(t, strings.HasPrefix(seen.Header.Get("User-Agent"), "banklink-go/"+banklink.Version+" (dfcu; go"))
	assert.True(t, strings.HasSuffix(seen.Header.Get("User-Agent"), " teller-svc/2.0"))
	assert.JSONEq(t, `{"account":"5000145080"}`, sent, "trimmed and sent as a JSON string")
	assert.Equal(t, 1, mt.GetCallCountInfo()["POST "+mockBase+"token/"])
}

// The failure table of the API reference, row by row.
func TestFailureTable(t *testing.T) {
	html := "<!DOCTYPE html><html><head><title>KeyError at /api/accounts/loans/</title></head><body>" + strings.Repeat("<p>trace</p>", 4000) + "</body></html>"
	cases := []struct {
		name    string
		status  int
		body    string
		kind    error
		code    string
		message string
		fields  []string
	}{
		{"documented 401", 401, `{"error": "Invalid Auth Token."}`, banklink.ErrUnauthorized, "", "Invalid Auth Token.", nil},
		{"documented 500", 500, `{"error": "Something went wrong. Please try again later."}`, banklink.ErrServerError, "", "Something went wrong. Please try again later.", nil},
		{"no credentials header", 401, `{"detail":"Authentication credentials were not provided."}`, banklink.ErrUnauthorized, "", "Authentication credentials were not provided.", nil},
		{"user deleted", 401, `{"detail":"User not found","code":"user_not_found"}`, banklink.ErrUnauthorized, "user_not_found", "User not found", nil},
		{"HTML debug page", 500, html, banklink.ErrServerError, "", "KeyError at /api/accounts/loans/", nil},
		{"wrong method", 405, `{"detail":"Method \"GET\" not allowed."}`, banklink.ErrInvalidRequest, "", `Method "GET" not allowed.`, nil},
		{"malformed JSON", 400, `{"detail":"JSON parse error - Expecting value: line 1 column 1 (char 0)"}`, banklink.ErrInvalidRequest, "", "JSON parse error - Expecting value: line 1 column 1 (char 0)", nil},
		{"field errors", 400, `{"account":["This field is required."]}`, banklink.ErrInvalidRequest, "", "account: This field is required.", []string{"account"}},
		{"empty body", 502, ``, banklink.ErrServerError, "", "", nil},
		{"plain text", 504, `upstream timed out`, banklink.ErrServerError, "", "upstream timed out", nil},
		{"empty account string", 200, `{"response": "You need to provide account number."}`, banklink.ErrInvalidRequest, "", "You need to provide account number.", nil},
		{"unknown account", 200, `{"response": "An error ocurred. The Account number (9999999999) provided does not exist."}`, banklink.ErrNotFound, "", "An error ocurred. The Account number (9999999999) provided does not exist.", nil},
		{"wrong shape", 200, `{"result": []}`, banklink.ErrServerError, "", `unexpected response: no "response" object`, nil},
		{"truncated JSON", 200, `{"response": {"customer_id": "C0`, banklink.ErrServerError, "", `unexpected response: the body is not valid JSON`, nil},
		{"response of another type", 200, `{"response": 42}`, banklink.ErrServerError, "", `unexpected response: "response" is neither a customer nor a message`, nil},
		{"rate limited", 429, `{"detail":"Request was throttled. Expected available in 1 second."}`, banklink.ErrRateLimited, "", "Request was throttled. Expected available in 1 second.", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mt := newMocked(t, banklink.WithRetry(banklink.RetryPolicy{MaxRetries: -1}), dfcu.WithSession(dfcu.Session{Access: mockAccess, Refresh: mockRefresh}))
			mt.RegisterResponder(http.MethodPost, mockBase+"api/accounts/loans/", httpmock.NewStringResponder(tc.status, tc.body))
			// A refused token is refreshed and the call replayed once; the
			// replay's answer is the error.
			mt.RegisterResponder(http.MethodPost, mockBase+"token/refresh/", httpmock.NewStringResponder(200, `{"access":"`+mockAccess+`"}`))

			_, err := c.Loans(context.Background(), "1002000989")
			require.Error(t, err)
			assert.ErrorIs(t, err, tc.kind)
			var e *banklink.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.status, e.StatusCode)
			assert.Equal(t, tc.code, e.Code)
			assert.Equal(t, tc.message, e.Message)
			assert.Equal(t, "POST", e.Method)
			assert.Equal(t, "/api/accounts/loans/", e.Path)
			for _, f := range tc.fields {
				assert.Contains(t, e.FieldErrors, f)
			}
			assert.LessOrEqual(t, len(e.Snippet), 520, "the body snippet is bounded")
			assert.Contains(t, err.Error(), "dfcu loans: POST /api/accounts/loans/: ")
			assert.NotContains(t, err.Error(), mockAccess)
			if tc.status == 401 && tc.code != "user_not_found" {
				assert.Equal(t, 2, mt.GetCallCountInfo()["POST "+mockBase+"api/accounts/loans/"], "one replay after the refresh")
			} else {
				assert.Equal(t, 1, mt.GetCallCountInfo()["POST "+mockBase+"api/accounts/loans/"])
			}
		})
	}
}

func TestLoginFailures(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		kind   error
		field  string
	}{
		{"wrong password", 401, `{"detail":"No active account found with the given credentials"}`, banklink.ErrUnauthorized, ""},
		{"blank field", 400, `{"username":["This field is required."],"password":["This field may not be blank."]}`, banklink.ErrInvalidRequest, "password"},
		{"documented 500", 500, `{"error": "Something went wrong. Please try again later."}`, banklink.ErrServerError, ""},
		{"no tokens in 200", 200, `{"detail":"ok"}`, banklink.ErrServerError, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mt := newMocked(t, banklink.WithRetry(banklink.RetryPolicy{MaxRetries: -1}))
			mt.RegisterResponder(http.MethodPost, mockBase+"token/", httpmock.NewStringResponder(tc.status, tc.body))
			_, err := c.Login(context.Background())
			assert.ErrorIs(t, err, tc.kind)
			var e *banklink.Error
			require.ErrorAs(t, err, &e)
			if tc.field != "" {
				assert.Contains(t, e.FieldErrors, tc.field)
			}
			assert.NotContains(t, err.Error(), "s3cret-pass")
			_, ok := c.Session()
			assert.False(t, ok)
		})
	}
}

func TestLoanDecodingIsLenientButLosesNothing(t *testing.T) {
	c, mt := newMocked(t, dfcu.WithSession(dfcu.Session{Access: mockAccess, Refresh: mockRefresh}))
	body := `{"response":{"customer_id":7,"customer_name":"A","customer_account":1002000989,"customer_loans":[
		{"loan_id":"L1","disbursement_date":"2023-03-01T12:09:05.123456Z","outstanding_amount":"2000000"},
		{"loan_id":"L2","disbursement_date":"2023-03-01T15:09:05+03:00","outstanding_amount":1500.00},
		{"loan_id":"L3","disbursement_date":"2023-03-01","outstanding_amount":0}]}}`
	mt.RegisterResponder(http.MethodPost, mockBase+"api/accounts/loans/", httpmock.NewStringResponder(200, body))
	got, err := c.Loans(context.Background(), "1002000989")
	require.NoError(t, err)
	assert.Equal(t, "7", got.CustomerID)
	assert.Equal(t, "1002000989", got.Account)
	require.Len(t, got.Loans, 3)
	assert.Equal(t, int64(2000000), got.Loans[0].Outstanding)
	assert.Equal(t, 123456000, got.Loans[0].Disbursed.Nanosecond())
	assert.Equal(t, 12, got.Loans[1].Disbursed.Hour(), "converted to UTC")
	assert.Equal(t, int64(1500), got.Loans[1].Outstanding)

	for _, bad := range []string{`"1500.5"`, `1e400`, `"abc"`, `null`, `true`} {
		mt.RegisterResponder(http.MethodPost, mockBase+"api/accounts/loans/", httpmock.NewStringResponder(200,
			`{"response":{"customer_loans":[{"loan_id":"L9","disbursement_date":"2023-03-01T00:00:00Z","outstanding_amount":`+bad+`}]}}`))
		_, err := c.Loans(context.Background(), "1002000989")
		assert.ErrorIs(t, err, banklink.ErrServerError, "amount %s is refused, not truncated", bad)
	}
}

func TestNewValidatesOptions(t *testing.T) {
	_, err := dfcu.New(banklink.WithBaseURL(mockBase))
	assert.ErrorContains(t, err, "no credentials")
	// One category per message (#22.3): a configuration error, not also
	// an "invalid request" (it read "invalid configuration: invalid
	// request: no base URL configured").
	_, err = dfcu.New(dfcu.WithCredentials("u", "p"))
	assert.ErrorIs(t, err, banklink.ErrInvalidConfig, "no base URL")
	assert.NotErrorIs(t, err, banklink.ErrInvalidRequest)
	assert.Equal(t, "dfcu: invalid configuration: no base URL configured (use banklink.WithBaseURL)", err.Error())
	_, err = dfcu.New(banklink.WithBaseURL("http://bank.example/"), dfcu.WithCredentials("u", "p"))
	assert.ErrorIs(t, err, banklink.ErrInsecureURL)
	assert.NotContains(t, err.Error(), "insecure URL:", "one category per message")
	_, err = dfcu.New(banklink.WithBaseURL(mockBase), dfcu.WithCredentials("", "p"))
	assert.ErrorContains(t, err, "must not be empty")
	_, err = dfcu.New(banklink.WithBaseURL(mockBase), dfcu.WithSession(dfcu.Session{}))
	assert.Error(t, err)
	_, err = dfcu.New(banklink.WithBaseURL("https://user:pw@loans.example.test/"), dfcu.WithCredentials("u", "p"))
	assert.ErrorContains(t, err, "user info")
	assert.NotContains(t, err.Error(), "pw@")
	_, err = dfcu.New(banklink.WithBaseURL(mockBase), dfcu.WithCredentials("u", "p"), banklink.WithTimeout(0))
	assert.Error(t, err)
	_, err = dfcu.New(nil, banklink.WithBaseURL(mockBase), dfcu.WithCredentials("u", "p"))
	assert.NoError(t, err, "nil options are skipped")
}

func TestPlainHTTPToAPublicHostIsRefused(t *testing.T) {
	_, err := dfcu.New(banklink.WithBaseURL("http://154.113.16.142:8882/"), dfcu.WithCredentials("u", "p"))
	require.ErrorIs(t, err, banklink.ErrInsecureURL)
	assert.Contains(t, err.Error(), "WithInsecureHTTP")

	mt := httpmock.NewMockTransport()
	mt.RegisterResponder(http.MethodPost, "http://154.113.16.142:8882/token/", httpmock.NewStringResponder(200, `{"access":"`+mockAccess+`","refresh":"`+mockRefresh+`"}`))
	c, err := dfcu.New(banklink.WithBaseURL("http://154.113.16.142:8882/"), dfcu.WithCredentials("u", "p"), banklink.WithInsecureHTTP(), banklink.WithTransport(mt))
	require.NoError(t, err, "allowed with the explicit opt-in")
	_, err = c.Login(context.Background())
	require.NoError(t, err)

	for _, loopback := range []string{"http://127.0.0.1:8000/", "http://localhost:8000/", "http://[::1]:8000/"} {
		_, err := dfcu.New(banklink.WithBaseURL(loopback), dfcu.WithCredentials("u", "p"))
		assert.NoError(t, err, loopback)
	}
}

func TestFieldErrorsNeverEchoTheSecret(t *testing.T) {
	c, mt := newMocked(t, banklink.WithRetry(banklink.RetryPolicy{MaxRetries: -1}))
	mt.RegisterResponder(http.MethodPost, mockBase+"token/", httpmock.NewStringResponder(400, `{"password":["'s3cret-pass' is too common."]}`))
	_, err := c.Login(context.Background())
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, []string{"'[REDACTED]' is too common."}, e.FieldErrors["password"])
	assert.NotContains(t, fmt.Sprintf("%v %#v", err, err), "s3cret-pass")
}
