// Command fintiv runs the Fintiv flow: token → myinfo → validate PIN →
// change password. Set FINTIV_BASE_URL, FINTIV_API_KEY, FINTIV_TENANT,
// FINTIV_USERNAME and FINTIV_PASSWORD to use a real service (it asks for
// the PIN and new password); with none set it runs on the in-process fake.
//
//	go run ./examples/fintiv
package main

import "github.com/banklink/banklink-go/examples/internal/demo"

func main() { demo.Main(demo.Flow{Name: "Fintiv", Run: demo.Fintiv}) }
