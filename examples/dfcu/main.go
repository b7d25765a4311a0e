// Command dfcu logs in to the DFCU loans API and prints the loans of an
// account. Set DFCU_BASE_URL, DFCU_USERNAME, DFCU_PASSWORD and DFCU_ACCOUNT
// to use a real server; with none set it runs on the in-process fake.
//
//	go run ./examples/dfcu
package main

import "github.com/banklink/banklink-go/examples/internal/demo"

func main() { demo.Main(demo.Flow{Name: "DFCU", Usage: demo.DFCUUsage, Run: demo.DFCU}) }
