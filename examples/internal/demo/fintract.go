package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/fintract"
	"github.com/banklink/banklink-go/fintract/fintracttest"
)

// FintractUsage lists the variables the Fintract flow reads.
const FintractUsage = `Fintract: FINTRACT_BASE_URL, FINTRACT_EMAIL and FINTRACT_PASSWORD name a real
  server (else an in-process fake). The OTP is read from FINTRACT_OTP when set,
  else as one line from standard input (a terminal or a pipe). Against a real
  server the flow logs in and reads the user; it updates the user's name only
  when FINTRACT_NEW_NAME is set and uploads a file only when
  FINTRACT_UPLOAD_FILE names one. It never registers or deletes an account.`

// Fintract runs the Fintract flow. With FINTRACT_BASE_URL, FINTRACT_EMAIL
// and FINTRACT_PASSWORD set it logs in to that server (the OTP from
// FINTRACT_OTP, else one line of standard input) and reads the user; it
// changes the account only as FINTRACT_NEW_NAME and FINTRACT_UPLOAD_FILE
// ask. Without them it runs the whole lifecycle on a fintracttest fake:
// register, verify, login, OTP, info, update, upload, delete.
func Fintract(ctx context.Context, e Env) error {
	env, err := lookup(e.Getenv, "FINTRACT_BASE_URL", "FINTRACT_EMAIL", "FINTRACT_PASSWORD")
	if err != nil {
		return err
	}
	if env != nil {
		c, err := fintract.New(banklink.WithBaseURL(env["FINTRACT_BASE_URL"]), banklink.WithUserAgent("banklink-examples"))
		if err != nil {
			return err
		}
		defer c.CloseIdleConnections()
		otp := func(ch fintract.Challenge) (string, error) {
			if code := strings.TrimSpace(e.Getenv("FINTRACT_OTP")); code != "" {
				return code, nil
			}
			return e.ask(fmt.Sprintf("Fintract: enter the OTP sent to %s: ", ch.Email))
		}
		changes := fintractChanges{name: e.Getenv("FINTRACT_NEW_NAME"), upload: e.Getenv("FINTRACT_UPLOAD_FILE")}
		return fintractSession(ctx, e, c, fintract.LoginRequest{Email: env["FINTRACT_EMAIL"], Password: env["FINTRACT_PASSWORD"]}, otp, changes)
	}

	srv := fintracttest.NewServer()
	defer srv.Close()
	fmt.Fprintf(e.Out, "Fintract: no FINTRACT_* variables set; using the in-process fake at %s\n", srv.URL)
	c, err := fintract.New(banklink.WithBaseURL(srv.URL), banklink.WithUserAgent("banklink-examples"))
	if err != nil {
		return err
	}
	defer c.CloseIdleConnections()
	reg := fintract.RegisterRequest{
		Email: "jane.demo@example.com", Username: "JaneDemo", Name: "Jane", UserType: fintract.Customer,
		Password: "Demo@#pass1", Password2: "Demo@#pass1", Phone: "256700000001", Gender: fintract.Female,
	}
	u, err := c.Register(ctx, reg)
	if err != nil {
		return fmt.Errorf("register: %w", err)
	}
	fmt.Fprintf(e.Out, "Fintract: registered user %d (%s), customer %s\n", u.ID, u.Username, u.CustomerID)
	srv.VerifyEmail(reg.Email) // what the link in the verification mail does
	otp := func(ch fintract.Challenge) (string, error) {
		code, _ := srv.OTP(ch.Email) // the fake's outbox
		return code, nil
	}
	return fintractSession(ctx, e, c, fintract.LoginRequest{Email: reg.Email, Password: reg.Password}, otp, fintractChanges{fake: true})
}

// fintractChanges are the changes a session may make: all of them on the
// fake, only those a variable asks for on a real server.
type fintractChanges struct {
	fake   bool
	name   string // a new name
	upload string // a file to upload
}

func fintractSession(ctx context.Context, e Env, c *fintract.Client, login fintract.LoginRequest, otp func(fintract.Challenge) (string, error), changes fintractChanges) error {
	ch, err := c.Login(ctx, login)
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	fmt.Fprintf(e.Out, "Fintract: OTP sent by %s for user %d\n", ch.OTPType, ch.UserID)
	code, err := otp(*ch)
	if err != nil {
		return err
	}
	s, err := c.VerifyOTP(ctx, ch.UserID, code)
	if err != nil {
		return fmt.Errorf("verify OTP: %w", err)
	}
	fmt.Fprintf(e.Out, "Fintract: logged in as %s (%s); access token valid until %s\n", s.Username, s.UserType, s.AccessExpiry.Format("15:04:05 MST"))

	info, err := c.UserInfo(ctx, s.UserID)
	if err != nil {
		return fmt.Errorf("user info: %w", err)
	}
	fmt.Fprintf(e.Out, "Fintract: %s <%s>, customer %s, net balance %s\n", info.Name, info.Email, info.CustomerID, info.NetBalance)

	var update *fintract.UserUpdate
	switch {
	case changes.fake:
		update = &fintract.UserUpdate{Country: new("Uganda"), Address: new("Plot 1, Kampala Road")}
	case changes.name != "":
		update = &fintract.UserUpdate{Name: new(changes.name)}
	}
	if update != nil {
		if err := c.UpdateUserInfo(ctx, s.UserID, *update); err != nil {
			return fmt.Errorf("update: %w", err)
		}
		fmt.Fprintln(e.Out, "Fintract: user info updated")
	}

	var file *fintract.File
	switch {
	case changes.fake:
		file = &fintract.File{Name: "banklink-example.csv", Body: strings.NewReader("date,amount\n2026-11-24,1500\n")}
	case changes.upload != "":
		f, err := os.Open(changes.upload)
		if err != nil {
			return fmt.Errorf("upload: %w", err)
		}
		defer f.Close()
		file = &fintract.File{Name: filepath.Base(changes.upload), Body: f}
	}
	if file != nil {
		url, err := c.UploadFile(ctx, *file)
		if err != nil {
			return fmt.Errorf("upload: %w", err)
		}
		fmt.Fprintf(e.Out, "Fintract: uploaded a file to %s\n", url)
	}

	if changes.fake {
		if err := c.DeleteAccount(ctx); err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		fmt.Fprintln(e.Out, "Fintract: account deleted")
	}
	return nil
}
