package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/banklink/banklink-go/dfcu"
)

func dfcuCmd(e *env) *cobra.Command {
	return group("dfcu", "DFCU loans API: log in, list an account's loans",
		`Commands on the DFCU loans API. They read DFCU_BASE_URL, DFCU_USERNAME and
DFCU_PASSWORD (or --base-url, --password-file, or a prompt on the terminal).`,
		dfcuLoansCmd(e), dfcuLoginCmd(e))
}

// dfcuClient builds a client from the flags, the environment and the
// session file.
func dfcuClient(e *env, c *common, restore bool) (*dfcu.Client, error) {
	base, err := e.setting(c.baseURL, "DFCU_BASE_URL", "base-url")
	if err != nil {
		return nil, err
	}
	opts := c.options(base)
	var s dfcu.Session
	restored := false
	if restore {
		if restored, err = loadSession(c.session, &s); err != nil {
			return nil, err
		}
	}
	if restored {
		opts = append(opts, dfcu.WithSession(s))
	}
	user, pw, err := e.credentials(c, restored, "DFCU_USERNAME", "DFCU_PASSWORD", "DFCU password: ")
	if err != nil {
		return nil, err
	}
	if user != "" {
		opts = append(opts, dfcu.WithCredentials(user, pw))
	}
	return dfcu.New(opts...)
}

func dfcuLoansCmd(e *env) *cobra.Command {
	var c common
	cmd := &cobra.Command{
		Use:     "loans ACCOUNT",
		Short:   "List an account's loans (closed ones may be listed)",
		Example: "  DFCU_BASE_URL=https://loans.example.com/ DFCU_USERNAME=ops banklink dfcu loans 1002000989",
		Args:    exactArgs("ACCOUNT"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := c.context(cmd)
			defer cancel()
			cl, err := dfcuClient(e, &c, true)
			if err != nil {
				return err
			}
			loans, err := cl.Loans(ctx, args[0])
			if err != nil {
				return err
			}
			rows := [][]string{{"LOAN", "DISBURSED", "OUTSTANDING (UGX)"}}
			for _, l := range loans.Loans {
				rows = append(rows, []string{l.ID, l.Disbursed.Format("2006-01-02"), itoa(l.Outstanding)})
			}
			if !e.json {
				e.printf("%s\n", loansHeading(loans))
			}
			if len(loans.Loans) > 0 || e.json {
				if err := e.emit(loans, rows); err != nil {
					return err
				}
			}
			// The result first: a session that cannot be saved is a failure of
			// its own (with a recovery file), never a lost answer.
			return keepSession(c.session, cl.Session)
		},
	}
	c.register(cmd, "DFCU_BASE_URL", true)
	return cmd
}

func dfcuLoginCmd(e *env) *cobra.Command {
	var c common
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in and save the session (with --session)",
		Args:  exactArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := c.context(cmd)
			defer cancel()
			cl, err := dfcuClient(e, &c, false) // a login never starts from the saved session

			if err != nil {
				return err
			}
			s, err := cl.Login(ctx)
			if err != nil {
				return err
			}
			if err := saveSession(c.session, s); err != nil {
				return err
			}
			return e.emit(sessionSummary("dfcu", s.AccessExpiry, s.RefreshExpiry, nil),
				kv("provider", "dfcu", "access expires", when(s.AccessExpiry), "refresh expires", when(s.RefreshExpiry), "saved to", orNone(c.session)))
		},
	}
	c.register(cmd, "DFCU_BASE_URL", true)
	return cmd
}

// sessionSummary is what --json prints of a session: never its tokens.
func sessionSummary(provider string, access, refresh time.Time, user any) map[string]any {
	out := map[string]any{"provider": provider, "user": user}
	if !access.IsZero() {
		out["access_expiry"] = access
	}
	if !refresh.IsZero() {
		out["refresh_expiry"] = refresh
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(not saved: give --session FILE)"
	}
	return s
}

// loansHeading is the line above the table: the account, and the customer
// when the server named one (an account without loans has none).
func loansHeading(l *dfcu.Loans) string {
	who := strings.TrimSpace(l.CustomerName)
	if l.CustomerID != "" {
		who = strings.TrimSpace(who + " (customer " + l.CustomerID + ")")
	}
	if who != "" {
		who = ": " + who
	}
	return fmt.Sprintf("Account %s%s, %d loan(s)", l.Account, who, len(l.Loans))
}
