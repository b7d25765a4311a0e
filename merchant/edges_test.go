package merchant_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/merchant"
)

// Regression (#11.5): a refresh answer whose account did not decode threw
// away the pair that replaced the spent refresh token; the session was
// lost. The pair is kept whatever the body looks like.
func TestARotatedPairIsKeptWhateverTheBody(t *testing.T) {
	c, mt := mockedWallet(t, merchant.WithSession(merchant.Session{Access: "a1", Refresh: "r1"}))
	respond(mt, http.MethodPost, "auth/refresh/token", 200, `{"status":true,"data":"not an account"}`, "a2", "r2")
	_, err := c.Refresh(context.Background())
	require.NoError(t, err)
	s, ok := c.Session()
	require.True(t, ok)
	assert.Equal(t, merchant.Session{Access: "a2", Refresh: "r2"}, s)

	respond(mt, http.MethodPost, "auth/refresh/token", 200, `<html>proxy page</html>`, "a3", "r3")
	_, err = c.Refresh(context.Background())
	require.NoError(t, err)
	s, _ = c.Session()
	assert.Equal(t, "a3", s.Access)
}

// Regression (#11.5): "error": null (or false, "") on a success answer
// was taken for an error.
func TestNullErrorOnSuccessIsSuccess(t *testing.T) {
	for _, e := range []string{`null`, `false`, `""`} {
		c, mt := mockedWallet(t, merchant.WithSession(merchant.Session{Access: "a1", Refresh: "r1"}))
		respond(mt, http.MethodGet, "merchant/profile", 200, `{"status":true,"error":`+e+`,"data":{"name":"Caleb"}}`)
		out, err := merchant.Do[map[string]string](context.Background(), c, banklink.Request{Auth: true, Method: "GET", Path: "/merchant/profile"})
		require.NoError(t, err, e)
		assert.Equal(t, "Caleb", out["name"], e)

		respond(mt, http.MethodPost, "auth/logout", 200, `{"status":true,"error":`+e+`}`)
		require.NoError(t, c.Logout(context.Background()), e)
	}
}

// Regression (#11.5): a 401 on logout carrying a rotated pair was not
// replayed with the new pair, so the server-side session stayed open.
func TestLogoutAdoptsARotatedPairAndReplaysOnce(t *testing.T) {
	c, mt := mockedWallet(t, merchant.WithSession(merchant.Session{Access: "a1", Refresh: "r1"}))
	calls := 0
	var got []string
	mt.RegisterResponder(http.MethodPost, mockBase+"auth/logout", func(r *http.Request) (*http.Response, error) {
		calls++
		got = append(got, r.Header.Get("X-Access-Token")+"/"+r.Header.Get("X-Refresh-Token"))
		if calls == 1 {
			out := &http.Response{StatusCode: 401, Header: http.Header{"X-Access-Token": {"a2"}, "X-Refresh-Token": {"r2"}}, Body: http.NoBody}
			return out, nil
		}
		return &http.Response{StatusCode: 200, Header: http.Header{}, Body: http.NoBody}, nil
	})
	require.NoError(t, c.Logout(context.Background()))
	assert.Equal(t, []string{"a1/r1", "a2/r2"}, got)
	_, ok := c.Session()
	assert.False(t, ok, "forgotten after logout")

	// A refusal without a pair is not worth a refresh: one request.
	c, mt = mockedWallet(t, merchant.WithSession(merchant.Session{Access: "a1", Refresh: "r1"}))
	refused := respond(mt, http.MethodPost, "auth/logout", 401, `{"status":false,"message":"expired"}`)
	refreshes := respond(mt, http.MethodPost, "auth/refresh/token", 200, `{"status":true}`, "x", "y")
	require.Error(t, c.Logout(context.Background()))
	assert.Len(t, *refused, 1)
	assert.Empty(t, *refreshes)
	_, ok = c.Session()
	assert.False(t, ok)
}
