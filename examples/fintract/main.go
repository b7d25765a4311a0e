// Command fintract runs the Fintract auth flow. Set FINTRACT_BASE_URL,
// FINTRACT_EMAIL and FINTRACT_PASSWORD to log in to a real server (the
// OTP from FINTRACT_OTP, else one line of standard input); it changes the
// account only when FINTRACT_NEW_NAME or FINTRACT_UPLOAD_FILE asks. With
// none set it runs register → login → OTP → info → update → upload →
// delete on the in-process fake. -h lists the variables.
//
//	go run ./examples/fintract
package main

import "github.com/banklink/banklink-go/examples/internal/demo"

func main() { demo.Main(demo.Flow{Name: "Fintract", Usage: demo.FintractUsage, Run: demo.Fintract}) }
