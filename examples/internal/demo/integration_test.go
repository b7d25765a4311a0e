//go:build integration

package demo

import (
	"bytes"
	"context"
	"io"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestIntegration runs every example flow against the servers the
// examples' environment variables name (DFCU_*, FINTRACT_*, FINTIV_*,
// MERCHANT_*, NIP_*), and against the in-process fakes for the providers
// whose variables are unset, so the suite always runs. Flows that need a
// person (Fintract's OTP, Fintiv's PIN) read standard input: run the test
// binary directly so that it reaches them (see README, "Integration tests").
func TestIntegration(t *testing.T) {
	for _, f := range Flows() {
		t.Run(f.Name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			var out bytes.Buffer
			err := f.Run(ctx, Env{Out: io.MultiWriter(&out, os.Stderr), In: os.Stdin, Getenv: os.Getenv})
			require.NoError(t, err, out.String())
		})
	}
}
