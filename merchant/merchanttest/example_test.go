package merchanttest_test

import (
	"context"
	"fmt"
	"log"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/merchant"
	"github.com/banklink/banklink-go/merchant/merchanttest"
)

// The wallet fake with reuse detection on: a spent refresh token presented
// again would revoke the whole token family, as RFC 9700 advises servers
// to, so a test sees the harm a client bug would do.
func ExampleNewWallet() {
	w := merchanttest.NewWallet(merchanttest.WithReuseDetection())
	defer w.Close()
	c, err := merchant.New(banklink.WithBaseURL(w.URL), merchant.WithCredentials(merchanttest.Email, merchanttest.Password))
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseIdleConnections()
	ctx := context.Background()
	if _, err := c.Login(ctx); err != nil {
		log.Fatal(err)
	}
	w.ExpireAccessTokens()
	_, err = merchant.Do[merchant.Merchant](ctx, c, banklink.Request{Method: "GET", Path: "merchant/profile", Auth: true, Idempotent: true})
	fmt.Println(err, w.Calls(merchanttest.RouteRefresh), w.Reuses())
	// Output: <nil> 1 0
}
