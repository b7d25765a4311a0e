// Command banklink runs the SDK's fake servers as a process (for a
// service under test started by docker compose, another language's tests,
// a staging stack without a sandbox account), and asks a provider one
// question from a terminal, on the real SDK.
//
//	go install github.com/banklink/banklink-go/cmd/banklink@latest
//	banklink fake                        # all four fakes on 127.0.0.1:8080
//	banklink dfcu loans 1002000989       # DFCU_BASE_URL, DFCU_USERNAME, DFCU_PASSWORD
//	banklink merchant nip 1018996198 110000
//	banklink --help
//
// Exit codes: 0 success; 1 any other failure; 2 a usage error (arguments,
// flags, missing configuration); 3 the provider refused (credentials, an
// unknown account, invalid input); 4 no verdict (unreachable, a server
// failure, rate limited, or an outcome the provider could not tell); 130
// interrupted (Ctrl-C or SIGTERM).
package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], env{in: os.Stdin, out: os.Stdout, errOut: os.Stderr, getenv: os.Getenv})
	stop()
	os.Exit(code)
}

// run runs the command line args and returns the exit code.
func run(ctx context.Context, args []string, e env) int {
	e.ctx = ctx
	root := newRoot(&e)
	root.SetArgs(args)
	root.SetIn(e.in)
	root.SetOut(e.out)
	root.SetErr(e.errOut)
	err := root.ExecuteContext(ctx)
	if err != nil && ctx.Err() != nil && errors.Is(err, context.Canceled) {
		// Ctrl-C (or SIGTERM): the shell's convention, 128 + SIGINT.
		e.printError(errInterrupted)
		return exitInterrupted
	}
	if err != nil {
		e.printError(err)
	}
	return exitCode(err)
}

// errInterrupted is what an interrupted command reports.
var errInterrupted = errors.New("interrupted")
