package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/banklink/banklink-go/fintract"
)

func fintractCmd(e *env) *cobra.Command {
	return group("fintract", "Fintract auth API: OTP login, user info, uploads",
		`Commands on the Fintract auth API. They read FINTRACT_BASE_URL (default: the
documented one), FINTRACT_EMAIL and FINTRACT_PASSWORD; login asks for the OTP
on the terminal without echo unless FINTRACT_OTP gives it. Save the session
with --session FILE and give it to info and upload.`,
		fintractLoginCmd(e), fintractInfoCmd(e), fintractUploadCmd(e))
}

func fintractClient(e *env, c *common, restore bool) (*fintract.Client, fintract.Session, error) {
	base := c.baseOr(e, "FINTRACT_BASE_URL", fintract.DefaultBaseURL)
	opts := c.options(base)
	var s fintract.Session
	if restore {
		ok, err := loadSession(c.session, &s)
		if err != nil {
			return nil, s, err
		}
		if !ok {
			return nil, s, usagef("no session: run 'banklink fintract login --session FILE' first, and give --session FILE")
		}
		opts = append(opts, fintract.WithSession(s))
	}
	cl, err := fintract.New(opts...)
	return cl, s, err
}

func fintractLoginCmd(e *env) *cobra.Command {
	var c common
	cmd := &cobra.Command{
		Use:   "login",
		Short: "Log in with the password, then the OTP the server sends",
		Long: `login sends the password (the server then mails or texts an OTP), reads the
OTP from FINTRACT_OTP, else asks for it on the terminal without echo (or
reads one line of standard input when it is not a terminal), and saves the
session to --session FILE.`,
		Example: "  FINTRACT_EMAIL=me@example.com banklink fintract login --session ~/.fintract.json",
		Args:    exactArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := c.context(cmd)
			defer cancel()
			email := e.getenv("FINTRACT_EMAIL")
			if email == "" {
				return usagef("set FINTRACT_EMAIL")
			}
			if err := e.otpSource(); err != nil {
				return err // before step 1: a user is never mailed an OTP nobody can type
			}
			pw, err := e.secret("FINTRACT_PASSWORD", c.passwordFile, "Fintract password: ")
			if err != nil {
				return err
			}
			cl, _, err := fintractClient(e, &c, false)
			if err != nil {
				return err
			}
			ch, err := cl.Login(ctx, fintract.LoginRequest{Email: email, Password: pw})
			if err != nil {
				return err
			}
			if !e.json {
				fmt.Fprintf(e.errOut, "An OTP was sent by %s to %s.\n", ch.OTPType, ch.Email)
			}
			otp, err := e.otp()
			if err != nil {
				return err
			}
			s, err := cl.VerifyOTP(ctx, ch.UserID, otp)
			if err != nil {
				return err
			}
			if err := saveSession(c.session, s); err != nil {
				return err
			}
			return e.emit(sessionSummary("fintract", s.AccessExpiry, s.RefreshExpiry, s.SessionUser),
				kv("provider", "fintract", "user", fmt.Sprintf("%d %s <%s> (%s)", s.UserID, s.Username, s.Email, s.UserType),
					"access expires", when(s.AccessExpiry), "refresh expires", when(s.RefreshExpiry), "saved to", orNone(c.session)))
		},
	}
	c.register(cmd, "FINTRACT_BASE_URL", true)
	return cmd
}

func fintractInfoCmd(e *env) *cobra.Command {
	var c common
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Show the session user's details",
		Args:  exactArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := c.context(cmd)
			defer cancel()
			cl, s, err := fintractClient(e, &c, true)
			if err != nil {
				return err
			}
			info, err := cl.UserInfo(ctx, s.UserID)
			if err != nil {
				return err
			}
			if err := e.emit(info, kv("id", itoa(int64(info.ID)), "username", info.Username, "name", info.Name, "email", info.Email,
				"customer", info.CustomerID, "net balance", info.NetBalance.String(), "verified", fmt.Sprint(info.VerificationStatus))); err != nil {
				return err
			}
			// The result first: a session that cannot be saved is a failure of
			// its own (with a recovery file), never a lost answer.
			return keepSession(c.session, cl.Session)
		},
	}
	c.register(cmd, "FINTRACT_BASE_URL", true)
	return cmd
}

func fintractUploadCmd(e *env) *cobra.Command {
	var c common
	var noProgress bool
	cmd := &cobra.Command{
		Use:   "upload FILE",
		Short: "Upload a file (streamed, with progress)",
		Long: `upload streams FILE to the server in constant memory and prints the URL the
server stored it at. On a terminal it draws a progress bar on standard error;
elsewhere it prints a line every 10%.`,
		Example: "  banklink fintract upload --session ~/.fintract.json statement.pdf",
		Args:    exactArgs("FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := c.context(cmd) // by default no bound: an upload that keeps moving is never cut
			defer cancel()
			cl, _, err := fintractClient(e, &c, true)
			if err != nil {
				return err
			}
			f, err := os.Open(args[0])
			if err != nil {
				return err // a file that cannot be read: a failure, not a usage error
			}
			defer f.Close()
			file := fintract.File{Name: filepath.Base(args[0]), Body: f}
			var bar *progressBar
			if !noProgress && !e.json {
				bar = newProgressBar(e.errOut, terminal(e.errOut))
				file.Progress = bar.report
			}
			url, err := cl.UploadFile(ctx, file)
			if bar != nil {
				bar.done(err == nil)
			}
			if err != nil {
				return err
			}
			if err := e.emit(map[string]string{"url": url}, [][]string{{strings.TrimSpace(url)}}); err != nil {
				return err
			}
			// The result first: a session that cannot be saved is a failure of
			// its own (with a recovery file), never a lost answer.
			return keepSession(c.session, cl.Session)
		},
	}
	c.registerTimeout(cmd, "FINTRACT_BASE_URL", true, 0, "bound the whole upload (default: none: an upload that keeps moving is never cut off)")
	cmd.Flags().BoolVar(&noProgress, "no-progress", false, "print no progress")
	return cmd
}
