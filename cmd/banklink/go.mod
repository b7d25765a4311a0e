module github.com/banklink/banklink-go/cmd/banklink

go 1.26.0

// No replace directive: `go install github.com/banklink/banklink-go/cmd/banklink@latest`
// refuses modules that have one. In this repository go.work resolves the
// SDK to the checkout.
require (
	github.com/banklink/banklink-go v0.2.0
	github.com/creack/pty v1.1.24
	github.com/spf13/cobra v1.10.2
	github.com/spf13/pflag v1.0.9
	github.com/stretchr/testify v1.12.1
	go.uber.org/goleak v1.3.0
	golang.org/x/term v0.48.0
)

require (
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
	go.yaml.in/yaml/v3 v3.0.5 // indirect
	golang.org/x/sys v0.50.0 // indirect
)
