package fintract_test

import (
	"context"
	"fmt"
	"log"
	"strings"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/fintract"
	"github.com/banklink/banklink-go/fintract/fintracttest"
)

// The two-step login: the password sends an OTP, the OTP starts the session.
func ExampleClient_Login() {
	srv := fintracttest.NewServer() // in production: leave WithBaseURL out
	defer srv.Close()
	c, err := fintract.New(banklink.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseIdleConnections()
	ctx := context.Background()

	challenge, err := c.Login(ctx, fintract.LoginRequest{
		Email:    fintracttest.CustomerEmail,
		Password: fintracttest.CustomerPassword,
		OTPType:  fintract.OTPByEmail,
	})
	if err != nil {
		log.Fatal(err)
	}
	otp, _ := srv.OTP(challenge.Email) // a real user reads it from their inbox
	session, err := c.VerifyOTP(ctx, challenge.UserID, otp)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(session.Username, session.UserType)

	info, err := c.UserInfo(ctx, session.UserID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(info.Email, info.NetBalance)
	// Output:
	// JohnDoe0303 CUSTOMER
	// johndoe@example.com 1500
}

// A client that logs in again by itself when its session can no longer be
// refreshed, asking a callback for the OTP.
func ExampleWithOTPCallback() {
	srv := fintracttest.NewServer()
	defer srv.Close()
	login := fintract.LoginRequest{Email: fintracttest.CustomerEmail, Password: fintracttest.CustomerPassword}
	c, err := fintract.New(
		banklink.WithBaseURL(srv.URL),
		fintract.WithCredentials(login),
		fintract.WithOTPCallback(func(ctx context.Context, ch fintract.Challenge) (string, error) {
			otp, _ := srv.OTP(ch.Email) // e.g. prompt an operator, or read a test inbox
			return otp, nil
		}),
	)
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseIdleConnections()

	// No session yet: the first call logs in through the callback.
	if err := c.UpdateUsername(context.Background(), "JohnDoe0304", "John D"); err != nil {
		log.Fatal(err)
	}
	s, _ := c.Session()
	fmt.Println("logged in as user", s.UserID)
	// Output: logged in as user 93
}

func ExampleClient_UploadFile() {
	srv := fintracttest.NewServer()
	defer srv.Close()
	c, err := fintract.New(banklink.WithBaseURL(srv.URL))
	if err != nil {
		log.Fatal(err)
	}
	defer c.CloseIdleConnections()
	ctx := context.Background()
	ch, _ := c.Login(ctx, fintract.LoginRequest{Email: fintracttest.CustomerEmail, Password: fintracttest.CustomerPassword})
	otp, _ := srv.OTP(ch.Email)
	if _, err := c.VerifyOTP(ctx, ch.UserID, otp); err != nil {
		log.Fatal(err)
	}

	// Any io.Reader streams; an *os.File or other io.ReadSeeker can also be
	// retried after a failed connection.
	url, err := c.UploadFile(ctx, fintract.File{Name: "statement.csv", Body: strings.NewReader("date,amount\n2026-11-01,1500\n")})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(strings.HasSuffix(url, ".csv"))
	// Output: true
}
