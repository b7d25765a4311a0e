package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/merchant/merchanttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestOnTheFakes(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, env(nil)))
	for _, want := range []string{"logged in as Samson Obagunwa of Caleb", "refreshed", `is "NNAJI, JOSHUA & VIVIAN"`, "logged out"} {
		assert.Contains(t, out.String(), want)
	}
}

func TestOnConfiguredServers(t *testing.T) {
	w := merchanttest.NewWallet()
	defer w.Close()
	n := merchanttest.NewNIP()
	defer n.Close()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, env(map[string]string{
		"MERCHANT_BASE_URL": w.URL, "MERCHANT_EMAIL": merchanttest.Email, "MERCHANT_PASSWORD": merchanttest.Password,
		"NIP_BASE_URL": n.URL, "NIP_USERNAME": merchanttest.NIPUsername, "NIP_PASSWORD": merchanttest.NIPPassword,
		"NIP_ACCOUNT": merchanttest.NIPAccount, "NIP_BANK": merchanttest.NIPBank,
	})))
	assert.NotContains(t, out.String(), "fake")
	assert.Equal(t, 1, w.Calls(merchanttest.RouteLogin))
	assert.Equal(t, 1, n.Calls(merchanttest.RouteNIPAccount))

	err := run(context.Background(), &out, env(map[string]string{"NIP_BASE_URL": "http://154.113.16.142:8882/postingrest/",
		"NIP_USERNAME": "test", "NIP_PASSWORD": "test", "NIP_ACCOUNT": "1018996198", "NIP_BANK": "110000"}))
	assert.ErrorIs(t, err, banklink.ErrInsecureURL, "the documented plain-http URL needs NIP_INSECURE=1")
}
