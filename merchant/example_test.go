package merchant_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/merchant"
	"github.com/banklink/banklink-go/merchant/merchanttest"
)

func ExampleNew() {
	wallet := merchanttest.NewWallet() // in production: leave WithBaseURL out
	defer wallet.Close()
	c, err := merchant.New(
		banklink.WithBaseURL(wallet.URL),
		merchant.WithCredentials(merchanttest.Email, merchanttest.Password), // plain text; the client base64-encodes
	)
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseIdleConnections()
	ctx := context.Background()

	if _, err := c.Login(ctx); err != nil {
		log.Fatal(err)
	}
	account, _ := c.Account()
	fmt.Println(account.Merchant.BusinessName, account.Merchant.Mode)
	if err := c.Logout(ctx); err != nil {
		log.Fatal(err)
	}
	// Output: Caleb SANDBOX
}

func ExampleNIPClient_AccountName() {
	nip := merchanttest.NewNIP()
	defer nip.Close()
	n, err := merchant.NewNIP(
		banklink.WithBaseURL(nip.URL), // the documented test URL is plain http: add banklink.WithInsecureHTTP() to use it
		merchant.WithNIPCredentials(merchanttest.NIPUsername, merchanttest.NIPPassword),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer n.CloseIdleConnections()
	ctx := context.Background()

	acct, err := n.AccountName(ctx, "1018996198", "110000")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(acct.AccountName)

	_, err = n.AccountName(ctx, "0000000000", "110000")
	var e *banklink.Error
	if errors.As(err, &e) {
		fmt.Println(e.Code, e.Message, errors.Is(err, banklink.ErrNotFound))
	}
	// Output:
	// NNAJI, JOSHUA & VIVIAN
	// 07 Invalid Account true
}
