package fintracttest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go/fintract/fintracttest"
	"github.com/banklink/banklink-go/internal/conformance"
)

// corpus is the recording of the 2022 public Fintract implementation,
// kept in the repository; see internal/conformance.
const corpus = "../../internal/conformance/testdata/fintract.jsonl"

// allowed lists the cases the fake knowingly answers differently, with the
// reason. Every other case must conform; none is skipped silently.
var allowed = map[string]string{
	"FV06": "reference bug: the 2022 server accepts the OTP \"0\" after a successful login; the fake refuses it",
}

// documentedExtras are the keys the documented answer adds to the 2022
// server's, which the fake serves (the docs win where they add fields).
var documentedExtras = map[string][]string{
	"FR01": registerExtras, "FR02": registerExtras, "FR08": registerExtras,
	"FV04": {"customer_id", "user_type"}, "FV06": {"customer_id", "user_type"},
	"FI01": infoExtras, "FI07": infoExtras,
}

var (
	registerExtras = []string{"phone", "customer_id", "gender"}
	infoExtras     = []string{"avatar", "gender", "phone", "country", "citizenship", "national_id", "address", "bank_name"}
)

// The replayer's values for the corpus's default users.
const (
	email     = "alice.probe@example.com"
	username  = "aliceprobe"
	password  = "probe-pass-1"
	email2    = "bob.probe@example.com"
	username2 = "bobprobe"
)

var fresh atomic.Int64

type replayer struct {
	t      *testing.T
	srv    *fintracttest.Server
	client *http.Client
	bound  map[string]string
}

func (r *replayer) call(method, path, body string, header ...string) (int, map[string]any) {
	r.t.Helper()
	req, err := http.NewRequest(method, r.srv.URL+path, strings.NewReader(body))
	require.NoError(r.t, err)
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := r.client.Do(req)
	require.NoError(r.t, err)
	defer resp.Body.Close()
	var m map[string]any
	b, _ := io.ReadAll(resp.Body)
	_ = json.Unmarshal(b, &m)
	return resp.StatusCode, m
}

func (r *replayer) register(email, username, name string) {
	status, m := r.call("POST", "auth/register/", fmt.Sprintf(`{"email":%q,"username":%q,"name":%q,"user_type":"CUSTOMER","password":%q,"password2":%q,"phone":"0700000001"}`,
		email, username, name, password, password))
	require.Equal(r.t, 201, status, "register %s: %v", email, m)
}

// login runs both steps and returns the user id and the token pair.
func (r *replayer) login(email, password string) (id, access, refresh string) {
	status, m := r.call("POST", "auth/login/", fmt.Sprintf(`{"email":%q,"otpType":"Email","password":%q}`, email, password))
	require.Equal(r.t, 200, status, "login %s: %v", email, m)
	id = fmt.Sprint(m["data"].(map[string]any)["id"])
	otp, ok := r.srv.OTP(email)
	require.True(r.t, ok)
	status, m = r.call("POST", "auth/login/"+id+"/", `{"otp":"`+otp+`"}`)
	require.Equal(r.t, 200, status, "verify %s: %v", email, m)
	tokens := m["tokens"].(map[string]any)
	return id, tokens["access"].(string), tokens["refresh"].(string)
}

func (r *replayer) setup(item string) {
	b := r.bound
	switch item {
	case "user:registered":
		r.register(email, username, "Alice Probe")
		b["verify_token"] = r.srv.VerificationToken(email)
	case "user:verified":
		r.setup("user:registered")
		r.srv.VerifyEmail(email)
	case "user2:registered":
		r.register(email2, username2, "Bob Probe")
		r.srv.VerifyEmail(email2)
	case "otp:issued":
		r.setup("user:verified")
		status, m := r.call("POST", "auth/login/", fmt.Sprintf(`{"email":%q,"otpType":"Email","password":%q}`, email, password))
		require.Equal(r.t, 200, status, "%v", m)
		b["user_id"] = fmt.Sprint(m["data"].(map[string]any)["id"])
		b["otp"], _ = r.srv.OTP(email)
		n, _ := strconv.Atoi(b["otp"])
		b["wrong_otp"] = strconv.Itoa(100000 + (n-100000+1)%900000)
	case "otp:used":
		r.setup("otp:issued")
		status, m := r.call("POST", "auth/login/"+b["user_id"]+"/", `{"otp":"`+b["otp"]+`"}`)
		require.Equal(r.t, 200, status, "%v", m)
	case "login":
		r.setup("user:verified")
		b["user_id"], b["access"], b["refresh"] = r.login(email, password)
		status, m := r.call("GET", "auth/info/"+b["user_id"]+"/", "", "Authorization", "Bearer "+b["access"])
		require.Equal(r.t, 200, status, "%v", m)
		b["customer_id"] = fmt.Sprint(m["customer-id "])
	case "admin:login":
		id, access, _ := r.login(fintracttest.AdminEmail, fintracttest.AdminPassword)
		b["admin_access"] = access
		if _, ok := b["user_id"]; !ok {
			b["user_id"] = id // the documented info route names the caller
		}
	case "token:expired":
		r.setup("user:verified")
		b["user_id"] = strconv.Itoa(r.srv.UserID(email))
		b["expired_access"], b["expired_refresh"] = r.srv.ExpiredTokens(email)
	case "user:deleted":
		r.srv.DeleteUser(email)
	default:
		r.t.Fatalf("unknown setup item %q", item)
	}
}

// TestConformance replays every recorded case against a fresh fake, on
// the documented path where the docs and the 2022 server differ, and
// compares its answer as the corpus's README defines, then checks the
// byte-faithful details (spacing, key order).
func TestConformance(t *testing.T) {
	cases, err := conformance.Load(corpus)
	require.NoError(t, err)
	require.NotEmpty(t, cases)
	for _, c := range cases {
		t.Run(c.ID, func(t *testing.T) {
			srv := fintracttest.NewServer()
			defer srv.Close()
			u, _ := url.Parse(srv.URL)
			n := fresh.Add(1)
			r := &replayer{t: t, srv: srv, client: &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
				bound: map[string]string{
					"email": email, "username": username, "password": password, "wrong_password": "not-the-password",
					"email2": email2, "username2": username2, "host": u.Host,
					"fresh_email": fmt.Sprintf("fresh%d@example.com", n), "fresh_username": fmt.Sprintf("fresh%d", n),
					"admin_email": fintracttest.AdminEmail, "admin_username": fintracttest.AdminUsername,
				}}
			for _, item := range c.Setup {
				r.setup(item)
			}
			if c.DocumentedPath != "" {
				// The fake serves the documented route; its id is the
				// caller's (none bound: an id no user has).
				recorded := c.Request.Path
				c.Request.Path = strings.ReplaceAll(c.DocumentedPath, "{id}", "{{user_id}}")
				if _, ok := r.bound["user_id"]; !ok {
					r.bound["user_id"] = "999999"
				}
				// A debug page names the path it crashed on: the documented one.
				if title := c.Response.TitleOrFirstLine; title != nil {
					from, _ := url.PathUnescape(recorded)
					to, _ := conformance.Fill(c.Request.Path, r.bound)
					t := strings.Replace(*title, " at /"+from, " at /"+to, 1)
					c.Response.TitleOrFirstLine = &t
				}
			}
			conformance.Replay(t, c, r.client, srv.URL, r.bound, allowed, documentedExtras[c.ID]...)
		})
	}
}
