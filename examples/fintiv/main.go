// Command fintiv gets a token from the Fintiv authentication service,
// reads the user, validates a PIN and changes the password. Set
// FINTIV_BASE_URL, FINTIV_API_KEY, FINTIV_TENANT, FINTIV_USERNAME and
// FINTIV_PASSWORD to use a real service (FINTIV_PIN to validate a PIN,
// FINTIV_NEW_PASSWORD to change the password); with none set it runs on
// the in-process fake, where it does both.
//
//	go run ./examples/fintiv
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
	"os"
	"os/signal"
	"strings"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/fintiv"
	"github.com/banklink/banklink-go/fintiv/fintivtest"
)

const usage = `usage: fintiv

Runs on an in-process fake unless environment variables name a real server:

Fintiv: FINTIV_BASE_URL, FINTIV_API_KEY, FINTIV_TENANT, FINTIV_USERNAME and
  FINTIV_PASSWORD name a real service (else an in-process fake). Against a real
  service the flow gets a token and reads the user; it validates a PIN only when
  FINTIV_PIN is set and changes the password only when FINTIV_NEW_PASSWORD is set.
`

func main() {
	flag.Usage = func() { fmt.Fprint(flag.CommandLine.Output(), usage) }
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "fintiv takes no arguments (see -h)")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Getenv); err != nil {
		fmt.Fprintf(os.Stderr, "Fintiv failed: %v\n", err)
		stop()
		os.Exit(1)
	}
}

// run gets a token, reads the user, and validates a PIN and changes the
// password when asked (always on the fake). It never waits for input.
func run(ctx context.Context, out io.Writer, getenv func(string) string) error {
	names := []string{"FINTIV_BASE_URL", "FINTIV_API_KEY", "FINTIV_TENANT", "FINTIV_USERNAME", "FINTIV_PASSWORD"}
	env := map[string]string{}
	var unset []string
	for _, n := range names {
		if v := getenv(n); v != "" {
			env[n] = v
		} else {
			unset = append(unset, n)
		}
	}
	pin, newPassword := getenv("FINTIV_PIN"), getenv("FINTIV_NEW_PASSWORD")
	switch len(unset) {
	case len(names):
		// Nothing configured: try it out on the fake, with its demo user.
		srv := fintivtest.NewServer()
		defer srv.Close()
		env = map[string]string{
			"FINTIV_BASE_URL": srv.URL, "FINTIV_API_KEY": fintivtest.APIKey, "FINTIV_TENANT": fintivtest.Tenant,
			"FINTIV_USERNAME": fintivtest.Username, "FINTIV_PASSWORD": fintivtest.Password,
		}
		pin, newPassword = fintivtest.PIN, "Test2345!"
		fmt.Fprintf(out, "Fintiv: no FINTIV_* variables set; using the in-process fake at %s\n", srv.URL)
	case 0:
	default:
		return errors.New("set all of " + strings.Join(names, ", ") + " to use a real server, or none to use the fake; missing: " + strings.Join(unset, ", "))
	}

	// The client sends the APP key and tenant on every request, logs in
	// with the password grant on first use and refreshes before expires_in.
	c, err := fintiv.New(
		banklink.WithBaseURL(env["FINTIV_BASE_URL"]),
		fintiv.WithAPIKey(env["FINTIV_API_KEY"]),
		fintiv.WithTenant(env["FINTIV_TENANT"]),
		fintiv.WithCredentials(env["FINTIV_USERNAME"], env["FINTIV_PASSWORD"]),
		banklink.WithUserAgent("banklink-examples"),
	)
	if err != nil {
		return err
	}
	defer c.CloseIdleConnections()

	s, err := c.Login(ctx)
	if err != nil {
		return fmt.Errorf("token: %w", err)
	}
	fmt.Fprintf(out, "Fintiv: token for user %s (%s), expires %s; password change required: %t\n",
		s.UUID, s.UserType, s.AccessExpiry.Format("15:04:05 MST"), s.NeedChangePassword)
	me, err := c.Me(ctx)
	if err != nil {
		return fmt.Errorf("myinfo: %w", err)
	}
	fmt.Fprintf(out, "Fintiv: %s %s (%s), %s\n", me.FirstName, me.LastName, me.Username, me.Status)

	if pin != "" {
		// A wrong PIN is false, not an error; a non-SUCCESS statusCode is
		// a *banklink.Error even under HTTP 200.
		ok, err := c.ValidatePIN(ctx, s.UUID, pin)
		if err != nil {
			return fmt.Errorf("validate PIN: %w", err)
		}
		fmt.Fprintf(out, "Fintiv: PIN valid: %t\n", ok)
	}
	if newPassword == "" {
		return nil
	}
	if err := c.ChangePassword(ctx, env["FINTIV_PASSWORD"], newPassword); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	fmt.Fprintln(out, "Fintiv: password changed")
	return nil
}
