package banklinkotel_test

import (
	"log"

	"go.opentelemetry.io/otel"

	"github.com/banklink/banklink-go"
	"github.com/banklink/banklink-go/dfcu"
	banklinkotel "github.com/banklink/banklink-go/otel"
)

// Spans and metrics for every call of a client, from the global
// OpenTelemetry providers (or WithTracerProvider / WithMeterProvider).
func ExampleNew() {
	obs, err := banklinkotel.New(banklinkotel.WithTracerProvider(otel.GetTracerProvider()), banklinkotel.WithMeterProvider(otel.GetMeterProvider()))
	if err != nil {
		log.Fatal(err)
	}
	c, err := dfcu.New(banklink.WithBaseURL("https://loans.example/"), dfcu.WithCredentials("ops", "secret"), banklink.WithObserver(obs))
	if err != nil {
		log.Fatal(err)
	}
	_ = c // every call of c now has a span, attempt spans under it, and metrics
}
