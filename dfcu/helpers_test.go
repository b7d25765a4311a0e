package dfcu_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
)

// fastRetry keeps retry tests quick.
var fastRetry = banklink.RetryPolicy{MaxRetries: 3, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}

// newFake starts a fake server closed at the end of the test.
func newFake(t *testing.T, opts ...dfcutest.Option) *dfcutest.Server {
	t.Helper()
	srv := dfcutest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

// newClient returns a client of srv with the default credentials.
func newClient(t *testing.T, srv *dfcutest.Server, opts ...dfcu.Option) *dfcu.Client {
	t.Helper()
	all := append([]dfcu.Option{
		banklink.WithBaseURL(srv.URL),
		dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword),
		banklink.WithRetry(fastRetry),
	}, opts...)
	c, err := dfcu.New(all...)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return c
}
