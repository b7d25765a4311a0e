// Command fintiv runs the Fintiv flow: token → myinfo → validate PIN →
// change password. Set FINTIV_BASE_URL, FINTIV_API_KEY, FINTIV_TENANT,
// FINTIV_USERNAME and FINTIV_PASSWORD to use a real service; it validates a
// PIN only when FINTIV_PIN is set and changes the password only when
// FINTIV_NEW_PASSWORD is set, and never waits for input. With none set it
// runs on the in-process fake. -h lists the variables.
//
//	go run ./examples/fintiv
package main

import "github.com/banklink/banklink-go/examples/internal/demo"

func main() { demo.Main(demo.Flow{Name: "Fintiv", Usage: demo.FintivUsage, Run: demo.Fintiv}) }
