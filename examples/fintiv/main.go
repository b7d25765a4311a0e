// Command fintiv runs the Fintiv flow: token → myinfo → validate PIN →
// change password. Set FINTIV_BASE_URL, FINTIV_API_KEY, FINTIV_TENANT,
// FINTIV_USERNAME and FINTIV_PASSWORD to use a real service (it asks for
// the PIN and new password); with none set it runs on the in-process fake.
//
//	go run ./examples/fintiv
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"

	"github.com/banklink/banklink-go/examples/internal/demo"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := demo.Fintiv(ctx, demo.Env{Out: os.Stdout, In: os.Stdin, Getenv: os.Getenv}); err != nil {
		fmt.Fprintln(os.Stderr, "fintiv example failed:", err)
		os.Exit(1)
	}
}
