package banklink_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/banklinktest"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
)

// A client per provider and set of credentials, reused by every
// goroutine; errors read the same whatever the provider.
func Example() {
	srv := dfcutest.NewServer() // a real deployment passes its own base URL
	defer srv.Close()

	c, err := dfcu.New(
		banklink.WithBaseURL(srv.URL),
		dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseIdleConnections()

	loans, err := c.Loans(context.Background(), dfcutest.AccountWithLoans)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(loans.CustomerName, len(loans.Loans))

	_, err = c.Loans(context.Background(), "9999999999")
	var e *banklink.Error
	if errors.As(err, &e) {
		fmt.Println(e.Provider, e.Op, errors.Is(err, banklink.ErrNotFound))
	}
	// Output:
	// Paul Logan 2
	// dfcu loans true
}

// Save a session when a service stops and restore it when it starts, so
// it need not log in again. The JSON form is the same for every provider;
// it holds the tokens, so store it as you would a password.
func Example_savedSession() {
	srv := dfcutest.NewServer()
	defer srv.Close()
	ctx := context.Background()

	first, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword))
	if err != nil {
		log.Fatal(err)
	}
	defer first.CloseIdleConnections()
	if _, err := first.Login(ctx); err != nil {
		log.Fatal(err)
	}
	s, _ := first.Session()
	saved, err := json.Marshal(s) // {"version":1,"provider":"dfcu","access_token":…}
	if err != nil {
		log.Fatal(err)
	}

	// Later, in another process:
	var restored dfcu.Session
	if err := json.Unmarshal(saved, &restored); err != nil {
		log.Fatal(err)
	}
	second, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithSession(restored),
		dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword)) // for when the session can no longer be refreshed
	if err != nil {
		log.Fatal(err)
	}
	defer second.CloseIdleConnections()
	if _, err := second.Loans(ctx, dfcutest.AccountWithLoans); err != nil {
		log.Fatal(err)
	}
	fmt.Println("logins:", srv.Calls(dfcutest.RouteToken))
	// Output: logins: 1
}

// totalOutstanding is the code under test in Example_testingYourCode: it
// uses the SDK like any service would.
func totalOutstanding(ctx context.Context, c *dfcu.Client, account string) (int64, error) {
	loans, err := c.Loans(ctx, account)
	if err != nil {
		return 0, fmt.Errorf("loans of %s: %w", account, err)
	}
	var sum int64
	for _, l := range loans.Loans {
		sum += l.Outstanding
	}
	return sum, nil
}

// Test your own code against a fake with injected faults: here two 503s
// that the client retries, then an outage that outlasts the retries.
func Example_testingYourCode() {
	srv := dfcutest.NewServer()
	defer srv.Close()
	c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword),
		banklink.WithRetry(banklink.RetryPolicy{MaxRetries: 2, MinBackoff: 1, MaxBackoff: 1})) // fast retries for tests
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseIdleConnections()
	ctx := context.Background()

	srv.InjectFaults(dfcutest.RouteLoans, banklinktest.Fault{Status: 503}, banklinktest.Fault{Status: 503})
	total, err := totalOutstanding(ctx, c, dfcutest.AccountWithLoans)
	fmt.Println(total, err, srv.Calls(dfcutest.RouteLoans))

	srv.InjectFaults(dfcutest.RouteLoans, banklinktest.Fault{Drop: true}, banklinktest.Fault{Drop: true}, banklinktest.Fault{Drop: true})
	_, err = totalOutstanding(ctx, c, dfcutest.AccountWithLoans)
	fmt.Println(errors.Is(err, banklink.ErrUnavailable), errors.Is(err, banklink.ErrRetriesExhausted), errors.Is(err, banklink.ErrUnauthorized))
	// Output:
	// 2750000 <nil> 3
	// true true false
}

// Per-call options travel in the context: an idempotency key makes a call
// with side effects safe to retry, and Capture reports the answer's
// metadata.
func ExampleWithCallOptions() {
	srv := dfcutest.NewServer()
	defer srv.Close()
	c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword))
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseIdleConnections()

	var resp banklink.ResponseInfo
	ctx := banklink.WithCallOptions(context.Background(), banklink.CallOptions{
		IdempotencyKey: "loans-1002000989-2026-12-02", // the same key when you retry it yourself
		Capture:        &resp,
	})
	if _, err := c.Loans(ctx, dfcutest.AccountWithLoans); err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.StatusCode, resp.Path, resp.Attempts)
	// Output: 200 /api/accounts/loans/ 1
}
