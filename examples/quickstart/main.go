// Command quickstart runs every provider's example flow, each on the
// in-process fake server unless that provider's environment variables
// point it at a real one. It exits non-zero if any flow fails.
//
//	go run ./examples/quickstart
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
	failed := 0
	for _, f := range demo.Flows() {
		fmt.Printf("== %s\n", f.Name)
		if err := f.Run(ctx, demo.Env{Out: os.Stdout, In: os.Stdin, Getenv: os.Getenv}); err != nil {
			fmt.Fprintf(os.Stderr, "%s failed: %v\n", f.Name, err)
			failed++
		}
	}
	if failed > 0 {
		fmt.Fprintf(os.Stderr, "quickstart: %d flow(s) failed\n", failed)
		os.Exit(1)
	}
	fmt.Println("quickstart: all flows passed")
}
