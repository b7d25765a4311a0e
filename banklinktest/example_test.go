package banklinktest_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/banklinktest"
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
