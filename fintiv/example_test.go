package fintiv_test

import (
	"context"
	"errors"
	"fmt"
	"log"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/fintiv"
	"github.com/banklink/banklink-go/fintiv/fintivtest"
)

func ExampleNew() {
	srv := fintivtest.NewServer() // in production: your gateway's base URL
	defer srv.Close()
	c, err := fintiv.New(
		banklink.WithBaseURL(srv.URL),
		fintiv.WithAPIKey(fintivtest.APIKey),
		fintiv.WithTenant(fintivtest.Tenant),
		fintiv.WithCredentials(fintivtest.Username, fintivtest.Password),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseIdleConnections()

	me, err := c.Me(context.Background()) // logs in (password grant) first
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.Username, me.Status)
	// Output: test20190417 ACTIVE
}

func ExampleClient_ValidatePIN() {
	srv := fintivtest.NewServer()
	defer srv.Close()
	c, err := fintiv.New(banklink.WithBaseURL(srv.URL), fintiv.WithAPIKey(fintivtest.APIKey),
		fintiv.WithTenant(fintivtest.Tenant), fintiv.WithCredentials(fintivtest.Username, fintivtest.Password))
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseIdleConnections()
	ctx := context.Background()
	s, err := c.Login(ctx)
	if err != nil {
		log.Fatal(err)
	}

	ok, err := c.ValidatePIN(ctx, s.UUID, "1234")
	fmt.Println(ok, err)

	// A non-SUCCESS statusCode is an error even with HTTP 200.
	_, err = c.ValidatePIN(ctx, "another-user", "1234")
	var e *banklink.Error
	if errors.As(err, &e) {
		fmt.Println(e.StatusCode, e.Code, errors.Is(err, banklink.ErrInvalidRequest))
		fmt.Println(e.Detail.(*fintiv.ErrorDetail).AdditionalMessage)
	}
	// Output:
	// true <nil>
	// 200 VALIDATION true
	// You can't access different user's security information.
}

func ExampleDo() {
	srv := fintivtest.NewServer()
	defer srv.Close()
	c, err := fintiv.New(banklink.WithBaseURL(srv.URL), fintiv.WithAPIKey(fintivtest.APIKey), fintiv.WithTenant(fintivtest.Tenant))
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseIdleConnections()

	// Any service API under /auth/, with the same key, retries and envelope.
	type exists struct {
		UserExist bool `json:"userExist"`
	}
	got, err := fintiv.Do[exists](context.Background(), c, banklink.Request{
		Method: "GET", Path: "/auth/api/checkUserExist",
		Query: map[string][]string{"username": {"test20190417"}}, Idempotent: true,
	})
	fmt.Println(got.UserExist, err)
	// Output: true <nil>
}
