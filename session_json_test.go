package banklink_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
	"github.com/banklink/banklink-go/fintiv"
	"github.com/banklink/banklink-go/fintract"
	"github.com/banklink/banklink-go/merchant"
)

// Every provider's Session saves to one form: the same keys, a version and
// the provider's name, and reads back what it wrote.
func TestSessionJSONIsOneVersionedForm(t *testing.T) {
	exp := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
	cases := map[string]struct {
		save    any
		restore func([]byte) (any, error)
	}{
		"dfcu": {dfcu.Session{Access: "a", Refresh: "r", AccessExpiry: exp, RefreshExpiry: exp.Add(time.Hour)},
			func(b []byte) (any, error) { var s dfcu.Session; err := json.Unmarshal(b, &s); return s, err }},
		"fintract": {fintract.Session{SessionUser: fintract.SessionUser{UserID: 7, Email: "e@x.io"}, Access: "a", Refresh: "r", AccessExpiry: exp},
			func(b []byte) (any, error) { var s fintract.Session; err := json.Unmarshal(b, &s); return s, err }},
		"fintiv": {fintiv.Session{SessionFacts: fintiv.SessionFacts{UUID: "u-1", Tenant: "JANUS"}, Access: "a", Refresh: "r", AccessExpiry: exp},
			func(b []byte) (any, error) { var s fintiv.Session; err := json.Unmarshal(b, &s); return s, err }},
		"merchant": {merchant.Session{Access: "a", Refresh: "r"},
			func(b []byte) (any, error) { var s merchant.Session; err := json.Unmarshal(b, &s); return s, err }},
	}
	for provider, tc := range cases {
		t.Run(provider, func(t *testing.T) {
			b, err := json.Marshal(tc.save)
			require.NoError(t, err)
			var m map[string]any
			require.NoError(t, json.Unmarshal(b, &m))
			assert.EqualValues(t, 1, m["version"])
			assert.Equal(t, provider, m["provider"])
			assert.Equal(t, "a", m["access_token"])
			assert.Equal(t, "r", m["refresh_token"])
			for k := range m {
				assert.Contains(t, []string{"version", "provider", "access_token", "refresh_token", "access_expiry", "refresh_expiry", "user"}, k)
			}
			back, err := tc.restore(b)
			require.NoError(t, err)
			assert.Equal(t, tc.save, back)

			// Another provider's reader refuses it.
			for other, oc := range cases {
				if other != provider {
					_, err := oc.restore(b)
					assert.ErrorContains(t, err, `belongs to provider "`+provider+`"`)
				}
			}
		})
	}
}

// Sessions saved by v0.1 (no version, each provider's own keys) still
// restore; a session from a newer form is refused, not half-read.
func TestSessionJSONReadsTheUnversionedForm(t *testing.T) {
	var d dfcu.Session
	require.NoError(t, json.Unmarshal([]byte(`{"access":"a","refresh":"r","access_expiry":"2026-12-02T10:00:00Z"}`), &d))
	assert.Equal(t, "a", d.Access)
	assert.Equal(t, "r", d.Refresh)
	assert.Equal(t, 2026, d.AccessExpiry.Year())

	var f fintract.Session
	require.NoError(t, json.Unmarshal([]byte(`{"user_id":7,"email":"e@x.io","access":"a","refresh":"r"}`), &f))
	assert.Equal(t, 7, f.UserID)
	assert.Equal(t, "a", f.Access)

	var v fintiv.Session
	require.NoError(t, json.Unmarshal([]byte(`{"uuid":"u-1","tenant_name":"JANUS","access_token":"a","refresh_token":"r"}`), &v))
	assert.Equal(t, "u-1", v.UUID)
	assert.Equal(t, "JANUS", v.Tenant)
	assert.Equal(t, "r", v.Refresh)

	var m merchant.Session
	require.NoError(t, json.Unmarshal([]byte(`{"access_token":"a","refresh_token":"r"}`), &m))
	assert.Equal(t, merchant.Session{Access: "a", Refresh: "r"}, m)

	err := json.Unmarshal([]byte(`{"version":2,"provider":"merchant","access_token":"a"}`), &m)
	assert.ErrorContains(t, err, "version 2")
	assert.ErrorContains(t, json.Unmarshal([]byte(`[1]`), &m), "saved session")
}

// Refresh renews now, on every provider that has sessions with expiries.
func TestRefreshRenewsNow(t *testing.T) {
	srv := dfcutest.NewServer()
	t.Cleanup(srv.Close)
	c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword))
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	s1, err := c.Login(context.Background())
	require.NoError(t, err)
	s2, err := c.Refresh(context.Background())
	require.NoError(t, err)
	assert.NotEqual(t, s1.Access, s2.Access)
	assert.Equal(t, 1, srv.Calls(dfcutest.RouteRefresh))
}
