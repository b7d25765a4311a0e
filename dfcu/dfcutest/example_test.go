package dfcutest_test

import (
	"context"
	"fmt"
	"log"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
)

// A test of your own against the fake: the client logs in by itself, and
// the fake counts what it was sent.
func ExampleNewServer() {
	srv := dfcutest.NewServer()
	defer srv.Close()
	c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword))
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseIdleConnections()
	loans, err := c.Loans(context.Background(), dfcutest.AccountWithLoans)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(loans.CustomerName, len(loans.Loans), srv.Calls(dfcutest.RouteToken), srv.Calls(dfcutest.RouteLoans))
	// Output: Paul Logan 2 1 1
}
