// Command dfcu logs in to the DFCU loans API and prints the loans of an
// account. Set DFCU_BASE_URL, DFCU_USERNAME, DFCU_PASSWORD and DFCU_ACCOUNT
// to use a real server; with none set it runs on the in-process fake.
//
//	go run ./examples/dfcu
//
// The program is complete: copy it into your service and keep what you
// need (the fake fallback is for trying it out).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
)

const usage = `usage: dfcu

Runs on an in-process fake unless environment variables name a real server:

DFCU: DFCU_BASE_URL, DFCU_USERNAME, DFCU_PASSWORD and DFCU_ACCOUNT name a real
  server and the account whose loans to print (else an in-process fake). It
  only reads.
`

func main() {
	flag.Usage = func() { fmt.Fprint(flag.CommandLine.Output(), usage) }
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "dfcu takes no arguments (see -h)")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Getenv); err != nil {
		fmt.Fprintf(os.Stderr, "DFCU failed: %v\n", err)
		stop()
		os.Exit(1)
	}
}

// run logs in and prints the loans of an account.
func run(ctx context.Context, out io.Writer, getenv func(string) string) error {
	names := []string{"DFCU_BASE_URL", "DFCU_USERNAME", "DFCU_PASSWORD", "DFCU_ACCOUNT"}
	env := map[string]string{}
	var unset []string
	for _, n := range names {
		if v := getenv(n); v != "" {
			env[n] = v
		} else {
			unset = append(unset, n)
		}
	}
	switch len(unset) {
	case len(names):
		// Nothing configured: try it out on the fake, with its demo user.
		srv := dfcutest.NewServer()
		defer srv.Close()
		env = map[string]string{
			"DFCU_BASE_URL": srv.URL, "DFCU_USERNAME": dfcutest.DefaultUsername,
			"DFCU_PASSWORD": dfcutest.DefaultPassword, "DFCU_ACCOUNT": dfcutest.AccountWithLoans,
		}
		fmt.Fprintf(out, "DFCU: no DFCU_* variables set; using the in-process fake at %s\n", srv.URL)
	case 0:
	default:
		return errors.New("set all of " + strings.Join(names, ", ") + " to use a real server, or none to use the fake; missing: " + strings.Join(unset, ", "))
	}
	account := env["DFCU_ACCOUNT"]

	// One client per base URL and set of credentials, shared by every
	// goroutine: it logs in on first use and refreshes its token itself.
	c, err := dfcu.New(
		banklink.WithBaseURL(env["DFCU_BASE_URL"]),
		dfcu.WithCredentials(env["DFCU_USERNAME"], env["DFCU_PASSWORD"]),
		banklink.WithUserAgent("banklink-examples"),
		banklink.WithLogger(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))),
	)
	if err != nil {
		return err
	}
	defer c.CloseIdleConnections()

	// Logging in first is optional; it checks the credentials early.
	if _, err := c.Login(ctx); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	fmt.Fprintln(out, "DFCU: logged in")

	loans, err := c.Loans(ctx, account)
	var apiErr *banklink.Error
	switch {
	case errors.Is(err, banklink.ErrNotFound):
		return fmt.Errorf("loans of %s: no such account: %w", account, err)
	case errors.As(err, &apiErr):
		// Every provider's failures read the same: status, code, request id.
		return fmt.Errorf("loans of %s (HTTP %d, request %q): %w", account, apiErr.StatusCode, apiErr.RequestID, err)
	case err != nil:
		return fmt.Errorf("loans of %s: %w", account, err) // no answer: a *banklink.CallError
	}
	fmt.Fprintf(out, "DFCU: account %s (%s, customer %s): %d loan(s)\n",
		loans.Account, loans.CustomerName, loans.CustomerID, len(loans.Loans))
	for _, l := range loans.Loans {
		fmt.Fprintf(out, "  %-8s disbursed %s  outstanding UGX %d\n", l.ID, l.Disbursed.Format("2006-01-02"), l.Outstanding)
	}
	return nil
}
