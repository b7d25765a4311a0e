package merchant_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/merchant"
	"github.com/banklink/banklink-go/merchant/merchanttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var fastRetry = banklink.RetryPolicy{MaxRetries: 3, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}

func newWallet(t *testing.T, opts ...merchanttest.Option) *merchanttest.Wallet {
	t.Helper()
	w := merchanttest.NewWallet(opts...)
	t.Cleanup(w.Close)
	return w
}

func newClient(t *testing.T, w *merchanttest.Wallet, opts ...merchant.Option) *merchant.Client {
	t.Helper()
	c, err := merchant.New(append([]merchant.Option{banklink.WithBaseURL(w.URL), banklink.WithRetry(fastRetry),
		merchant.WithCredentials(merchanttest.Email, merchanttest.Password)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func newNIP(t *testing.T, opts ...merchant.Option) (*merchant.NIPClient, *merchanttest.NIP) {
	t.Helper()
	srv := merchanttest.NewNIP()
	t.Cleanup(srv.Close)
	n, err := merchant.NewNIP(append([]merchant.Option{banklink.WithBaseURL(srv.URL), banklink.WithRetry(fastRetry),
		merchant.WithNIPCredentials(merchanttest.NIPUsername, merchanttest.NIPPassword)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(n.CloseIdleConnections)
	return n, srv
}
