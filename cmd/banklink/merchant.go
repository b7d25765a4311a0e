package main

import (
	"github.com/spf13/cobra"

	"github.com/banklink/banklink-go/merchant"
)

func merchantCmd(e *env) *cobra.Command {
	return group("merchant", "Merchant wallet login, and the bank's NIP name enquiry",
		`Commands on the merchant wallet (MERCHANT_BASE_URL, default the documented one;
MERCHANT_EMAIL, MERCHANT_PASSWORD) and on the NIP name enquiry service
(NIP_BASE_URL, NIP_USERNAME, NIP_PASSWORD; NIP_INSECURE=1 or --insecure for
the documented plain-http test URL).`,
		merchantLoginCmd(e), merchantNIPCmd(e))
}

func merchantLoginCmd(e *env) *cobra.Command {
	var c common
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in to the wallet and save the session pair (with --session)",
		Args:  exactArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := c.context(cmd)
			defer cancel()
			base := c.baseOr(e, "MERCHANT_BASE_URL", merchant.DefaultBaseURL)
			email := e.getenv("MERCHANT_EMAIL")
			if email == "" {
				return usagef("set MERCHANT_EMAIL")
			}
			pw, err := e.secret("MERCHANT_PASSWORD", c.passwordFile, "Wallet password: ")
			if err != nil {
				return err
			}
			cl, err := merchant.New(append(c.options(base), merchant.WithCredentials(email, pw))...)
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
			a, _ := cl.Account()
			return e.emit(map[string]any{"provider": "merchant", "user": a.User, "merchant": a.Merchant},
				kv("provider", "merchant", "user", a.User.FirstName+" "+a.User.LastName+" <"+a.User.Email+">",
					"merchant", a.Merchant.BusinessName+" ("+a.Merchant.Mode+", review "+a.Merchant.Review+")", "saved to", orNone(c.session)))
		},
	}
	c.register(cmd, "MERCHANT_BASE_URL", true)
	return cmd
}

func merchantNIPCmd(e *env) *cobra.Command {
	var c common
	cmd := &cobra.Command{
		Use:     "nip ACCOUNT BANK",
		Short:   "Whose account is this: a NIP name enquiry (10-digit NUBAN, 6-digit bank code)",
		Example: `  NIP_BASE_URL=https://nip.example/postingrest/ NIP_USERNAME=svc banklink merchant nip 1018996198 110000`,
		Args:    exactArgs("ACCOUNT", "BANK"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := c.context(cmd)
			defer cancel()
			base, err := e.setting(c.baseURL, "NIP_BASE_URL", "base-url")
			if err != nil {
				return err
			}
			user := e.getenv("NIP_USERNAME")
			if user == "" {
				return usagef("set NIP_USERNAME")
			}
			pw, err := e.secret("NIP_PASSWORD", c.passwordFile, "NIP password: ")
			if err != nil {
				return err
			}
			c.insecure = c.insecure || e.getenv("NIP_INSECURE") == "1"
			n, err := merchant.NewNIP(append(c.options(base), merchant.WithNIPCredentials(user, pw))...)
			if err != nil {
				return err
			}
			acct, err := n.AccountName(ctx, args[0], args[1])
			if err != nil {
				return err
			}
			return e.emit(acct, [][]string{{"ACCOUNT", "BANK", "NAME"}, {acct.AccountNumber, acct.BankCode, acct.AccountName}})
		},
	}
	c.register(cmd, "NIP_BASE_URL", false)
	return cmd
}
