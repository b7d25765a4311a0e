package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/banklink/banklink-go/fintiv/fintivtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestOnTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, env(nil)))
	for _, want := range []string{"token for user", "Test User (test20190417), ACTIVE", "PIN valid: true", "password changed"} {
		assert.Contains(t, out.String(), want)
	}
}

// Against a real service only variables ask for a PIN check or a
// password change (the program reads no input at all).
func TestOnAConfiguredServerNeverChangesUnasked(t *testing.T) {
	srv := fintivtest.NewServer()
	defer srv.Close()
	vars := map[string]string{
		"FINTIV_BASE_URL": srv.URL, "FINTIV_API_KEY": fintivtest.APIKey, "FINTIV_TENANT": fintivtest.Tenant,
		"FINTIV_USERNAME": fintivtest.Username, "FINTIV_PASSWORD": fintivtest.Password,
	}
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, env(vars)))
	assert.NotContains(t, out.String(), "PIN valid")
	assert.Zero(t, srv.Calls(fintivtest.RouteValidatePIN))
	assert.Zero(t, srv.Calls(fintivtest.RouteChangePassword))

	vars["FINTIV_PIN"] = "9999"
	vars["FINTIV_NEW_PASSWORD"] = "Next2345!"
	out.Reset()
	require.NoError(t, run(context.Background(), &out, env(vars)))
	assert.Contains(t, out.String(), "PIN valid: false")
	assert.Equal(t, "Next2345!", srv.Password(fintivtest.Username))

	err := run(context.Background(), &out, env(map[string]string{"FINTIV_BASE_URL": srv.URL}))
	assert.ErrorContains(t, err, "missing: FINTIV_API_KEY")
}
