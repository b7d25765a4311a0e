package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestOnTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, env(nil)))
	assert.Contains(t, out.String(), "in-process fake")
	assert.Contains(t, out.String(), "Paul Logan")
	assert.Contains(t, out.String(), "L000001")
}

func TestOnAConfiguredServer(t *testing.T) {
	srv := dfcutest.NewServer(dfcutest.WithUser("ops", "ops-pw"))
	defer srv.Close()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, env(map[string]string{
		"DFCU_BASE_URL": srv.URL, "DFCU_USERNAME": "ops", "DFCU_PASSWORD": "ops-pw", "DFCU_ACCOUNT": "5000145080",
	})))
	assert.NotContains(t, out.String(), "fake")
	assert.Contains(t, out.String(), "James Blunt")
	assert.Equal(t, 1, srv.Calls(dfcutest.RouteToken))
}

func TestFailuresAreClear(t *testing.T) {
	err := run(context.Background(), &bytes.Buffer{}, env(map[string]string{"DFCU_BASE_URL": "https://x.example/"}))
	assert.ErrorContains(t, err, "missing: DFCU_USERNAME, DFCU_PASSWORD, DFCU_ACCOUNT")

	srv := dfcutest.NewServer()
	defer srv.Close()
	err = run(context.Background(), &bytes.Buffer{}, env(map[string]string{
		"DFCU_BASE_URL": srv.URL, "DFCU_USERNAME": "demo", "DFCU_PASSWORD": "wrong", "DFCU_ACCOUNT": "1",
	}))
	assert.ErrorIs(t, err, banklink.ErrUnauthorized)
	assert.ErrorContains(t, err, "login: dfcu token: POST /token/: 401: No active account found with the given credentials")

	err = run(context.Background(), &bytes.Buffer{}, env(map[string]string{
		"DFCU_BASE_URL": srv.URL, "DFCU_USERNAME": dfcutest.DefaultUsername, "DFCU_PASSWORD": dfcutest.DefaultPassword, "DFCU_ACCOUNT": "9999999999",
	}))
	assert.ErrorIs(t, err, banklink.ErrNotFound)
	assert.ErrorContains(t, err, "no such account")
}
