// Command dfcu logs in to the DFCU loans API and prints the loans of an
// account. Set DFCU_BASE_URL, DFCU_USERNAME, DFCU_PASSWORD and DFCU_ACCOUNT
// to use a real server; with none set it runs on the in-process fake.
//
//	go run ./examples/dfcu
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
	if err := demo.DFCU(ctx, demo.Env{Out: os.Stdout, In: os.Stdin, Getenv: os.Getenv}); err != nil {
		fmt.Fprintln(os.Stderr, "dfcu example failed:", err)
		os.Exit(1)
	}
}
