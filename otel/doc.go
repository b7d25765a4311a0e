// Package banklinkotel reports what banklink-go's clients do to
// OpenTelemetry: a banklink.Observer with one span per logical operation
// (dfcu.loans, merchant.login, …), a child span per HTTP attempt following
// the HTTP client semantic conventions, span events for retries, renewals
// and session changes, an error status carrying the error's category, and
// metrics.
//
// It is a module of its own (github.com/banklink/banklink-go/otel), so
// users of the core SDK never inherit OpenTelemetry. The package is named
// banklinkotel, not otel as its directory is: a program that uses it
// imports go.opentelemetry.io/otel too (for its providers), and two
// packages named otel would need an alias in every such file. The
// directory keeps the short import path, as OpenTelemetry's own contrib
// modules do (otelhttp lives in .../net/http/otelhttp).
//
//	obs, err := banklinkotel.New() // the global TracerProvider and MeterProvider
//	c, err := dfcu.New(banklink.WithBaseURL(url), dfcu.WithCredentials(user, pass),
//		banklink.WithObserver(obs))
//
// Metrics (attributes in brackets):
//
//   - banklink.operation.duration, histogram, s [banklink.provider, banklink.operation, banklink.outcome]
//   - banklink.operations.active, up-down counter [banklink.provider, banklink.operation]
//   - banklink.attempts, counter [banklink.provider, banklink.operation, http.response.status_code]
//   - banklink.retries, counter [banklink.provider, banklink.operation, banklink.retry.reason]
//   - banklink.renewals, counter [banklink.provider, banklink.renewal.reason, banklink.outcome]
//   - banklink.errors, counter [banklink.provider, banklink.operation, banklink.error.category]
//
// banklink.outcome is "ok" or the error's category. No attribute, event or
// metric holds a secret, a token or a query string: URLs are recorded
// without their query, errors are the SDK's redacted ones, and the account
// number a call is about is recorded (as banklink.account) only with
// WithAccountAttribute.
package banklinkotel
