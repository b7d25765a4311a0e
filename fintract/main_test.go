package fintract_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/fintract"
	"github.com/banklink/banklink-go/fintract/fintracttest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var fastRetry = banklink.RetryPolicy{MaxRetries: 3, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond}

func newFake(t *testing.T, opts ...fintracttest.Option) *fintracttest.Server {
	t.Helper()
	srv := fintracttest.NewServer(opts...)
	t.Cleanup(srv.Close)
	return srv
}

func newClient(t *testing.T, srv *fintracttest.Server, opts ...fintract.Option) *fintract.Client {
	t.Helper()
	c, err := fintract.New(append([]fintract.Option{banklink.WithBaseURL(srv.URL), banklink.WithRetry(fastRetry)}, opts...)...)
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

var customerLogin = fintract.LoginRequest{Email: fintracttest.CustomerEmail, Password: fintracttest.CustomerPassword, OTPType: fintract.OTPByEmail}

// login runs both steps with the OTP the fake sent.
func login(t *testing.T, c *fintract.Client, srv *fintracttest.Server, req fintract.LoginRequest) fintract.Session {
	t.Helper()
	ctx := context.Background()
	ch, err := c.Login(ctx, req)
	require.NoError(t, err)
	otp, ok := srv.OTP(req.Email)
	require.True(t, ok)
	s, err := c.VerifyOTP(ctx, ch.UserID, otp)
	require.NoError(t, err)
	srv.ResetCounts()
	return s
}

// fakeOTP is an OTP callback reading the fake's outbox.
func fakeOTP(srv *fintracttest.Server) fintract.OTPFunc {
	return func(_ context.Context, ch fintract.Challenge) (string, error) {
		otp, _ := srv.OTP(ch.Email)
		return otp, nil
	}
}

// fmtAll prints v with every verb that could leak a field.
func fmtAll(v any) string {
	return fmt.Sprintf("%v %+v %#v %s", v, v, v, v)
}
