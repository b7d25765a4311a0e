package fintivtest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go/fintiv/fintivtest"
	"github.com/banklink/banklink-go/internal/conformance"
)

// corpus holds cases written from ../shared/api/fintiv.md (each names its
// passage in "source"): the service has no public server to record. A
// recording drops in here, in the same format, when one exists.
const corpus = "../../internal/conformance/testdata/fintiv.jsonl"

// allowed lists the cases the fake knowingly answers differently, with the
// reason. Every other case must conform; none is skipped silently.
var allowed = map[string]string{}

func TestConformance(t *testing.T) {
	cases, err := conformance.Load(corpus)
	require.NoError(t, err)
	require.NotEmpty(t, cases)
	for _, c := range cases {
		t.Run(c.ID, func(t *testing.T) {
			require.NotEmpty(t, c.Source, "a written case names the document passage it rests on")
			srv := fintivtest.NewServer()
			defer srv.Close()
			u, _ := url.Parse(srv.URL)
			bound := map[string]string{
				"api_key": fintivtest.APIKey, "tenant": fintivtest.Tenant, "username": fintivtest.Username,
				"password": fintivtest.Password, "wrong_password": "not-the-password", "uuid": fintivtest.DefaultUserID,
				"pin": fintivtest.PIN, "host": u.Host,
			}
			for _, item := range c.Setup {
				switch item {
				case "login":
					req, _ := http.NewRequest("POST", srv.URL+"auth/oauth/token", strings.NewReader(url.Values{
						"grant_type": {"password"}, "username": {fintivtest.Username}, "password": {fintivtest.Password}}.Encode()))
					req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
					req.Header.Set("api-key", fintivtest.APIKey)
					req.Header.Set("tenantName", fintivtest.Tenant)
					resp, err := http.DefaultClient.Do(req)
					require.NoError(t, err)
					var tok struct{ AccessToken, RefreshToken string }
					require.NoError(t, json.NewDecoder(resp.Body).Decode(&struct {
						A *string `json:"access_token"`
						R *string `json:"refresh_token"`
					}{&tok.AccessToken, &tok.RefreshToken}))
					resp.Body.Close()
					bound["access"], bound["refresh"] = tok.AccessToken, tok.RefreshToken
				default:
					t.Fatalf("unknown setup item %q", item)
				}
			}
			conformance.Replay(t, c, http.DefaultClient, srv.URL, bound, allowed)
		})
	}
}
