// Package demo holds the flows the example programs run, each against a
// real server when its environment variables are set and against the
// in-process fake otherwise.
package demo

import (
	"context"
	"fmt"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
)

// DFCUUsage lists the variables the DFCU flow reads.
const DFCUUsage = `DFCU: DFCU_BASE_URL, DFCU_USERNAME, DFCU_PASSWORD and DFCU_ACCOUNT name a real
  server and the account whose loans to print (else an in-process fake). It
  only reads.`

// DFCU logs in and prints the loans of an account. It uses DFCU_BASE_URL,
// DFCU_USERNAME, DFCU_PASSWORD and DFCU_ACCOUNT when all are set, else a
// dfcutest fake.
func DFCU(ctx context.Context, e Env) error {
	w := e.Out
	env, err := lookup(e.Getenv, "DFCU_BASE_URL", "DFCU_USERNAME", "DFCU_PASSWORD", "DFCU_ACCOUNT")
	if err != nil {
		return err
	}
	if env == nil {
		srv := dfcutest.NewServer()
		defer srv.Close()
		env = map[string]string{
			"DFCU_BASE_URL": srv.URL, "DFCU_USERNAME": dfcutest.DefaultUsername,
			"DFCU_PASSWORD": dfcutest.DefaultPassword, "DFCU_ACCOUNT": dfcutest.AccountWithLoans,
		}
		fmt.Fprintf(w, "DFCU: no DFCU_* variables set; using the in-process fake at %s\n", srv.URL)
	}
	c, err := dfcu.New(
		banklink.WithBaseURL(env["DFCU_BASE_URL"]),
		dfcu.WithCredentials(env["DFCU_USERNAME"], env["DFCU_PASSWORD"]),
		banklink.WithUserAgent("banklink-examples"),
	)
	if err != nil {
		return err
	}
	defer c.CloseIdleConnections()

	if _, err := c.Login(ctx); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	fmt.Fprintln(w, "DFCU: logged in")
	loans, err := c.Loans(ctx, env["DFCU_ACCOUNT"])
	if err != nil {
		return fmt.Errorf("loans of %s: %w", env["DFCU_ACCOUNT"], err)
	}
	fmt.Fprintf(w, "DFCU: account %s (%s, customer %s): %d loan(s)\n",
		loans.Account, loans.CustomerName, loans.CustomerID, len(loans.Loans))
	for _, l := range loans.Loans {
		fmt.Fprintf(w, "  %-8s disbursed %s  outstanding UGX %d\n", l.ID, l.Disbursed.Format("2006-01-02"), l.Outstanding)
	}
	return nil
}
