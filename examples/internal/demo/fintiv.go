package demo

import (
	"context"
	"fmt"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/fintiv"
	"github.com/banklink/banklink-go/fintiv/fintivtest"
)

// FintivUsage lists the variables the Fintiv flow reads.
const FintivUsage = `Fintiv: FINTIV_BASE_URL, FINTIV_API_KEY, FINTIV_TENANT, FINTIV_USERNAME and
  FINTIV_PASSWORD name a real service (else an in-process fake). Against a real
  service the flow gets a token and reads the user; it validates a PIN only when
  FINTIV_PIN is set and changes the password only when FINTIV_NEW_PASSWORD is set.`

// Fintiv runs the Fintiv flow: token → myinfo → validate PIN → change
// password. With FINTIV_BASE_URL, FINTIV_API_KEY, FINTIV_TENANT,
// FINTIV_USERNAME and FINTIV_PASSWORD set it uses that service, validating
// a PIN only when FINTIV_PIN is set and changing the password only when
// FINTIV_NEW_PASSWORD is set (it never waits for input); else a fintivtest
// fake, where it does both.
func Fintiv(ctx context.Context, e Env) error {
	env, err := lookup(e.Getenv, "FINTIV_BASE_URL", "FINTIV_API_KEY", "FINTIV_TENANT", "FINTIV_USERNAME", "FINTIV_PASSWORD")
	if err != nil {
		return err
	}
	pin, newPassword := fintivtest.PIN, "Test2345!"
	if env == nil {
		srv := fintivtest.NewServer()
		defer srv.Close()
		env = map[string]string{
			"FINTIV_BASE_URL": srv.URL, "FINTIV_API_KEY": fintivtest.APIKey, "FINTIV_TENANT": fintivtest.Tenant,
			"FINTIV_USERNAME": fintivtest.Username, "FINTIV_PASSWORD": fintivtest.Password,
		}
		fmt.Fprintf(e.Out, "Fintiv: no FINTIV_* variables set; using the in-process fake at %s\n", srv.URL)
	} else {
		pin, newPassword = e.Getenv("FINTIV_PIN"), e.Getenv("FINTIV_NEW_PASSWORD")
	}
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
	fmt.Fprintf(e.Out, "Fintiv: token for user %s (%s), expires %s; password change required: %t\n",
		s.UUID, s.UserType, s.AccessExpiry.Format("15:04:05 MST"), s.NeedChangePassword)
	me, err := c.Me(ctx)
	if err != nil {
		return fmt.Errorf("myinfo: %w", err)
	}
	fmt.Fprintf(e.Out, "Fintiv: %s %s (%s), %s\n", me.FirstName, me.LastName, me.Username, me.Status)
	if pin != "" {
		ok, err := c.ValidatePIN(ctx, s.UUID, pin)
		if err != nil {
			return fmt.Errorf("validate PIN: %w", err)
		}
		fmt.Fprintf(e.Out, "Fintiv: PIN valid: %t\n", ok)
	}
	if newPassword == "" {
		return nil
	}
	if err := c.ChangePassword(ctx, env["FINTIV_PASSWORD"], newPassword); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	fmt.Fprintln(e.Out, "Fintiv: password changed")
	return nil
}
