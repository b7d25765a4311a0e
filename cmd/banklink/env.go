package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"golang.org/x/term"
)

// env is what a command reads and writes: its streams, the environment
// and the output format.
type env struct {
	// ctx ends with an interrupt (Ctrl-C) or SIGTERM: a prompt waiting
	// for a person ends with it, before anything is sent.
	ctx    context.Context
	in     io.Reader
	out    io.Writer
	errOut io.Writer
	getenv func(string) string
	json   bool
}

// usageError is a mistake in the command line or the configuration.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return &usageError{fmt.Sprintf(format, args...)} }

// printError prints err for a person (or as JSON with --json).
func (e *env) printError(err error) {
	if e.json {
		_ = json.NewEncoder(e.errOut).Encode(errorJSON(err))
		return
	}
	fmt.Fprintln(e.errOut, "banklink:", commandTerms(err.Error()))
	var u *usageError
	if errors.As(err, &u) {
		fmt.Fprintln(e.errOut, "Run 'banklink --help' for usage.")
	}
}

// commandTerms rewrites the SDK's advice, given in Go API terms, in the
// command's: its flags and commands.
func commandTerms(msg string) string {
	return strings.NewReplacer(
		"use https, or opt in with banklink.WithInsecureHTTP()", "use https, or pass --insecure",
		"configure fintract.WithCredentials and fintract.WithOTPCallback, or call Login and VerifyOTP",
		"log in again with 'banklink fintract login --session FILE'",
		"use dfcu.WithCredentials or dfcu.WithSession", "set DFCU_USERNAME and DFCU_PASSWORD, or give --session FILE",
		"use fintiv.WithAPIKey", "set FINTIV_API_KEY or give --api-key-file",
		"use merchant.WithNIPCredentials", "set NIP_USERNAME and NIP_PASSWORD",
		"(use banklink.WithBaseURL)", "(set the provider's _BASE_URL variable or --base-url)",
	).Replace(msg)
}

// emit prints v as JSON with --json, else the rows as an aligned table
// (the first row is the header).
func (e *env) emit(v any, rows [][]string) error {
	if e.json {
		out, err := snakeJSON(v)
		if err != nil {
			return err
		}
		enc := json.NewEncoder(e.out)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(out)
	}
	tw := tabwriter.NewWriter(e.out, 0, 0, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

// setting returns a flag's value when set, else the environment
// variable's, else a usage error naming both.
func (e *env) setting(flagValue, name, flagName string) (string, error) {
	if flagValue != "" {
		return flagValue, nil
	}
	if v := e.getenv(name); v != "" {
		return v, nil
	}
	return "", usagef("set %s or --%s", name, flagName)
}

// secret reads a secret from the environment variable name, else the file
// given with --*-file, else a prompt on the terminal without echo. It is
// never printed.
func (e *env) secret(name, file, prompt string) (string, error) {
	if v := e.getenv(name); v != "" {
		return v, nil
	}
	if file != "" {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", fmt.Errorf("reading the secret file: %w", err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	f, ok := e.in.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return "", usagef("set %s, give a file, or run on a terminal to be asked", name)
	}
	fmt.Fprint(e.errOut, prompt)
	b, err := e.readPassword(int(f.Fd()))
	fmt.Fprintln(e.errOut)
	if err != nil {
		return "", fmt.Errorf("reading %s: %w", name, err)
	}
	return strings.TrimSpace(string(b)), nil
}

// readPassword reads a line without echo from the terminal fd, and gives
// up when e.ctx ends (Ctrl-C): the terminal's echo comes back and what
// was typed is dropped, never sent.
func (e *env) readPassword(fd int) ([]byte, error) {
	state, err := term.GetState(fd)
	if err != nil {
		return nil, err
	}
	b, err := e.await(func() ([]byte, error) { return term.ReadPassword(fd) })
	if err != nil && e.interrupted() {
		_ = term.Restore(fd, state)
	}
	return b, err
}

// await runs read, a read that only a person or a pipe can end, and
// returns early with the interrupt when e.ctx ends first (the read is
// abandoned: the process is about to exit).
func (e *env) await(read func() ([]byte, error)) ([]byte, error) {
	if e.ctx == nil {
		return read()
	}
	type result struct {
		b   []byte
		err error
	}
	done := make(chan result, 1)
	go func() {
		b, err := read()
		done <- result{b, err}
	}()
	select {
	case r := <-done:
		return r.b, r.err
	case <-e.ctx.Done():
		return nil, context.Cause(e.ctx)
	}
}

// interrupted reports whether the command was interrupted.
func (e *env) interrupted() bool { return e.ctx != nil && e.ctx.Err() != nil }

// terminal reports whether w is a terminal (for progress bars).
func terminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// printf prints for a person (nothing with --json, whose output is one
// JSON value).
func (e *env) printf(format string, args ...any) {
	if !e.json {
		fmt.Fprintf(e.out, format, args...)
	}
}

// otp reads a Fintract OTP: FINTRACT_OTP, else a prompt without echo on
// a terminal, else one line of standard input (a script's pipe).
// otpSource checks, before login step 1 mails a real user an OTP, that
// the OTP can be read afterwards: FINTRACT_OTP, a terminal, or standard
// input that is a pipe or a file (a script feeding it); not /dev/null or a
// closed input.
func (e *env) otpSource() error {
	if e.getenv("FINTRACT_OTP") != "" {
		return nil
	}
	f, ok := e.in.(*os.File)
	if !ok {
		return nil // a reader of the caller's: it may hold the OTP
	}
	if term.IsTerminal(int(f.Fd())) {
		return nil
	}
	if fi, err := f.Stat(); err == nil && (fi.Mode()&os.ModeNamedPipe != 0 || fi.Mode().IsRegular()) {
		return nil
	}
	return usagef("no way to read the OTP: set FINTRACT_OTP, run on a terminal, or pipe it to standard input (nothing was sent, so no OTP was mailed)")
}

func (e *env) otp() (string, error) {
	if f, ok := e.in.(*os.File); e.getenv("FINTRACT_OTP") != "" || (ok && term.IsTerminal(int(f.Fd()))) {
		return e.secret("FINTRACT_OTP", "", "OTP: ")
	}
	b, err := e.await(func() ([]byte, error) {
		line, err := bufio.NewReader(e.in).ReadString('\n')
		return []byte(line), err
	})
	if e.interrupted() {
		return "", err
	}
	line := string(b)
	if strings.TrimSpace(line) == "" {
		return "", usagef("no OTP: set FINTRACT_OTP, run on a terminal, or write it to standard input (%v)", err)
	}
	return strings.TrimSpace(line), nil
}

// credentials returns the user (from userVar) and password (from pwVar, a
// file or a prompt) to log in with; none when a session was restored and
// userVar is unset. Without a session they are required.
func (e *env) credentials(c *common, restored bool, userVar, pwVar, prompt string) (user, pw string, err error) {
	user = e.getenv(userVar)
	switch {
	case user == "" && restored:
		return "", "", nil
	case user == "":
		return "", "", usagef("set %s (or give a --session file)", userVar)
	}
	pw, err = e.secret(pwVar, c.passwordFile, prompt)
	return user, pw, err
}
