// Command fintract runs the Fintract auth flow. Set FINTRACT_BASE_URL,
// FINTRACT_EMAIL and FINTRACT_PASSWORD to log in to a real server (the
// OTP from FINTRACT_OTP, else one line of standard input); it changes the
// account only when FINTRACT_NEW_NAME or FINTRACT_UPLOAD_FILE asks. With
// none set it runs register → login → OTP → info → update → upload →
// delete on the in-process fake. -h lists the variables.
//
//	go run ./examples/fintract
//
// The program is complete: copy it into your service and keep what you
// need (the fake fallback is for trying it out).
package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/fintract"
	"github.com/banklink/banklink-go/fintract/fintracttest"
)

const usage = `usage: fintract

Runs on an in-process fake unless environment variables name a real server:

Fintract: FINTRACT_BASE_URL, FINTRACT_EMAIL and FINTRACT_PASSWORD name a real
  server (else an in-process fake). The OTP is read from FINTRACT_OTP when set,
  else as one line from standard input (a terminal or a pipe). Against a real
  server the flow logs in and reads the user; it updates the user's name only
  when FINTRACT_NEW_NAME is set and uploads a file only when
  FINTRACT_UPLOAD_FILE names one. It never registers or deletes an account.
`

func main() {
	flag.Usage = func() { fmt.Fprint(flag.CommandLine.Output(), usage) }
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "fintract takes no arguments (see -h)")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, os.Stdin, os.Getenv); err != nil {
		fmt.Fprintf(os.Stderr, "Fintract failed: %v\n", err)
		stop()
		os.Exit(1)
	}
}

// run logs in with an OTP and reads the user, on a real server (changing
// only what FINTRACT_NEW_NAME and FINTRACT_UPLOAD_FILE ask) or on the fake
// (the whole lifecycle, from registration to deletion).
func run(ctx context.Context, out io.Writer, in io.Reader, getenv func(string) string) error {
	names := []string{"FINTRACT_BASE_URL", "FINTRACT_EMAIL", "FINTRACT_PASSWORD"}
	env := map[string]string{}
	var unset []string
	for _, n := range names {
		if v := getenv(n); v != "" {
			env[n] = v
		} else {
			unset = append(unset, n)
		}
	}
	newName, uploadPath := getenv("FINTRACT_NEW_NAME"), getenv("FINTRACT_UPLOAD_FILE")
	onFake := len(unset) == len(names)
	if !onFake && len(unset) > 0 {
		return errors.New("set all of " + strings.Join(names, ", ") + " to use a real server, or none to use the fake; missing: " + strings.Join(unset, ", "))
	}

	// A demo account on the fake, whose OTPs the fake's outbox holds.
	var srv *fintracttest.Server
	demo := fintract.RegisterRequest{
		Email: "jane.demo@example.com", Username: "JaneDemo", Name: "Jane", UserType: fintract.Customer,
		Password: "Demo@#pass1", Password2: "Demo@#pass1", Phone: "256700000001", Gender: fintract.Female,
	}
	if onFake {
		srv = fintracttest.NewServer()
		defer srv.Close()
		fmt.Fprintf(out, "Fintract: no FINTRACT_* variables set; using the in-process fake at %s\n", srv.URL)
		env = map[string]string{"FINTRACT_BASE_URL": srv.URL, "FINTRACT_EMAIL": demo.Email, "FINTRACT_PASSWORD": demo.Password}
	}

	c, err := fintract.New(banklink.WithBaseURL(env["FINTRACT_BASE_URL"]), banklink.WithUserAgent("banklink-examples"))
	if err != nil {
		return err
	}
	defer c.CloseIdleConnections()

	if onFake {
		u, err := c.Register(ctx, demo)
		if err != nil {
			return fmt.Errorf("register: %w", err)
		}
		fmt.Fprintf(out, "Fintract: registered user %d (%s), customer %s\n", u.ID, u.Username, u.CustomerID)
		srv.VerifyEmail(demo.Email) // what the link in the verification mail does
	}

	// The OTP: on the fake, from its outbox; else from FINTRACT_OTP, else
	// one line of standard input.
	lines := bufio.NewReader(in)
	otp := func(ch fintract.Challenge) (string, error) {
		if onFake {
			code, _ := srv.OTP(ch.Email)
			return code, nil
		}
		if code := strings.TrimSpace(getenv("FINTRACT_OTP")); code != "" {
			return code, nil
		}
		fmt.Fprintf(out, "Fintract: enter the OTP sent to %s: ", ch.Email)
		line, err := lines.ReadString('\n')
		if err != nil && (line == "" || !errors.Is(err, io.EOF)) {
			return "", fmt.Errorf("reading the OTP from standard input: %w", err)
		}
		return strings.TrimSpace(line), nil
	}

	// Login is two steps: the password (the server sends an OTP), then
	// the OTP, which gives the session. Neither is ever sent twice.
	ch, err := c.Login(ctx, fintract.LoginRequest{Email: env["FINTRACT_EMAIL"], Password: env["FINTRACT_PASSWORD"]})
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	fmt.Fprintf(out, "Fintract: OTP sent by %s for user %d\n", ch.OTPType, ch.UserID)
	code, err := otp(*ch)
	if err != nil {
		return err
	}
	s, err := c.VerifyOTP(ctx, ch.UserID, code)
	if err != nil {
		return fmt.Errorf("verify OTP: %w", err)
	}
	fmt.Fprintf(out, "Fintract: logged in as %s (%s); access token valid until %s\n", s.Username, s.UserType, s.AccessExpiry.Format("15:04:05 MST"))

	info, err := c.UserInfo(ctx, s.UserID)
	if err != nil {
		return fmt.Errorf("user info: %w", err)
	}
	fmt.Fprintf(out, "Fintract: %s <%s>, customer %s, net balance %s\n", info.Name, info.Email, info.CustomerID, info.NetBalance)

	// Changes: all of them on the fake, only those asked for elsewhere.
	var update *fintract.UserUpdate
	switch {
	case onFake:
		update = &fintract.UserUpdate{Country: new("Uganda"), Address: new("Plot 1, Kampala Road")}
	case newName != "":
		update = &fintract.UserUpdate{Name: new(newName)}
	}
	if update != nil {
		if err := c.UpdateUserInfo(ctx, s.UserID, *update); err != nil {
			return fmt.Errorf("update: %w", err)
		}
		fmt.Fprintln(out, "Fintract: user info updated")
	}

	var file *fintract.File
	switch {
	case onFake:
		file = &fintract.File{Name: "banklink-example.csv", Body: strings.NewReader("date,amount\n2026-11-24,1500\n")}
	case uploadPath != "":
		// An *os.File streams in constant memory, and can be sent again
		// after a failed connection because it can seek.
		f, err := os.Open(uploadPath)
		if err != nil {
			return fmt.Errorf("upload: %w", err)
		}
		defer f.Close()
		file = &fintract.File{Name: filepath.Base(uploadPath), Body: f}
	}
	if file != nil {
		url, err := c.UploadFile(ctx, *file)
		if err != nil {
			return fmt.Errorf("upload: %w", err)
		}
		fmt.Fprintf(out, "Fintract: uploaded a file to %s\n", url)
	}

	if onFake {
		if err := c.DeleteAccount(ctx); err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		fmt.Fprintln(out, "Fintract: account deleted")
	}
	return nil
}
