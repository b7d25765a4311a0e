package merchanttest_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go/internal/conformance"
	"github.com/banklink/banklink-go/merchant/merchanttest"
)

// corpus holds cases written from ../shared/api/merchant.md (each names
// its passage in "source"): neither service has a public server to
// record. A recording drops in here, in the same format, when one exists.
const corpus = "../../internal/conformance/testdata/merchant.jsonl"

// allowed lists the cases the fakes knowingly answer differently, with
// the reason. Every other case must conform; none is skipped silently.
var allowed = map[string]string{}

func TestConformance(t *testing.T) {
	cases, err := conformance.Load(corpus)
	require.NoError(t, err)
	require.NotEmpty(t, cases)
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	for _, c := range cases {
		t.Run(c.ID, func(t *testing.T) {
			require.NotEmpty(t, c.Source, "a written case names the document passage it rests on")
			w := merchanttest.NewWallet()
			defer w.Close()
			n := merchanttest.NewNIP()
			defer n.Close()
			root := strings.TrimSuffix(w.URL, "api/v1/")
			if c.Provider == "merchant-nip" {
				root = strings.TrimSuffix(n.URL, "postingrest/")
			}
			u, _ := url.Parse(root)
			bound := map[string]string{
				"email": merchanttest.Email, "b64_email": b64(merchanttest.Email), "b64_password": b64(merchanttest.Password),
				"b64_wrong_password": b64("not-the-password"), "nip_username": merchanttest.NIPUsername,
				"nip_password": merchanttest.NIPPassword, "nip_wrong_password": "not-the-password", "host": u.Host,
			}
			for _, item := range c.Setup {
				switch item {
				case "login":
					resp, err := http.Post(w.URL+"auth/login", "application/json", strings.NewReader(
						`{"email":"`+bound["b64_email"]+`","password":"`+bound["b64_password"]+`"}`))
					require.NoError(t, err)
					resp.Body.Close()
					bound["access"], bound["refresh"] = resp.Header.Get("X-Access-Token"), resp.Header.Get("X-Refresh-Token")
					require.NotEmpty(t, bound["access"])
				case "reset:requested":
					resp, err := http.Post(w.URL+"auth/password/forget", "application/json", strings.NewReader(`{"email":"`+merchanttest.Email+`"}`))
					require.NoError(t, err)
					resp.Body.Close()
					bound["reset_code"] = w.ResetCode()
				default:
					t.Fatalf("unknown setup item %q", item)
				}
			}
			conformance.Replay(t, c, http.DefaultClient, root, bound, allowed)
		})
	}
}
