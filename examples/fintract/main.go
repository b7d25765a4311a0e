// Command fintract runs the Fintract auth flow. Set FINTRACT_BASE_URL,
// FINTRACT_EMAIL and FINTRACT_PASSWORD to log in to a real server (you
// type the OTP it sends); with none set it runs register → login → OTP →
// info → update → upload → delete on the in-process fake.
//
//	go run ./examples/fintract
package main

import "github.com/banklink/banklink-go/examples/internal/demo"

func main() { demo.Main(demo.Flow{Name: "Fintract", Run: demo.Fintract}) }
