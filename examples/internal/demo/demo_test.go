package demo

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
	"github.com/banklink/banklink-go/fintiv/fintivtest"
	"github.com/banklink/banklink-go/fintract/fintracttest"
	"github.com/banklink/banklink-go/merchant/merchanttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func run(out *bytes.Buffer, in string, vars map[string]string) Env {
	return Env{Out: out, In: strings.NewReader(in), Getenv: env(vars)}
}

func TestDFCUOnTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, DFCU(context.Background(), run(&out, "", nil)))
	assert.Contains(t, out.String(), "in-process fake")
	assert.Contains(t, out.String(), "Paul Logan")
	assert.Contains(t, out.String(), "L000001")
}

func TestDFCUOnAConfiguredServer(t *testing.T) {
	srv := dfcutest.NewServer(dfcutest.WithUser("ops", "ops-pw"))
	defer srv.Close()
	var out bytes.Buffer
	err := DFCU(context.Background(), run(&out, "", map[string]string{
		"DFCU_BASE_URL": srv.URL, "DFCU_USERNAME": "ops", "DFCU_PASSWORD": "ops-pw", "DFCU_ACCOUNT": "5000145080",
	}))
	require.NoError(t, err)
	assert.NotContains(t, out.String(), "fake")
	assert.Contains(t, out.String(), "James Blunt")
	assert.Equal(t, 1, srv.Calls(dfcutest.RouteToken))
}

func TestDFCUFailuresAreClear(t *testing.T) {
	err := DFCU(context.Background(), run(&bytes.Buffer{}, "", map[string]string{"DFCU_BASE_URL": "https://x.example/"}))
	assert.ErrorContains(t, err, "missing: DFCU_USERNAME, DFCU_PASSWORD, DFCU_ACCOUNT")

	srv := dfcutest.NewServer()
	defer srv.Close()
	err = DFCU(context.Background(), run(&bytes.Buffer{}, "", map[string]string{
		"DFCU_BASE_URL": srv.URL, "DFCU_USERNAME": "demo", "DFCU_PASSWORD": "wrong", "DFCU_ACCOUNT": "1",
	}))
	assert.ErrorIs(t, err, banklink.ErrUnauthorized)
	assert.ErrorContains(t, err, "login: dfcu token: POST /token/: 401: No active account found with the given credentials")
}

func TestFintractOnTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, Fintract(context.Background(), run(&out, "", nil)))
	for _, want := range []string{"registered user", "logged in as JaneDemo", "net balance 0", "uploaded a file", "account deleted"} {
		assert.Contains(t, out.String(), want)
	}
}

func TestFintractOnAConfiguredServerReadsTheOTP(t *testing.T) {
	srv := fintracttest.NewServer()
	defer srv.Close()
	// The "person" types the OTP once the server has sent it.
	pr, pw := io.Pipe()
	go func() {
		for {
			if otp, ok := srv.OTP(fintracttest.CustomerEmail); ok {
				_, _ = io.WriteString(pw, otp+"\n")
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	var out bytes.Buffer
	err := Fintract(context.Background(), Env{Out: &out, In: pr, Getenv: env(map[string]string{
		"FINTRACT_BASE_URL": srv.URL, "FINTRACT_EMAIL": fintracttest.CustomerEmail, "FINTRACT_PASSWORD": fintracttest.CustomerPassword,
	})})
	require.NoError(t, err)
	assert.Contains(t, out.String(), "enter the OTP sent to "+fintracttest.CustomerEmail)
	assert.NotContains(t, out.String(), "deleted", "nothing destructive on a real server")
	assert.True(t, srv.UserExists(fintracttest.CustomerEmail))
}

func TestFintivOnTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, Fintiv(context.Background(), run(&out, "", nil)))
	for _, want := range []string{"token for user", "Test User (test20190417), ACTIVE", "PIN valid: true", "password changed"} {
		assert.Contains(t, out.String(), want)
	}
}

// failingReader fails the test if anything reads it: nothing may wait
// for input unless the flow needs an OTP and no variable gives it.
type failingReader struct{ t *testing.T }

func (f failingReader) Read([]byte) (int, error) {
	f.t.Error("the example read standard input")
	return 0, io.EOF
}

// Regression (#11.6): against a real service the Fintiv example waited
// for a PIN and a new password on standard input, and changed the
// password whenever one was typed. Now only variables ask for either.
func TestFintivOnAConfiguredServerNeverWaitsOrChangesUnasked(t *testing.T) {
	srv := fintivtest.NewServer()
	defer srv.Close()
	vars := map[string]string{
		"FINTIV_BASE_URL": srv.URL, "FINTIV_API_KEY": fintivtest.APIKey, "FINTIV_TENANT": fintivtest.Tenant,
		"FINTIV_USERNAME": fintivtest.Username, "FINTIV_PASSWORD": fintivtest.Password,
	}
	var out bytes.Buffer
	require.NoError(t, Fintiv(context.Background(), Env{Out: &out, In: failingReader{t}, Getenv: env(vars)}))
	assert.NotContains(t, out.String(), "PIN valid")
	assert.NotContains(t, out.String(), "password changed")
	assert.Zero(t, srv.Calls(fintivtest.RouteValidatePIN))
	assert.Zero(t, srv.Calls(fintivtest.RouteChangePassword))
	assert.Equal(t, fintivtest.Password, srv.Password(fintivtest.Username))

	vars["FINTIV_PIN"] = "9999"
	vars["FINTIV_NEW_PASSWORD"] = "Next2345!"
	out.Reset()
	require.NoError(t, Fintiv(context.Background(), Env{Out: &out, In: failingReader{t}, Getenv: env(vars)}))
	assert.Contains(t, out.String(), "PIN valid: false")
	assert.Contains(t, out.String(), "password changed")
	assert.Equal(t, "Next2345!", srv.Password(fintivtest.Username))
}

// Regression (#11.6): against a real server the Fintract example always
// wrote the user's name and uploaded a file; it read the OTP only from
// standard input. Now FINTRACT_OTP gives it, and only variables ask for
// changes.
func TestFintractOnAConfiguredServerUnattended(t *testing.T) {
	srv := fintracttest.NewServer()
	defer srv.Close()
	vars := map[string]string{
		"FINTRACT_BASE_URL": srv.URL, "FINTRACT_EMAIL": fintracttest.CustomerEmail, "FINTRACT_PASSWORD": fintracttest.CustomerPassword,
	}
	getenv := func(k string) string {
		if k == "FINTRACT_OTP" { // read once the server has sent it, as a script would
			otp, _ := srv.OTP(fintracttest.CustomerEmail)
			return otp
		}
		return vars[k]
	}
	var out bytes.Buffer
	require.NoError(t, Fintract(context.Background(), Env{Out: &out, In: failingReader{t}, Getenv: getenv}))
	assert.NotContains(t, out.String(), "updated")
	assert.NotContains(t, out.String(), "uploaded")
	assert.Zero(t, srv.Calls(fintracttest.RouteUserUpdate)+srv.Calls(fintracttest.RouteUpdate))
	assert.Zero(t, srv.Calls(fintracttest.RouteUpload))

	file := filepath.Join(t.TempDir(), "statement.csv")
	require.NoError(t, os.WriteFile(file, []byte("date,amount\n"), 0o600))
	vars["FINTRACT_NEW_NAME"] = "John"
	vars["FINTRACT_UPLOAD_FILE"] = file
	out.Reset()
	require.NoError(t, Fintract(context.Background(), Env{Out: &out, In: failingReader{t}, Getenv: getenv}))
	assert.Contains(t, out.String(), "user info updated")
	assert.Contains(t, out.String(), "uploaded a file")
	assert.Equal(t, 1, srv.Calls(fintracttest.RouteUpload))
}

func TestMerchantOnTheFakes(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, Merchant(context.Background(), run(&out, "", nil)))
	for _, want := range []string{"logged in as Samson Obagunwa of Caleb", "refreshed", `is "NNAJI, JOSHUA & VIVIAN"`, "logged out"} {
		assert.Contains(t, out.String(), want)
	}
}

func TestMerchantOnConfiguredServers(t *testing.T) {
	w := merchanttest.NewWallet()
	defer w.Close()
	n := merchanttest.NewNIP()
	defer n.Close()
	var out bytes.Buffer
	err := Merchant(context.Background(), run(&out, "", map[string]string{
		"MERCHANT_BASE_URL": w.URL, "MERCHANT_EMAIL": merchanttest.Email, "MERCHANT_PASSWORD": merchanttest.Password,
		"NIP_BASE_URL": n.URL, "NIP_USERNAME": merchanttest.NIPUsername, "NIP_PASSWORD": merchanttest.NIPPassword,
		"NIP_ACCOUNT": merchanttest.NIPAccount, "NIP_BANK": merchanttest.NIPBank,
	}))
	require.NoError(t, err)
	assert.NotContains(t, out.String(), "fake")
	assert.Equal(t, 1, w.Calls(merchanttest.RouteLogin))
	assert.Equal(t, 1, n.Calls(merchanttest.RouteNIPAccount))

	err = Merchant(context.Background(), run(&out, "", map[string]string{"NIP_BASE_URL": "http://154.113.16.142:8882/postingrest/",
		"NIP_USERNAME": "test", "NIP_PASSWORD": "test", "NIP_ACCOUNT": "1018996198", "NIP_BANK": "110000"}))
	assert.ErrorIs(t, err, banklink.ErrInsecureURL, "the documented plain-http URL needs NIP_INSECURE=1")
}
