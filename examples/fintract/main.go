// Command fintract runs the Fintract auth flow. Set FINTRACT_BASE_URL,
// FINTRACT_EMAIL and FINTRACT_PASSWORD to log in to a real server (you
// type the OTP it sends); with none set it runs register → login → OTP →
// info → update → upload → delete on the in-process fake.
//
//	go run ./examples/fintract
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
	if err := demo.Fintract(ctx, demo.Env{Out: os.Stdout, In: os.Stdin, Getenv: os.Getenv}); err != nil {
		fmt.Fprintln(os.Stderr, "fintract example failed:", err)
		os.Exit(1)
	}
}
