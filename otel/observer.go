package banklinkotel

import (
	"context"
	"errors"
	"strconv"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/banklink/banklink-go"
)

// scope is the instrumentation scope of the tracer and meter.
const scope = "github.com/banklink/banklink-go/otel"

// Observer is a banklink.Observer on OpenTelemetry. It is safe for
// concurrent use; one serves every client of a process.
type Observer struct {
	tracer   trace.Tracer
	account  bool
	duration metric.Float64Histogram
	active   metric.Int64UpDownCounter
	attempts metric.Int64Counter
	retries  metric.Int64Counter
	renewals metric.Int64Counter
	errors   metric.Int64Counter
}

var _ banklink.Observer = (*Observer)(nil)

// Option configures an Observer: the options shape of every banklink-go
// module (a function that may refuse its input, New returning why).
type Option func(*config) error

type config struct {
	tp      trace.TracerProvider
	mp      metric.MeterProvider
	account bool
}

// WithTracerProvider sets the TracerProvider (default: the global one,
// otel.GetTracerProvider()). A nil provider is refused.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(c *config) error {
		if tp == nil {
			return errors.New("banklinkotel: WithTracerProvider(nil): leave the option out for the global provider")
		}
		c.tp = tp
		return nil
	}
}

// WithMeterProvider sets the MeterProvider (default: the global one,
// otel.GetMeterProvider()). A nil provider is refused.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(c *config) error {
		if mp == nil {
			return errors.New("banklinkotel: WithMeterProvider(nil): leave the option out for the global provider")
		}
		c.mp = mp
		return nil
	}
}

// WithAccountAttribute records the account number a call is about (DFCU
// loans, a NIP name enquiry) as the banklink.account span attribute.
// Account numbers are customer data: without this option they are never
// recorded.
func WithAccountAttribute() Option { return func(c *config) error { c.account = true; return nil } }

// New returns an Observer on the given (default: global) providers.
func New(opts ...Option) (*Observer, error) {
	cfg := config{}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	if cfg.tp == nil {
		cfg.tp = otel.GetTracerProvider()
	}
	if cfg.mp == nil {
		cfg.mp = otel.GetMeterProvider()
	}
	meter := cfg.mp.Meter(scope, metric.WithInstrumentationVersion(banklink.Version))
	o := &Observer{tracer: cfg.tp.Tracer(scope, trace.WithInstrumentationVersion(banklink.Version)), account: cfg.account}
	var err error
	if o.duration, err = meter.Float64Histogram("banklink.operation.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of banklink operations, retries and renewals included.")); err != nil {
		return nil, err
	}
	if o.active, err = meter.Int64UpDownCounter("banklink.operations.active", metric.WithUnit("{operation}"),
		metric.WithDescription("Operations in flight.")); err != nil {
		return nil, err
	}
	if o.attempts, err = meter.Int64Counter("banklink.attempts", metric.WithUnit("{attempt}"),
		metric.WithDescription("HTTP attempts sent.")); err != nil {
		return nil, err
	}
	if o.retries, err = meter.Int64Counter("banklink.retries", metric.WithUnit("{retry}"),
		metric.WithDescription("Attempts sent again, by reason.")); err != nil {
		return nil, err
	}
	if o.renewals, err = meter.Int64Counter("banklink.renewals", metric.WithUnit("{renewal}"),
		metric.WithDescription("Session renewals, by reason and outcome.")); err != nil {
		return nil, err
	}
	if o.errors, err = meter.Int64Counter("banklink.errors", metric.WithUnit("{error}"),
		metric.WithDescription("Failed operations, by error category.")); err != nil {
		return nil, err
	}
	return o, nil
}

// Attribute keys of this package (the HTTP ones are the semantic
// conventions').
const (
	keyProvider      = attribute.Key("banklink.provider")
	keyOperation     = attribute.Key("banklink.operation")
	keyOutcome       = attribute.Key("banklink.outcome")
	keyCategory      = attribute.Key("banklink.error.category")
	keyAccount       = attribute.Key("banklink.account")
	keyAttempts      = attribute.Key("banklink.attempts")
	keyReason        = attribute.Key("banklink.retry.reason")
	keyBackoff       = attribute.Key("banklink.retry.backoff_ms")
	keyAttempt       = attribute.Key("banklink.attempt")
	keyRenewalReason = attribute.Key("banklink.renewal.reason")
	keyReasonSess    = attribute.Key("banklink.session.reason")
	keyVersion       = attribute.Key("banklink.session.version")

	keyMethod      = attribute.Key("http.request.method")
	keyStatus      = attribute.Key("http.response.status_code")
	keyResend      = attribute.Key("http.request.resend_count")
	keyServer      = attribute.Key("server.address")
	keyServerPort  = attribute.Key("server.port")
	keyURL         = attribute.Key("url.full")
	keyErrorType   = attribute.Key("error.type")
	otherErrorType = "_OTHER"
)

// outcome is "ok", or the error's category.
func outcome(err error, c banklink.Category) string {
	switch {
	case err == nil:
		return "ok"
	case c == "":
		return otherErrorType
	}
	return string(c)
}

// StartOperation starts the operation's span, named provider.operation.
func (o *Observer) StartOperation(ctx context.Context, op banklink.Operation) (context.Context, func(banklink.OperationEnd)) {
	names := metric.WithAttributes(keyProvider.String(op.Provider), keyOperation.String(op.Name))
	attrs := []attribute.KeyValue{keyProvider.String(op.Provider), keyOperation.String(op.Name),
		keyServer.String(op.Host), keyServerPort.Int(op.Port)}
	if o.account && op.Account != "" {
		attrs = append(attrs, keyAccount.String(op.Account))
	}
	ctx, span := o.tracer.Start(ctx, op.Provider+"."+op.Name, trace.WithSpanKind(trace.SpanKindInternal), trace.WithAttributes(attrs...))
	o.active.Add(ctx, 1, names)
	return ctx, func(e banklink.OperationEnd) {
		o.active.Add(ctx, -1, names)
		out := outcome(e.Err, e.Category)
		o.duration.Record(ctx, e.Duration.Seconds(), metric.WithAttributes(keyProvider.String(op.Provider), keyOperation.String(op.Name), keyOutcome.String(out)))
		span.SetAttributes(keyAttempts.Int(e.Attempts))
		if e.StatusCode != 0 {
			span.SetAttributes(keyStatus.Int(e.StatusCode))
		}
		if e.Err != nil {
			o.errors.Add(ctx, 1, metric.WithAttributes(keyProvider.String(op.Provider), keyOperation.String(op.Name), keyCategory.String(out)))
			span.SetAttributes(keyErrorType.String(out), keyCategory.String(out))
			span.SetStatus(codes.Error, out)
		}
		span.End()
	}
}

// StartAttempt starts an HTTP client span, named by the method, under the
// operation's span; a retry is an event on the operation's span.
func (o *Observer) StartAttempt(ctx context.Context, a banklink.Attempt) (context.Context, func(banklink.AttemptEnd)) {
	opSpan := trace.SpanFromContext(ctx)
	attrs := []attribute.KeyValue{keyMethod.String(a.Method), keyServer.String(a.Host), keyServerPort.Int(a.Port),
		keyURL.String(a.Scheme + "://" + hostPort(a.Host, a.Port, a.Scheme) + a.Path)}
	if a.Number > 1 {
		attrs = append(attrs, keyResend.Int(a.Number-1))
	}
	ctx, span := o.tracer.Start(ctx, a.Method, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	return ctx, func(e banklink.AttemptEnd) {
		status := metric.WithAttributes(keyProvider.String(a.Provider), keyOperation.String(a.Name), keyStatus.Int(e.StatusCode))
		o.attempts.Add(ctx, 1, status)
		if e.StatusCode != 0 {
			span.SetAttributes(keyStatus.Int(e.StatusCode))
		}
		switch {
		case e.StatusCode >= 400:
			span.SetAttributes(keyErrorType.String(strconv.Itoa(e.StatusCode)))
			span.SetStatus(codes.Error, string(e.Category))
		case e.Err != nil:
			span.SetAttributes(keyErrorType.String(outcome(e.Err, e.Category)))
			span.SetStatus(codes.Error, e.Err.Error())
		}
		span.End()
		if e.Retry {
			o.retries.Add(ctx, 1, metric.WithAttributes(keyProvider.String(a.Provider), keyOperation.String(a.Name), keyReason.String(e.RetryReason)))
			opSpan.AddEvent("banklink.retry", trace.WithAttributes(keyAttempt.Int(a.Number), keyReason.String(e.RetryReason),
				keyBackoff.Float64(float64(e.Backoff.Microseconds())/1000)))
		}
	}
}

func hostPort(host string, port int, scheme string) string {
	if (scheme == "https" && port == 443) || (scheme == "http" && port == 80) || port == 0 {
		return host
	}
	return host + ":" + strconv.Itoa(port)
}

// StartRenewal records the renewal as an event on the span that needed it
// (its own calls, a refresh or a login, are operations of their own).
func (o *Observer) StartRenewal(ctx context.Context, r banklink.Renewal) (context.Context, func(banklink.RenewalEnd)) {
	span := trace.SpanFromContext(ctx)
	return ctx, func(e banklink.RenewalEnd) {
		reason := e.Reason
		if reason == "" {
			reason = "none"
		}
		out := outcome(e.Err, e.Category)
		o.renewals.Add(ctx, 1, metric.WithAttributes(keyProvider.String(r.Provider), keyRenewalReason.String(reason), keyOutcome.String(out)))
		span.AddEvent("banklink.renewal", trace.WithAttributes(keyRenewalReason.String(reason), keyOutcome.String(out)))
	}
}

// SessionChanged records the change as an event on the current span.
func (o *Observer) SessionChanged(ctx context.Context, ch banklink.SessionChange) {
	trace.SpanFromContext(ctx).AddEvent("banklink.session.change",
		trace.WithAttributes(keyReasonSess.String(ch.Reason), keyVersion.Int64(int64(ch.Version))))
}
