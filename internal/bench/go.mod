module github.com/banklink/banklink-go/internal/bench

go 1.26.0

require (
	github.com/banklink/banklink-go v0.0.0
	github.com/go-resty/resty/v2 v2.17.2
	github.com/hashicorp/go-retryablehttp v0.7.8
)

require (
	github.com/hashicorp/go-cleanhttp v0.5.2 // indirect
	golang.org/x/net v0.43.0 // indirect
)

replace github.com/banklink/banklink-go => ../..
