package main

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

	"github.com/banklink/banklink-go/fintract/fintracttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestOnTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, strings.NewReader(""), func(string) string { return "" }))
	for _, want := range []string{"registered user", "logged in as JaneDemo", "net balance 0", "uploaded a file", "account deleted"} {
		assert.Contains(t, out.String(), want)
	}
}

func TestOnAConfiguredServerReadsTheOTP(t *testing.T) {
	srv := fintracttest.NewServer()
	defer srv.Close()
	pr, pw := io.Pipe()
	go func() { // the "person" types the OTP once the server has sent it
		for {
			if otp, ok := srv.OTP(fintracttest.CustomerEmail); ok {
				_, _ = io.WriteString(pw, otp+"\n")
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	vars := map[string]string{"FINTRACT_BASE_URL": srv.URL, "FINTRACT_EMAIL": fintracttest.CustomerEmail, "FINTRACT_PASSWORD": fintracttest.CustomerPassword}
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, pr, func(k string) string { return vars[k] }))
	assert.Contains(t, out.String(), "enter the OTP sent to "+fintracttest.CustomerEmail)
	assert.NotContains(t, out.String(), "deleted", "nothing destructive on a real server")
	assert.Zero(t, srv.Calls(fintracttest.RouteUpload))
	assert.True(t, srv.UserExists(fintracttest.CustomerEmail))
}

func TestOnAConfiguredServerChangesOnlyWhatIsAsked(t *testing.T) {
	srv := fintracttest.NewServer()
	defer srv.Close()
	file := filepath.Join(t.TempDir(), "statement.csv")
	require.NoError(t, os.WriteFile(file, []byte("date,amount\n"), 0o600))
	vars := map[string]string{"FINTRACT_BASE_URL": srv.URL, "FINTRACT_EMAIL": fintracttest.CustomerEmail, "FINTRACT_PASSWORD": fintracttest.CustomerPassword,
		"FINTRACT_NEW_NAME": "John", "FINTRACT_UPLOAD_FILE": file}
	getenv := func(k string) string {
		if k == "FINTRACT_OTP" { // read once the server has sent it, as a script would
			otp, _ := srv.OTP(fintracttest.CustomerEmail)
			return otp
		}
		return vars[k]
	}
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, strings.NewReader(""), getenv))
	assert.Contains(t, out.String(), "user info updated")
	assert.Equal(t, 1, srv.Calls(fintracttest.RouteUpload))
	assert.True(t, srv.UserExists(fintracttest.CustomerEmail))
}
