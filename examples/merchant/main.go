// Command merchant runs the merchant flow: wallet login → refresh → NIP
// name enquiry → logout. Set MERCHANT_BASE_URL, MERCHANT_EMAIL and
// MERCHANT_PASSWORD for a real wallet, and NIP_BASE_URL, NIP_USERNAME,
// NIP_PASSWORD, NIP_ACCOUNT and NIP_BANK for a real NIP service (NIP_INSECURE=1
// allows a plain-http test URL); unset, each part runs on an in-process fake.
//
//	go run ./examples/merchant
package main

import "github.com/banklink/banklink-go/examples/internal/demo"

func main() { demo.Main(demo.Flow{Name: "Merchant", Usage: demo.MerchantUsage, Run: demo.Merchant}) }
