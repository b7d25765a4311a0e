package fintracttest_test

import (
	"context"
	"fmt"
	"log"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/fintract"
	"github.com/banklink/banklink-go/fintract/fintracttest"
)

// The two-step login against the fake: step 1 "mails" an OTP, which the
// fake hands to your test.
func ExampleServer_OTP() {
	srv := fintracttest.NewServer()
	defer srv.Close()
	c, err := fintract.New(banklink.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseIdleConnections()
	ctx := context.Background()
	ch, err := c.Login(ctx, fintract.LoginRequest{Email: fintracttest.CustomerEmail, Password: fintracttest.CustomerPassword})
	if err != nil {
		log.Fatal(err)
	}
	otp, _ := srv.OTP(fintracttest.CustomerEmail)
	s, err := c.VerifyOTP(ctx, ch.UserID, otp)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(s.Email == fintracttest.CustomerEmail, srv.Calls(fintracttest.RouteVerifyOTP))
	// Output: true 1
}
