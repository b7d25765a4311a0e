// Command quickstart runs every provider's example flow, each on the
// in-process fake server unless that provider's environment variables
// point it at a real one. It exits non-zero if any flow fails.
//
//	go run ./examples/quickstart
package main

import "github.com/banklink/banklink-go/examples/internal/demo"

func main() { demo.Main(demo.Flows()...) }
