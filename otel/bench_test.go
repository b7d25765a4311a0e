package banklinkotel_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	banklinkotel "github.com/banklink/banklink-go/otel"
)

const benchLoans = `{"response":{"customer_id":"C001","customer_name":"Paul Logan","customer_account":"1002000989","customer_loans":[{"loan_id":"L000001","disbursement_date":"2023-03-01","outstanding_amount":2000000}]}}`

// canned answers every request in memory: what remains is the client's
// own cost, and the observer's.
type canned struct{}

func (canned) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		req.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header:        http.Header{"Content-Type": {"application/json"}, "Content-Length": {strconv.Itoa(len(benchLoans))}},
		ContentLength: int64(len(benchLoans)), Body: io.NopCloser(bytes.NewReader([]byte(benchLoans))), Request: req}, nil
}

// BenchmarkObserver is the cost of observing a call: none, against the
// OpenTelemetry observer on the SDK's providers with a no-op span exporter
// (batched, as in production) and a manual metric reader.
func BenchmarkObserver(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	obs, err := banklinkotel.New(banklinkotel.WithTracerProvider(tp), banklinkotel.WithMeterProvider(mp))
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		opts []banklink.Option
	}{{"none", nil}, {"otel", []banklink.Option{banklink.WithObserver(obs)}}} {
		b.Run(bc.name, func(b *testing.B) {
			c, err := dfcu.New(append([]banklink.Option{banklink.WithBaseURL("http://127.0.0.1:1"), banklink.WithTransport(canned{}),
				dfcu.WithSession(dfcu.Session{Access: "access-token", Refresh: "refresh-token"})}, bc.opts...)...)
			if err != nil {
				b.Fatal(err)
			}
			ctx := context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.Loans(ctx, "1002000989"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
