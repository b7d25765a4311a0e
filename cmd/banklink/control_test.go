package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Regression (#23.5): the control endpoint accepted a cross-site
// text/plain POST and any Host, so a web page the developer had open
// could inject faults or revoke tokens, and through DNS rebinding read
// the Fintract OTPs. It now refuses a POST that is not
// application/json and a request whose Host is not an IP address or
// localhost on its port; the documented curl line (with its JSON
// content type) works, by IP address and by localhost.
func TestTheControlEndpointRefusesCrossSiteRequests(t *testing.T) {
	f := startFake(t)
	u, err := url.Parse(f.controlURL)
	require.NoError(t, err)
	send := func(method, host, contentType, path, body string) int {
		t.Helper()
		req, err := http.NewRequest(method, f.controlURL+path, strings.NewReader(body))
		require.NoError(t, err)
		if host != "" {
			req.Host = host
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	fault := `{"provider":"dfcu","route":"loans","faults":[{"status":503}]}`
	assert.Equal(t, http.StatusUnsupportedMediaType, send("POST", "", "text/plain", "faults", fault), "a cross-site text/plain POST")
	assert.Equal(t, http.StatusUnsupportedMediaType, send("POST", "", "application/x-www-form-urlencoded", "faults", fault), "a form")
	assert.Equal(t, http.StatusForbidden, send("POST", "attacker.example:"+u.Port(), "application/json", "faults", fault), "a rebinding DNS name")
	assert.Equal(t, http.StatusForbidden, send("GET", "attacker.example:"+u.Port(), "", "fintract/otp?email=x@example.com", ""), "OTPs through a rebinding DNS name")
	assert.Equal(t, http.StatusForbidden, send("POST", "127.0.0.1:1", "application/json", "faults", fault), "another port")
	assert.Zero(t, calls(t, f, "dfcu", "loans"))

	assert.Equal(t, http.StatusOK, send("POST", "", "application/json", "faults", fault), "the documented curl line, by IP")
	assert.Equal(t, http.StatusOK, send("POST", "localhost:"+u.Port(), "application/json", "faults", fault), "and by localhost")
	assert.Equal(t, http.StatusOK, send("GET", "", "", "calls", ""))
}

// Regression (#23.5): `fintract login` without a terminal and without
// FINTRACT_OTP sent step 1 (a real user got an OTP mail for nothing),
// then said there was no OTP. The OTP source is checked first: a usage
// error, and the fake saw no login.
func TestFintractLoginChecksTheOTPSourceFirst(t *testing.T) {
	f := startFake(t)
	code, _, errOut := cli(t, nil, f.vars("fintract"), "fintract", "login") // standard input: /dev/null
	assert.Equal(t, exitUsage, code, errOut)
	assert.Contains(t, errOut, "no way to read the OTP")
	assert.Zero(t, calls(t, f, "fintract", "login"), "step 1 was never sent")
}
