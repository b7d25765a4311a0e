package demo

import (
	"context"
	"fmt"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/merchant"
	"github.com/banklink/banklink-go/merchant/merchanttest"
)

// MerchantUsage lists the variables the merchant flow reads.
const MerchantUsage = `Merchant: MERCHANT_BASE_URL, MERCHANT_EMAIL and MERCHANT_PASSWORD name a real
  wallet (login, refresh, logout; else an in-process fake); NIP_BASE_URL,
  NIP_USERNAME, NIP_PASSWORD, NIP_ACCOUNT and NIP_BANK a real NIP service for a
  name enquiry (NIP_INSECURE=1 allows a plain-http test URL). Nothing changes
  an account.`

// Merchant runs the merchant flow: login → refresh → NIP name enquiry →
// logout. The wallet part uses MERCHANT_BASE_URL, MERCHANT_EMAIL and
// MERCHANT_PASSWORD when set; the NIP part NIP_BASE_URL, NIP_USERNAME,
// NIP_PASSWORD, NIP_ACCOUNT and NIP_BANK (set NIP_INSECURE=1 to allow a
// plain-http test URL such as the documented one). Each falls back to a
// merchanttest fake when its variables are unset.
func Merchant(ctx context.Context, e Env) error {
	wenv, err := lookup(e.Getenv, "MERCHANT_BASE_URL", "MERCHANT_EMAIL", "MERCHANT_PASSWORD")
	if err != nil {
		return err
	}
	nenv, err := lookup(e.Getenv, "NIP_BASE_URL", "NIP_USERNAME", "NIP_PASSWORD", "NIP_ACCOUNT", "NIP_BANK")
	if err != nil {
		return err
	}
	if wenv == nil {
		w := merchanttest.NewWallet()
		defer w.Close()
		wenv = map[string]string{"MERCHANT_BASE_URL": w.URL, "MERCHANT_EMAIL": merchanttest.Email, "MERCHANT_PASSWORD": merchanttest.Password}
		fmt.Fprintf(e.Out, "Merchant: no MERCHANT_* variables set; using the in-process wallet fake at %s\n", w.URL)
	}
	nipOpts := []banklink.Option{}
	if nenv == nil {
		n := merchanttest.NewNIP()
		defer n.Close()
		nenv = map[string]string{"NIP_BASE_URL": n.URL, "NIP_USERNAME": merchanttest.NIPUsername, "NIP_PASSWORD": merchanttest.NIPPassword,
			"NIP_ACCOUNT": merchanttest.NIPAccount, "NIP_BANK": merchanttest.NIPBank}
		fmt.Fprintf(e.Out, "Merchant: no NIP_* variables set; using the in-process NIP fake at %s\n", n.URL)
	} else if e.Getenv("NIP_INSECURE") == "1" {
		nipOpts = append(nipOpts, banklink.WithInsecureHTTP())
	}

	c, err := merchant.New(banklink.WithBaseURL(wenv["MERCHANT_BASE_URL"]), merchant.WithCredentials(wenv["MERCHANT_EMAIL"], wenv["MERCHANT_PASSWORD"]),
		banklink.WithUserAgent("banklink-examples"))
	if err != nil {
		return err
	}
	defer c.CloseIdleConnections()
	if _, err := c.Login(ctx); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	a, _ := c.Account()
	fmt.Fprintf(e.Out, "Merchant: logged in as %s %s of %s (%s, review %s)\n", a.User.FirstName, a.User.LastName, a.Merchant.BusinessName, a.Merchant.Mode, a.Merchant.Review)
	if _, err := c.Refresh(ctx); err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	fmt.Fprintln(e.Out, "Merchant: session tokens refreshed (both rotated)")

	n, err := merchant.NewNIP(append(nipOpts, banklink.WithBaseURL(nenv["NIP_BASE_URL"]), merchant.WithNIPCredentials(nenv["NIP_USERNAME"], nenv["NIP_PASSWORD"]),
		banklink.WithUserAgent("banklink-examples"))...)
	if err != nil {
		return err
	}
	defer n.CloseIdleConnections()
	acct, err := n.AccountName(ctx, nenv["NIP_ACCOUNT"], nenv["NIP_BANK"])
	if err != nil {
		return fmt.Errorf("name enquiry: %w", err)
	}
	fmt.Fprintf(e.Out, "Merchant: NIP name enquiry: %s at bank %s is %q\n", acct.AccountNumber, acct.BankCode, acct.AccountName)

	if err := c.Logout(ctx); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	fmt.Fprintln(e.Out, "Merchant: logged out")
	return nil
}
