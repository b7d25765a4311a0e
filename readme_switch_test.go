package banklink_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/banklinktest"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
	"github.com/banklink/banklink-go/fintract"
	"github.com/banklink/banklink-go/fintract/fintracttest"
)

// readmeSwitch is the README's error switch, case for case (the test
// below checks the README still says the same), returning the branch.
func readmeSwitch(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.Is(err, banklink.ErrInvalidRequest):
		return "fix the input"
	case errors.Is(err, banklink.ErrNotFound):
		return "not found"
	case errors.Is(err, banklink.ErrSessionExpired),
		errors.Is(err, banklink.ErrReauthRequired):
		return "log in again"
	case errors.Is(err, banklink.ErrUnauthorized),
		errors.Is(err, banklink.ErrForbidden):
		return "refused"
	case errors.Is(err, banklink.ErrRateLimited):
		return "slow down"
	case errors.Is(err, banklink.ErrUnavailable),
		errors.Is(err, banklink.ErrServerError),
		errors.Is(err, banklink.ErrRetryBudgetExhausted):
		return "try again later"
	case errors.Is(err, banklink.ErrInvalidConfig):
		return "config"
	default:
		return "safety limit"
	}
}

// readmeCases are the switch's matches in order, as the README writes them.
var readmeCases = []string{"err == nil", "context.Canceled", "banklink.ErrInvalidRequest", "banklink.ErrNotFound",
	"banklink.ErrSessionExpired", "banklink.ErrReauthRequired", "banklink.ErrUnauthorized", "banklink.ErrForbidden",
	"banklink.ErrRateLimited", "banklink.ErrUnavailable", "banklink.ErrServerError", "banklink.ErrRetryBudgetExhausted",
	"banklink.ErrInvalidConfig"}

// #21.2: the README's switch handles every error the SDK returns: one
// error of each kind, produced for real, lands in the branch that says
// what to do about it (a caller's deadline with the SDK's own timeouts,
// a caller's cancel alone), and the README says the same switch.
func TestTheReadmeSwitchHandlesEveryError(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	block := string(readme)
	block = block[strings.Index(block, "switch {"):]
	block = block[:strings.Index(block, "\n}\n")]
	var got []string
	for _, m := range regexp.MustCompile(`case (err == nil)|errors\.Is\(err, ([a-zA-Z.]+)\)`).FindAllStringSubmatch(block, -1) {
		got = append(got, m[1]+m[2])
	}
	assert.Equal(t, readmeCases, got, "the README's switch and this test's differ")

	synctest.Test(t, func(t *testing.T) {
		srv := dfcutest.NewServer(dfcutest.InMemory())
		newDFCU := func(opts ...banklink.Option) *dfcu.Client {
			c, err := dfcu.New(append([]banklink.Option{banklink.WithBaseURL(srv.URL), banklink.WithTransport(srv.Transport()),
				banklink.WithRetry(banklink.RetryPolicy{MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond})}, opts...)...)
			require.NoError(t, err)
			return c
		}
		c := newDFCU(dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword))
		ctx := context.Background()
		loans := func(ctx context.Context, c *dfcu.Client, account string) error {
			_, err := c.Loans(ctx, account)
			return err
		}
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		cases := map[string]struct {
			err  func() error
			want string
		}{
			"a call that worked":  {func() error { return loans(ctx, c, dfcutest.AccountWithLoans) }, "ok"},
			"a cancelled context": {func() error { return loans(cancelled, c, dfcutest.AccountWithLoans) }, "cancelled"},
			"input refused":       {func() error { return loans(ctx, c, "") }, "fix the input"},
			"an unknown account":  {func() error { return loans(ctx, c, dfcutest.UnknownAccount) }, "not found"},
			"a wrong password": {func() error {
				return loans(ctx, newDFCU(dfcu.WithCredentials(dfcutest.DefaultUsername, "wrong")), dfcutest.AccountWithLoans)
			}, "refused"},
			"a dead session": {func() error { return deadSession(t, srv, newDFCU) }, "log in again"},
			"rate limited": {func() error {
				return fault(srv, banklinktest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "120"}, 1, c)
			}, "slow down"},
			"a server error": {func() error { return fault(srv, banklinktest.Fault{Status: http.StatusInternalServerError}, 4, c) }, "try again later"},
			"the caller's deadline": {func() error {
				short, stop := context.WithTimeout(ctx, 200*time.Millisecond)
				defer stop()
				srv.InjectFaults(dfcutest.RouteLoans, banklinktest.Fault{Pass: true, Delay: time.Second})
				return loans(short, c, dfcutest.AccountWithLoans)
			}, "try again later"},
			"a per-call timeout": {func() error {
				srv.InjectFaults(dfcutest.RouteLoans, banklinktest.Fault{Pass: true, Delay: time.Second})
				return loans(banklink.WithCallOptions(ctx, banklink.CallOptions{Timeout: 100 * time.Millisecond}), c, dfcutest.AccountWithLoans)
			}, "try again later"},
			"a spent retry budget": {func() error {
				b := newDFCU(dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword), banklink.WithRetryBudget(banklink.RetryBudget{Capacity: 1}))
				return fault(srv, banklinktest.Fault{Status: http.StatusServiceUnavailable}, 1, b)
			}, "try again later"},
			"a bad configuration": {func() error {
				_, err := dfcu.New(banklink.WithBaseURL("http://bank.example/"), dfcu.WithCredentials("u", "p"))
				return err
			}, "config"},
			"an answer too large": {func() error {
				return loans(ctx, newDFCU(dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword), banklink.WithMaxResponseBytes(16)), dfcutest.AccountWithLoans)
			}, "safety limit"},
			"Fintract needs a person": {func() error { return reauth(t) }, "log in again"},
		}
		for name, tc := range cases {
			err := tc.err()
			assert.Equal(t, tc.want, readmeSwitch(err), "%s: %v", name, err)
		}
		// Deadlines read the same whoever set them; a cancel reads as nothing else.
		for _, err := range []error{cases["the caller's deadline"].err(), cases["a per-call timeout"].err()} {
			assert.ErrorIs(t, err, context.DeadlineExceeded)
			assert.ErrorIs(t, err, banklink.ErrUnavailable)
		}
		err := loans(cancelled, c, dfcutest.AccountWithLoans)
		assert.ErrorIs(t, err, context.Canceled)
		for _, cat := range []error{banklink.ErrUnavailable, banklink.ErrServerError, banklink.ErrUnauthorized, context.DeadlineExceeded} {
			assert.NotErrorIs(t, err, cat)
		}
	})
}

// fault makes c's next loans call meet f, n times (as many attempts as the
// call will make: no fault is left for the next case).
func fault(srv *dfcutest.Server, f banklinktest.Fault, n int, c *dfcu.Client) error {
	faults := make([]banklinktest.Fault, n)
	for i := range faults {
		faults[i] = f
	}
	srv.InjectFaults(dfcutest.RouteLoans, faults...)
	_, err := c.Loans(context.Background(), dfcutest.AccountWithLoans)
	return err
}

// deadSession returns the error of a session-only client whose refresh
// was refused.
func deadSession(t *testing.T, srv *dfcutest.Server, newDFCU func(...banklink.Option) *dfcu.Client) error {
	access, refresh := srv.ExpiredTokens(dfcutest.DefaultUsername)
	c := newDFCU(dfcu.WithSession(dfcu.Session{Access: access, Refresh: refresh}))
	srv.RevokeRefreshTokens()
	_, err := c.Loans(context.Background(), dfcutest.AccountWithLoans)
	return err
}

// reauth returns Fintract's error when a new session needs an OTP and no
// one can be asked.
func reauth(t *testing.T) error {
	srv := fintracttest.NewServer(fintracttest.InMemory())
	access, refresh := srv.ExpiredTokens(fintracttest.CustomerEmail)
	c2, err := fintract.New(banklink.WithBaseURL(srv.URL), banklink.WithTransport(srv.Transport()),
		fintract.WithSession(fintract.Session{Access: access, Refresh: refresh}))
	require.NoError(t, err)
	srv.RevokeRefreshTokens()
	_, err = c2.UserInfo(context.Background(), 1)
	return err
}
