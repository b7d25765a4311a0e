package fintivtest_test

import (
	"context"
	"fmt"
	"log"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/fintiv"
	"github.com/banklink/banklink-go/fintiv/fintivtest"
)

// A test of your own against the fake, with its API key and tenant.
func ExampleNewServer() {
	srv := fintivtest.NewServer()
	defer srv.Close()
	c, err := fintiv.New(banklink.WithBaseURL(srv.URL), fintiv.WithAPIKey(fintivtest.APIKey), fintiv.WithTenant(fintivtest.Tenant),
		fintiv.WithCredentials(fintivtest.Username, fintivtest.Password))
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseIdleConnections()
	me, err := c.Me(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.Username, srv.Grants("password"))
	// Output: test20190417 1
}
