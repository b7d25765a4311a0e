// Command merchant runs the merchant flow: wallet login → refresh → NIP
// name enquiry → logout. Set MERCHANT_BASE_URL, MERCHANT_EMAIL and
// MERCHANT_PASSWORD for a real wallet, and NIP_BASE_URL, NIP_USERNAME,
// NIP_PASSWORD, NIP_ACCOUNT and NIP_BANK for a real NIP service (NIP_INSECURE=1
// allows a plain-http test URL); unset, each part runs on an in-process fake.
//
//	go run ./examples/merchant
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
	if err := demo.Merchant(ctx, demo.Env{Out: os.Stdout, In: os.Stdin, Getenv: os.Getenv}); err != nil {
		fmt.Fprintln(os.Stderr, "merchant example failed:", err)
		os.Exit(1)
	}
}
