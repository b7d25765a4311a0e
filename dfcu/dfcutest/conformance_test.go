package dfcutest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go/dfcu/dfcutest"
	"github.com/banklink/banklink-go/internal/conformance"
)

// corpus is the recording of the public DFCU reference implementation,
// kept in the repository (a clone has no ../shared); TestCorpusIsCurrent
// checks it against the shared copy when that is there.
const corpus = "../../internal/conformance/testdata/dfcu.jsonl"

// allowed lists the cases the fake knowingly answers differently, with the
// reason. Every other case must conform; none is skipped silently.
var allowed = map[string]string{}

// The seed data of the corpus's README.
const (
	confUser = "probeuser"
	confPass = "probe-pass-1"
)

func seeded() *dfcutest.Server {
	at := func(s string) time.Time { t, _ := time.Parse(time.RFC3339, s); return t }
	return dfcutest.NewServer(
		dfcutest.WithUser(confUser, confPass),
		dfcutest.WithAccount(dfcutest.Account{Number: "1002000989", CustomerID: "C001", CustomerName: "Paul Logan", Loans: []dfcutest.Loan{
			{ID: "L000001", Disbursed: at("2023-03-01T12:09:05Z"), Outstanding: 2000000},
			{ID: "L000002", Disbursed: at("2023-01-02T12:00:00Z"), Outstanding: 2500000},
		}}),
		dfcutest.WithAccount(dfcutest.Account{Number: "6010105070", CustomerID: "C009", CustomerName: "Andrew Luther"}),
	)
}

// TestConformance replays every recorded case against a freshly seeded
// fake and compares its answer as the corpus's README defines, then
// checks the byte-faithful details (spacing, key order).
func TestConformance(t *testing.T) {
	cases, err := conformance.Load(corpus)
	require.NoError(t, err)
	require.NotEmpty(t, cases)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, c := range cases {
		t.Run(c.ID, func(t *testing.T) {
			srv := seeded()
			defer srv.Close()
			u, _ := url.Parse(srv.URL)
			bound := map[string]string{"username": confUser, "password": confPass, "wrong_password": "not-the-password", "host": u.Host}
			for _, item := range c.Setup {
				switch item {
				case "login":
					resp, err := client.Post(srv.URL+"token/", "application/json", strings.NewReader(`{"username":"`+confUser+`","password":"`+confPass+`"}`))
					require.NoError(t, err)
					var pair map[string]string
					require.NoError(t, json.NewDecoder(resp.Body).Decode(&pair))
					resp.Body.Close()
					bound["access"], bound["refresh"] = pair["access"], pair["refresh"]
				case "token:expired":
					bound["expired_access"], bound["expired_refresh"] = srv.ExpiredTokens(confUser)
				case "token:ghost":
					bound["ghost_access"] = srv.GhostToken()
				default:
					t.Fatalf("unknown setup item %q", item)
				}
			}
			conformance.Replay(t, c, client, srv.URL, bound, allowed)
		})
	}
}
