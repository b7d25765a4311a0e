package banklinktest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/banklinktest"
	"github.com/banklink/banklink-go/dfcu"
	"github.com/banklink/banklink-go/dfcu/dfcutest"
	"github.com/banklink/banklink-go/merchant"
	"github.com/banklink/banklink-go/merchant/merchanttest"
)

// Every fake embeds Controls: queue faults per route (or for any route),
// then count what your code sent.
func ExampleControls_InjectFaults() {
	nip := merchanttest.NewNIP()
	defer nip.Close()
	c, err := merchant.NewNIP(banklink.WithBaseURL(nip.URL), merchant.WithNIPCredentials(merchanttest.NIPUsername, merchanttest.NIPPassword),
		banklink.WithRetry(banklink.RetryPolicy{MinBackoff: 1, MaxBackoff: 1}))
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseIdleConnections()

	nip.InjectFaults(merchanttest.RouteNIPAccount,
		banklinktest.Fault{Status: http.StatusBadGateway, Body: "<html>bad gateway</html>"},
		banklinktest.Fault{Status: http.StatusTooManyRequests, RetryAfter: "0"},
	)
	acct, err := c.AccountName(context.Background(), merchanttest.NIPAccount, merchanttest.NIPBank)
	fmt.Println(acct.AccountName, err, nip.Calls(merchanttest.RouteNIPAccount))

	nip.InjectFaults(banklinktest.AnyRoute, banklinktest.Fault{Status: http.StatusUnauthorized, Body: `{"responseCode":"11","responseMessage":"Invalid credentials"}`})
	_, err = c.AccountName(context.Background(), merchanttest.NIPAccount, merchanttest.NIPBank)
	var e *banklink.Error
	if errors.As(err, &e) {
		fmt.Println(e.StatusCode, e.Code, errors.Is(err, banklink.ErrUnauthorized))
	}
	// Output:
	// NNAJI, JOSHUA & VIVIAN <nil> 3
	// 401 11 true
}

// Replace one route's answer in one line, here a DFCU business failure
// sent with HTTP 200, and count what your code sent.
func ExampleControls_Handle() {
	srv := dfcutest.NewServer()
	defer srv.Close()
	srv.Handle(dfcutest.RouteLoans, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"response": "Account is dormant"}`)
	}))
	c, err := dfcu.New(banklink.WithBaseURL(srv.URL), dfcu.WithCredentials(dfcutest.DefaultUsername, dfcutest.DefaultPassword))
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseIdleConnections()
	_, err = c.Loans(context.Background(), dfcutest.AccountWithLoans)
	var e *banklink.Error
	fmt.Println(errors.As(err, &e), e.Message, srv.Calls(dfcutest.RouteLoans))

	srv.Handle(dfcutest.RouteLoans, nil) // the fake's own answer again
	loans, err := c.Loans(context.Background(), dfcutest.AccountWithLoans)
	fmt.Println(err, len(loans.Loans), srv.Calls(dfcutest.RouteLoans))
	// Output:
	// true Account is dormant 1
	// <nil> 2 2
}
