// Command merchant runs the merchant flow: wallet login → refresh → NIP
// name enquiry → logout. Set MERCHANT_BASE_URL, MERCHANT_EMAIL and
// MERCHANT_PASSWORD for a real wallet, and NIP_BASE_URL, NIP_USERNAME,
// NIP_PASSWORD, NIP_ACCOUNT and NIP_BANK for a real NIP service (NIP_INSECURE=1
// allows a plain-http test URL); unset, each part runs on an in-process fake.
//
//	go run ./examples/merchant
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
	"github.com/banklink/banklink-go/merchant"
	"github.com/banklink/banklink-go/merchant/merchanttest"
)

const usage = `usage: merchant

Runs on in-process fakes unless environment variables name real servers:

Merchant: MERCHANT_BASE_URL, MERCHANT_EMAIL and MERCHANT_PASSWORD name a real
  wallet (login, refresh, logout; else an in-process fake); NIP_BASE_URL,
  NIP_USERNAME, NIP_PASSWORD, NIP_ACCOUNT and NIP_BANK a real NIP service for a
  name enquiry (NIP_INSECURE=1 allows a plain-http test URL). Nothing changes
  an account.
`

func main() {
	flag.Usage = func() { fmt.Fprint(flag.CommandLine.Output(), usage) }
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "merchant takes no arguments (see -h)")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Getenv); err != nil {
		fmt.Fprintf(os.Stderr, "Merchant failed: %v\n", err)
		stop()
		os.Exit(1)
	}
}

// run logs in to the wallet, refreshes, asks NIP whose an account is and
// logs out. Nothing changes an account.
func run(ctx context.Context, out io.Writer, getenv func(string) string) error {
	wallet, err := vars(getenv, "MERCHANT_BASE_URL", "MERCHANT_EMAIL", "MERCHANT_PASSWORD")
	if err != nil {
		return err
	}
	nip, err := vars(getenv, "NIP_BASE_URL", "NIP_USERNAME", "NIP_PASSWORD", "NIP_ACCOUNT", "NIP_BANK")
	if err != nil {
		return err
	}
	if wallet == nil {
		w := merchanttest.NewWallet()
		defer w.Close()
		wallet = map[string]string{"MERCHANT_BASE_URL": w.URL, "MERCHANT_EMAIL": merchanttest.Email, "MERCHANT_PASSWORD": merchanttest.Password}
		fmt.Fprintf(out, "Merchant: no MERCHANT_* variables set; using the in-process wallet fake at %s\n", w.URL)
	}
	var nipOpts []banklink.Option
	if nip == nil {
		n := merchanttest.NewNIP()
		defer n.Close()
		nip = map[string]string{"NIP_BASE_URL": n.URL, "NIP_USERNAME": merchanttest.NIPUsername, "NIP_PASSWORD": merchanttest.NIPPassword,
			"NIP_ACCOUNT": merchanttest.NIPAccount, "NIP_BANK": merchanttest.NIPBank}
		fmt.Fprintf(out, "Merchant: no NIP_* variables set; using the in-process NIP fake at %s\n", n.URL)
	} else if getenv("NIP_INSECURE") == "1" {
		// The documented test URL is plain http to a public host, where the
		// credentials in each body cross the network in clear: opt in.
		nipOpts = append(nipOpts, banklink.WithInsecureHTTP())
	}

	// The wallet client sends both tokens on every authenticated call and
	// takes the rotated pair from every answer; one refresh runs however
	// many goroutines find the pair refused.
	c, err := merchant.New(
		banklink.WithBaseURL(wallet["MERCHANT_BASE_URL"]),
		merchant.WithCredentials(wallet["MERCHANT_EMAIL"], wallet["MERCHANT_PASSWORD"]),
		banklink.WithUserAgent("banklink-examples"),
	)
	if err != nil {
		return err
	}
	defer c.CloseIdleConnections()
	if _, err := c.Login(ctx); err != nil {
		return fmt.Errorf("login: %w", err)
	}
	a, _ := c.Account()
	fmt.Fprintf(out, "Merchant: logged in as %s %s of %s (%s, review %s)\n", a.User.FirstName, a.User.LastName, a.Merchant.BusinessName, a.Merchant.Mode, a.Merchant.Review)
	if _, err := c.Refresh(ctx); err != nil {
		return fmt.Errorf("refresh: %w", err)
	}
	fmt.Fprintln(out, "Merchant: session tokens refreshed (both rotated)")

	n, err := merchant.NewNIP(append(nipOpts,
		banklink.WithBaseURL(nip["NIP_BASE_URL"]),
		merchant.WithNIPCredentials(nip["NIP_USERNAME"], nip["NIP_PASSWORD"]),
		banklink.WithUserAgent("banklink-examples"))...)
	if err != nil {
		return err
	}
	defer n.CloseIdleConnections()
	acct, err := n.AccountName(ctx, nip["NIP_ACCOUNT"], nip["NIP_BANK"])
	switch {
	case errors.Is(err, merchant.ErrIndeterminate):
		return fmt.Errorf("name enquiry: the outcome is unknown, ask again later: %w", err)
	case err != nil:
		return fmt.Errorf("name enquiry: %w", err)
	}
	fmt.Fprintf(out, "Merchant: NIP name enquiry: %s at bank %s is %q\n", acct.AccountNumber, acct.BankCode, acct.AccountName)

	if err := c.Logout(ctx); err != nil {
		return fmt.Errorf("logout: %w", err)
	}
	fmt.Fprintln(out, "Merchant: logged out")
	return nil
}

// vars returns the named variables when all are set, nil when none is, and
// an error naming the missing ones when only some are.
func vars(getenv func(string) string, names ...string) (map[string]string, error) {
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
	case 0:
		return env, nil
	case len(names):
		return nil, nil
	}
	return nil, errors.New("set all of " + strings.Join(names, ", ") + " to use a real server, or none to use the fake; missing: " + strings.Join(unset, ", "))
}
