// Package bench measures the SDK against a hand-written net/http call,
// go-retryablehttp used directly and resty, on one loopback handler. It is
// a separate module so that the SDK's users never inherit resty. Run
// `go run ./cmd/report` here to produce BENCHMARKS.md.
package bench
