package merchant_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/merchant"
)

const mockBase = "https://payment.wallet.test/api/v1/"

type seen struct {
	access, refresh string
	body            string
}

func mockedWallet(t *testing.T, opts ...merchant.Option) (*merchant.Client, *httpmock.MockTransport) {
	t.Helper()
	mt := httpmock.NewMockTransport()
	c, err := merchant.New(append([]merchant.Option{banklink.WithBaseURL(mockBase), banklink.WithTransport(mt),
		banklink.WithRetry(banklink.RetryPolicy{MaxRetries: -1}), merchant.WithCredentials("merchant1@mailinator.com", "password")}, opts...)...)
	require.NoError(t, err)
	return c, mt
}

// respond registers a responder that records the pair and body it got and
// answers with status, body and, when given, a new pair.
func respond(mt *httpmock.MockTransport, method, path string, status int, body string, pair ...string) *[]seen {
	var got []seen
	mt.RegisterResponder(method, mockBase+path, func(r *http.Request) (*http.Response, error) {
		var b []byte
		if r.Body != nil {
			b, _ = io.ReadAll(r.Body)
		}
		got = append(got, seen{r.Header.Get("X-Access-Token"), r.Header.Get("X-Refresh-Token"), string(b)})
		resp := httpmock.NewStringResponse(status, body)
		if len(pair) == 2 {
			resp.Header.Set("X-Access-Token", pair[0])
			resp.Header.Set("X-Refresh-Token", pair[1])
		}
		return resp, nil
	})
	return &got
}

const loginAnswer = `{"status":true,"data":{"id":"425bc461-9b6c-4036-b47a-9d96e4f21eba","role":"USER","email":"merchant1@mailinator.com","lastName":"Obagunwa","firstName":"Samson","createdAt":"2021-08-16T22:59:27.026Z","updatedAt":"2022-05-03T11:01:11.923Z"},"merchant":{"email":"merchant1@mailinator.com","id":"e84a4677-3158-40ba-8967-f523c2315cf9","lastName":"Obagunwa","mode":"SANDBOX","role":"Admin","firstName":"Samson","owner":false,"review":"PENDING","businessName":"Caleb","businessType":"Restaurants","createdAt":"2022-05-03T10:18:19.172Z","updatedAt":"2022-05-03T10:18:19.172Z"}}`

func TestWalletOnTheWire(t *testing.T) {
	c, mt := mockedWallet(t)
	ctx := context.Background()
	logins := respond(mt, "POST", "auth/login", 200, loginAnswer, "A1", "R1")
	profiles := respond(mt, "GET", "merchant/profile", 200, `{"status":true,"data":{"businessName":"Caleb"}}`)
	refreshes := respond(mt, "POST", "auth/refresh/token", 200, loginAnswer, "A2", "R2")
	logouts := respond(mt, "POST", "auth/logout", 200, ``)

	_, err := c.Login(ctx)
	require.NoError(t, err)
	a, _ := c.Account()
	assert.Equal(t, "2022-05-03T10:18:19.172Z", a.Merchant.CreatedAt.Format("2006-01-02T15:04:05.000Z07:00"))
	var body map[string]string
	require.NoError(t, json.Unmarshal([]byte((*logins)[0].body), &body))
	assert.Equal(t, map[string]string{"email": "bWVyY2hhbnQxQG1haWxpbmF0b3IuY29t", "password": "cGFzc3dvcmQ="}, body, "the seed's sample, base64 with padding")
	assert.Empty(t, (*logins)[0].access)

	_, err = profile(c)
	require.NoError(t, err)
	_, err = c.Refresh(ctx)
	require.NoError(t, err)
	_, err = profile(c)
	require.NoError(t, err)
	require.NoError(t, c.Logout(ctx))

	assert.Equal(t, []seen{{"A1", "R1", ""}, {"A2", "R2", ""}}, *profiles, "both headers on every authenticated call")
	assert.Equal(t, []seen{{"", "R1", ""}}, *refreshes, "refresh sends the refresh token only")
	assert.Equal(t, []seen{{"A2", "R2", ""}}, *logouts)
}

func TestRotatedPairIsTakenFromAnErrorAnswer(t *testing.T) {
	c, mt := mockedWallet(t, merchant.WithSession(merchant.Session{Access: "A1", Refresh: "R1"}))
	calls := respond(mt, "GET", "merchant/profile", 400, `{"status": false, "message": "Wallet not funded"}`, "A9", "R9")
	_, err := profile(c)
	require.ErrorIs(t, err, banklink.ErrInvalidRequest)
	var e *banklink.Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, "Wallet not funded", e.Message)
	s, _ := c.Session()
	assert.Equal(t, merchant.Session{Access: "A9", Refresh: "R9"}, s)
	_, _ = profile(c)
	assert.Equal(t, seen{"A9", "R9", ""}, (*calls)[1])
}

func TestWalletErrorShapes(t *testing.T) {
	cases := []struct {
		name    string
		status  int
		body    string
		kind    error
		message string
	}{
		{"status false with 400", 400, `{"status":false,"message":"Invalid refresh token provided."}`, banklink.ErrInvalidRequest, "Invalid refresh token provided."},
		{"error key", 400, `{"error":"Bad request"}`, banklink.ErrInvalidRequest, "Bad request"},
		{"status false with 200", 200, `{"status":false,"message":"Merchant not enabled"}`, banklink.ErrInvalidRequest, "Merchant not enabled"},
		{"message list", 422, `{"status":false,"message":["email is required","phone is required"]}`, banklink.ErrInvalidRequest, "email is required; phone is required"},
		{"HTML 502", 502, `<html><title>502 Bad Gateway</title></html>`, banklink.ErrServerError, "502 Bad Gateway"},
		{"empty 500", 500, ``, banklink.ErrServerError, ""},
		{"HTML with 200", 200, `<html><title>Maintenance</title></html>`, banklink.ErrServerError, "Maintenance"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, mt := mockedWallet(t)
			respond(mt, "POST", "auth/password/forget", tc.status, tc.body)
			err := c.ForgotPassword(context.Background(), "merchant1@mailinator.com")
			require.ErrorIs(t, err, tc.kind)
			var e *banklink.Error
			require.ErrorAs(t, err, &e)
			assert.Equal(t, tc.status, e.StatusCode)
			assert.Equal(t, tc.message, e.Message)
		})
	}
}

func TestLoginWithoutTokenHeadersIsAnError(t *testing.T) {
	c, mt := mockedWallet(t)
	respond(mt, "POST", "auth/login", 200, loginAnswer)
	_, err := c.Login(context.Background())
	require.ErrorIs(t, err, banklink.ErrServerError)
	assert.ErrorContains(t, err, "no X-Access-Token/X-Refresh-Token headers")
	_, ok := c.Session()
	assert.False(t, ok)
}

func TestLogoutAcceptsAJSONBodyAndForgetsOnFailure(t *testing.T) {
	c, mt := mockedWallet(t, merchant.WithSession(merchant.Session{Access: "A1", Refresh: "R1"}))
	respond(mt, "POST", "auth/logout", 200, `{"status":true,"message":"Logged out"}`)
	require.NoError(t, c.Logout(context.Background()))

	c, mt = mockedWallet(t, merchant.WithSession(merchant.Session{Access: "A1", Refresh: "R1"}))
	respond(mt, "POST", "auth/logout", 401, `{"status":false,"message":"Unauthorized"}`)
	require.Error(t, c.Logout(context.Background()))
	_, ok := c.Session()
	assert.False(t, ok, "forgotten whatever the answer")
}

func TestRedirectElsewhereCarriesNoCredentials(t *testing.T) {
	var leaked atomic.Int32
	evil := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("X-Access-Token") != "" || r.Header.Get("X-Refresh-Token") != "" || strings.Contains(string(b), "password") {
			leaked.Add(1)
		}
	}))
	defer evil.Close()
	redirecting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, evil.URL+r.URL.Path, http.StatusPermanentRedirect) // 308 keeps method and body
	}))
	defer redirecting.Close()

	c, err := merchant.New(banklink.WithBaseURL(redirecting.URL+"/api/v1/"), merchant.WithSession(merchant.Session{Access: "A1", Refresh: "R1"}))
	require.NoError(t, err)
	defer c.CloseIdleConnections()
	_, err = profile(c)
	require.ErrorIs(t, err, banklink.ErrRedirectRefused)
	require.ErrorIs(t, c.Logout(context.Background()), banklink.ErrRedirectRefused)

	n, err := merchant.NewNIP(banklink.WithBaseURL(redirecting.URL+"/postingrest/"), merchant.WithNIPCredentials("nip-user", "nip-password"))
	require.NoError(t, err)
	defer n.CloseIdleConnections()
	_, err = n.AccountName(context.Background(), "1018996198", "110000")
	require.ErrorIs(t, err, banklink.ErrRedirectRefused)
	assert.Zero(t, leaked.Load())
}

func TestBase64IsStandardPadded(t *testing.T) {
	// The seed's sample: "merchant1@mailinator.com" / "password".
	assert.Equal(t, "cGFzc3dvcmQ=", base64.StdEncoding.EncodeToString([]byte("password")))
}
