package fintiv_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/fintiv"
	"github.com/banklink/banklink-go/fintiv/fintivtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var fastRetry = banklink.RetryPolicy{MaxRetries: 3, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}

func newFake(t *testing.T, opts ...fintivtest.Option) *fintivtest.Server {
	t.Helper()
	srv := fintivtest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

func newClient(t *testing.T, srv *fintivtest.Server, opts ...fintiv.Option) *fintiv.Client {
	t.Helper()
	all := append([]fintiv.Option{
		banklink.WithBaseURL(srv.URL), banklink.WithRetry(fastRetry),
		fintiv.WithAPIKey(fintivtest.APIKey), fintiv.WithTenant(fintivtest.Tenant),
		fintiv.WithCredentials(fintivtest.Username, fintivtest.Password),
	}, opts...)
	c, err := fintiv.New(all...)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return c
}
