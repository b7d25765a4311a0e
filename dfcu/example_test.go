package dfcu_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"strings"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
)

func ExampleNew() {
	// In production: banklink.WithBaseURL("https://<your DFCU host>/").
	srv := dfcutest.NewServer()
	defer srv.Close()

	c, err := dfcu.New(
		banklink.WithBaseURL(srv.URL),
		dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword),
		banklink.WithUserAgent("loan-desk/1.0"),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseIdleConnections()
	fmt.Println("client ready")
	// Output: client ready
}

func ExampleClient_Login() {
	srv := dfcutest.NewServer()
	defer srv.Close()
	c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword))
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseIdleConnections()

	// Optional: calls log in by themselves. Logging in early checks the
	// credentials; the session can be saved and restored with WithSession.
	session, err := c.Login(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("refresh token outlives access token:", session.RefreshExpiry.After(session.AccessExpiry))
	fmt.Println("fmt prints the token:", strings.Contains(fmt.Sprintf("%+v", session), session.Access))
	// Output:
	// refresh token outlives access token: true
	// fmt prints the token: false
}

func ExampleClient_Loans() {
	srv := dfcutest.NewServer()
	defer srv.Close()
	c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword))
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseIdleConnections()
	ctx := context.Background()

	loans, err := c.Loans(ctx, "1002000989")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(loans.CustomerName)
	for _, l := range loans.Loans {
		fmt.Printf("%s %s UGX %d\n", l.ID, l.Disbursed.Format("2006-01-02"), l.Outstanding)
	}

	_, err = c.Loans(ctx, "9999999999")
	fmt.Println("unknown account:", errors.Is(err, banklink.ErrNotFound))
	// Output:
	// Paul Logan
	// L000001 2023-03-01 UGX 2000000
	// L000002 2023-03-15 UGX 750000
	// unknown account: true
}
